import { Counter, Gauge, Registry, collectDefaultMetrics } from 'prom-client';
import type { DB } from '../store/db.js';
import type { FileLag } from './health.js';
import type { SourceFault } from '../ingest/faults.js';
import { REJECT_CODES, type HttpSource } from '../ingest/http/index.js';

/** Numbers owned by other stages, read at scrape time (collect callbacks) so their code stays untouched. */
export interface MetricSources {
  db: DB;
  lags(): FileLag[];
  /** Lines that looked like JSON but did not parse, across sources. */
  parseFailures(): number;
  /** Over-long lines the tailer skipped. */
  skippedLongLines(): number;
  /** Sources that cannot be opened or read right now. */
  sourceFaults?(): SourceFault[];
  /** The database path no longer names the open file (deleted or replaced under the daemon). */
  databaseMismatch?(): boolean;
  /** Failed dispatcher ticks in a row. */
  dispatchFailures?(): number;
  /** /healthz's verdict: ok, degraded or unhealthy. */
  healthStatus?(): string;
  /** The `- http:` sources (log shippers' batches). */
  httpSources?(): readonly HttpSource[];
}

function tableExists(db: DB, name: string): boolean {
  return db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?").get(name) !== undefined;
}

function columns(db: DB, table: string): Set<string> {
  return new Set((db.prepare(`PRAGMA table_info(${table})`).all() as { name: string }[]).map((c) => c.name));
}

/** Sampling interval of the event-loop lag metric (apiwatch_nodejs_eventloop_lag_*). */
const IDLE_LAG_SAMPLE_MS = 100;

export class DaemonMetrics {
  readonly registry = new Registry();
  readonly linesRead: Counter<'source'>;
  readonly bytesRead: Counter<'source'>;
  readonly events: Counter<'ref' | 'category' | 'severity'>;
  readonly notifications: Counter<'channel' | 'result'>;
  readonly reloads: Counter<'result'>;
  readonly storeWriteFailures: Counter<'code'>;
  readonly retentionPurged: Counter;
  readonly sourceFaultsTotal: Counter<'code' | 'kind'>;

  constructor(src: MetricSources) {
    const registers = [this.registry];
    // The event-loop lag histogram samples with a libuv timer: at prom-client's default 10 ms
    // that woke an idle daemon ~100 times a second (about a third of its idle CPU); 100 ms still
    // sees every stall worth a look (the health check's are whole seconds).
    collectDefaultMetrics({ register: this.registry, prefix: 'apiwatch_', eventLoopMonitoringPrecision: IDLE_LAG_SAMPLE_MS });
    this.linesRead = new Counter({ name: 'apiwatch_lines_read_total', help: 'Lines read and committed, per source file', labelNames: ['source'], registers });
    this.bytesRead = new Counter({ name: 'apiwatch_bytes_read_total', help: 'Bytes read and committed, per source file', labelNames: ['source'], registers });
    this.events = new Counter({
      name: 'apiwatch_events_total',
      help: 'Failed API calls stored, by Easemob error-table ref, category and severity',
      labelNames: ['ref', 'category', 'severity'],
      registers,
    });
    this.notifications = new Counter({
      name: 'apiwatch_notifications_total',
      help: 'Delivery attempts from the outbox, by channel and result (sent|retry|dead)',
      labelNames: ['channel', 'result'],
      registers,
    });
    this.reloads = new Counter({ name: 'apiwatch_reloads_total', help: 'Config reloads (SIGHUP), by result (ok|failed)', labelNames: ['result'], registers });
    this.storeWriteFailures = new Counter({
      name: 'apiwatch_store_write_failures_total',
      help: 'Batch commits rolled back for an environmental reason (SQLITE_FULL, SQLITE_BUSY…) and retried',
      labelNames: ['code'],
      registers,
    });
    this.retentionPurged = new Counter({ name: 'apiwatch_retention_purged_events_total', help: 'Events folded into event_daily and deleted', registers });
    for (const r of ['ok', 'failed']) this.reloads.inc({ result: r }, 0);
    this.sourceFaultsTotal = new Counter({
      name: 'apiwatch_source_faults_total',
      help: 'Times a source file or folder was found unreadable (EACCES, ENOENT folder, ENOTDIR, EIO), by errno code',
      labelNames: ['code', 'kind'],
      registers,
    });
    new Gauge({
      name: 'apiwatch_source_unreadable',
      help: 'Sources that cannot be opened or read now (1 per path); /healthz reports degraded while any is',
      labelNames: ['path', 'code', 'kind'],
      registers,
      collect() {
        this.reset();
        for (const f of src.sourceFaults?.() ?? []) this.set({ path: f.path, code: f.code, kind: f.kind }, 1);
      },
    });
    new Gauge({
      name: 'apiwatch_database_file_mismatch',
      help: '1 when the database path no longer names the file the daemon has open (deleted or replaced)',
      registers,
      collect() {
        this.set(src.databaseMismatch?.() ? 1 : 0);
      },
    });
    new Gauge({
      name: 'apiwatch_dispatch_consecutive_failures',
      help: 'Dispatcher ticks failed in a row (0 when the last one worked); /healthz is 503 from 5',
      registers,
      collect() {
        this.set(src.dispatchFailures?.() ?? 0);
      },
    });
    new Gauge({
      name: 'apiwatch_health_status',
      help: '1 for the current /healthz status (ok, degraded, unhealthy)',
      labelNames: ['status'],
      registers,
      collect() {
        this.reset();
        const now = src.healthStatus?.();
        for (const s of ['ok', 'degraded', 'unhealthy']) this.set({ status: s }, s === now ? 1 : 0);
      },
    });

    this.httpIngestMetrics(src, registers);

    new Counter({
      name: 'apiwatch_parse_failures_total',
      help: 'Lines that looked like a structured log line but did not parse',
      registers,
      collect() {
        this.reset();
        this.inc(src.parseFailures());
      },
    });
    new Counter({
      name: 'apiwatch_skipped_long_lines_total',
      help: 'Lines longer than the limit, skipped',
      registers,
      collect() {
        this.reset();
        this.inc(src.skippedLongLines());
      },
    });
    // One filesystem pass per scrape for both per-file gauges.
    let lagCache: { at: number; lags: FileLag[] } | null = null;
    const lags = () => {
      if (!lagCache || Date.now() - lagCache.at > 500) lagCache = { at: Date.now(), lags: src.lags() };
      return lagCache.lags;
    };
    new Gauge({
      name: 'apiwatch_tail_lag_bytes',
      help: 'Bytes in the file not yet committed',
      labelNames: ['file'],
      registers,
      collect() {
        this.reset();
        for (const l of lags()) this.set({ file: l.path }, l.lagBytes);
      },
    });
    new Gauge({
      name: 'apiwatch_checkpoint_age_seconds',
      help: 'Time since the file\'s read position was last committed',
      labelNames: ['file'],
      registers,
      collect() {
        this.reset();
        for (const l of lags()) this.set({ file: l.path }, l.checkpointAgeMs / 1000);
      },
    });
    new Gauge({
      name: 'apiwatch_incidents_open',
      help: 'Incidents not resolved, by severity',
      labelNames: ['severity'],
      registers,
      collect() {
        this.reset();
        for (const s of ['critical', 'error', 'warning', 'info']) this.set({ severity: s }, 0);
        const rows = src.db.prepare("SELECT severity, count(*) AS n FROM incidents WHERE state != 'resolved' GROUP BY severity").all() as { severity: string; n: number }[];
        for (const r of rows) this.set({ severity: r.severity }, r.n);
      },
    });
    // The outbox belongs to the Slack/email stage and may not exist (yet): read it only if it does.
    new Gauge({
      name: 'apiwatch_outbox_messages',
      help: 'Notification outbox rows by state (pending = queued, dead = gave up)',
      labelNames: ['state'],
      registers,
      collect() {
        this.reset();
        if (!tableExists(src.db, 'outbox') || !columns(src.db, 'outbox').has('state')) return;
        for (const s of ['pending', 'sent', 'dead']) this.set({ state: s }, 0);
        const rows = src.db.prepare('SELECT state, count(*) AS n FROM outbox GROUP BY state').all() as { state: string; n: number }[];
        for (const r of rows) this.set({ state: r.state }, r.n);
      },
    });
    new Gauge({
      name: 'apiwatch_outbox_oldest_pending_age_seconds',
      help: 'Age of the oldest queued notification (0 when none)',
      registers,
      collect() {
        this.set(0);
        if (!tableExists(src.db, 'outbox')) return;
        const cols = columns(src.db, 'outbox');
        if (!cols.has('state') || !cols.has('created_at')) return;
        const r = src.db.prepare("SELECT min(created_at) AS t FROM outbox WHERE state = 'pending'").get() as { t: number | null };
        if (r.t != null) this.set(Math.max(0, (Date.now() - r.t) / 1000));
      },
    });
    new Gauge({
      name: 'apiwatch_database_size_bytes',
      help: 'Database file size (pages in use plus free pages)',
      registers,
      collect() {
        const pages = Number(src.db.pragma('page_count', { simple: true }));
        const size = Number(src.db.pragma('page_size', { simple: true }));
        this.set(pages * size);
      },
    });
  }

  /** One series per HTTP source, labelled by its listen address (never by anything a shipper sends). */
  private httpIngestMetrics(src: MetricSources, registers: Registry[]): void {
    const each = (f: (s: HttpSource) => void) => {
      for (const s of src.httpSources?.() ?? []) f(s);
    };
    new Counter({
      name: 'apiwatch_http_ingest_requests_total',
      help: 'Requests to an HTTP source, by the status answered (200 only after the batch committed)',
      labelNames: ['listen', 'code'],
      registers,
      collect() {
        this.reset();
        each((s) => {
          for (const [code, n] of Object.entries(s.stats.responses)) this.inc({ listen: s.status().listen, code }, n);
        });
      },
    });
    new Counter({
      name: 'apiwatch_http_ingest_rejected_total',
      help: 'Requests refused: 400 malformed, 401 token, 413 max_body, 415 encoding, 503 backpressure or store not writable, 500 not stored',
      labelNames: ['listen', 'code'],
      registers,
      collect() {
        this.reset();
        each((s) => {
          for (const code of REJECT_CODES) this.inc({ listen: s.status().listen, code }, s.stats.rejected[code]);
        });
      },
    });
    const counter = (name: string, help: string, value: (s: HttpSource) => number) =>
      new Counter({
        name,
        help,
        labelNames: ['listen'],
        registers,
        collect() {
          this.reset();
          each((s) => this.inc({ listen: s.status().listen }, value(s)));
        },
      });
    counter('apiwatch_http_ingest_records_total', 'Records committed from shippers (duplicates not included)', (s) => s.stats.records);
    counter('apiwatch_http_ingest_duplicates_total', 'Records dropped because their (host, file, offset) was already committed (a retried batch)', (s) => s.stats.duplicates);
    counter('apiwatch_http_ingest_bytes_total', 'Body bytes of committed requests, after gunzip', (s) => s.stats.bytes);
    new Gauge({
      name: 'apiwatch_http_ingest_in_flight',
      help: 'Requests being read or committed now (max_inflight more get 503)',
      labelNames: ['listen'],
      registers,
      collect() {
        this.reset();
        each((s) => this.set({ listen: s.status().listen }, s.inFlight));
      },
    });
    new Gauge({
      name: 'apiwatch_http_ingest_last_request_timestamp_seconds',
      help: 'When a shipper last reached the HTTP source (0: never since start); alert on it going stale',
      labelNames: ['listen'],
      registers,
      collect() {
        this.reset();
        each((s) => {
          const at = s.status().last_request_at;
          this.set({ listen: s.status().listen }, at ? Date.parse(at) / 1000 : 0);
        });
      },
    });
  }

  async render(): Promise<string> {
    return this.registry.metrics();
  }
}
