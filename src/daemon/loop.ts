import type { LoadedConfig } from '../config/load.js';
import type { DB, DatabaseIdentity } from '../store/db.js';
import type { SourceFaults } from '../ingest/faults.js';
import type { HttpSourceStatus } from '../ingest/http/index.js';
import type { FailureStreak } from './streak.js';
import type { Logger } from '../util/log.js';
import type { Dispatcher } from '../notify/dispatch.js';
import { OutboxStore } from '../notify/outbox/store.js';
import { assessHealth, fileLags, heartbeat, type FileLag, type HealthReport } from './health.js';
import type { Ingest } from './ingest.js';
import type { DaemonMetrics } from './metrics.js';
import type { Recovery } from './recovery.js';
import { purgeOldEvents } from './retention.js';
import type { SdNotify } from './sd-notify.js';
import { isTransientStoreError } from './sink.js';

/** The pipeline's own loop: idle flush, resync, heartbeat, health and the watchdog ping. */
export const LOOP_MS = 500;
/** Proves the database takes writes this often (/healthz). */
const HEARTBEAT_MS = 5000;
/** The paging timers (group_wait, group_interval, repeat, auto-resolve) advance even with no new lines. */
const DISPATCH_MS = 1000;
const PRUNE_OUTBOX_MS = 3_600_000;
const FIRST_RETENTION_MS = 1000;
// How often health re-reads the committed lags (sooner when stall_after is shorter).
const LAGS_CACHE_MS = 5000;
const DAY_MS = 86_400_000;

export interface LoopOptions {
  db: DB;
  log: Logger;
  sd: SdNotify;
  config: () => LoadedConfig;
  ingest: () => Ingest;
  recovery: Recovery;
  dispatcher: () => Dispatcher;
  metrics: () => DaemonMetrics | undefined;
  statusText: () => string;
  sourceFaults: SourceFaults;
  dbIdentity: DatabaseIdentity;
  tickFailures: FailureStreak;
  /** Status of the `- http:` sources (empty until they listen). */
  httpSources?: () => HttpSourceStatus[];
}

/**
 * The daemon's timers and the health they feed. Health is judged from the loop itself: a blocked
 * event loop stops the loop, so the systemd watchdog is pinged only from here.
 */
export class Loop {
  private loopAt = Date.now();
  private heartbeatAt = 0;
  writeError: string | null;
  private lagsCache: { at: number; lags: FileLag[] } = { at: 0, lags: [] };
  private lastWatchdog = 0;
  private reportedUnhealthy = false;
  private flushFailing = false;
  private readonly watchdogMs: number | null;
  private readonly timers: NodeJS.Timeout[] = [];
  private retentionTimer: NodeJS.Timeout | undefined;
  private retentionRun: Promise<void> | null = null;
  private stopping = false;
  private readonly outbox: OutboxStore;

  constructor(private readonly o: LoopOptions) {
    this.writeError = heartbeat(o.db, o.config().database.busy_timeout);
    this.watchdogMs = o.sd.watchdogIntervalMs();
    this.outbox = new OutboxStore(o.db);
  }

  get watchdogIntervalMs(): number | null {
    return this.watchdogMs;
  }

  health = (): HealthReport => {
    const now = Date.now();
    const c = this.o.config();
    const globs = c.sources.flatMap((s) => s.path);
    // A stat per checkpointed file: with 1,000 files, every second was a third of the idle cost.
    if (now - this.lagsCache.at > Math.min(LAGS_CACHE_MS, c.health.stall_after / 2)) this.lagsCache = { at: now, lags: fileLags(this.o.db, globs, now) };
    const ingest = this.o.ingest();
    return assessHealth({
      now,
      loopAt: this.loopAt,
      writeStartedAt: ingest.sink.attemptStartedAt,
      storeFailing: ingest.sink.failing,
      heartbeatError: this.writeError,
      lags: this.lagsCache.lags,
      tailerProgressAt: ingest.progressAt,
      stallAfterMs: c.health.stall_after,
      sourceFaults: this.o.sourceFaults.list(),
      dbIdentityError: this.o.dbIdentity.check(),
      dispatch: this.o.tickFailures,
      httpSources: this.o.httpSources?.() ?? [],
    });
  };

  start(): void {
    this.timers.push(setInterval(() => this.tick(), LOOP_MS));
    this.timers.push(setInterval(() => this.dispatch(), DISPATCH_MS));
    this.pruneOutbox();
    const pruner = setInterval(() => this.pruneOutbox(), PRUNE_OUTBOX_MS);
    pruner.unref();
    this.timers.push(pruner);
    this.retentionTimer = setTimeout(() => this.runRetention(), FIRST_RETENTION_MS);
  }

  /** Clears the timers and waits for a retention pass in flight (it stops at its next pause). */
  async stop(): Promise<void> {
    this.stopping = true;
    for (const t of this.timers) clearInterval(t);
    if (this.retentionTimer) clearTimeout(this.retentionTimer);
    if (this.retentionRun) await this.retentionRun;
  }

  private tick(): void {
    const now = Date.now();
    this.loopAt = now;
    const ingest = this.o.ingest();
    try {
      ingest.pipeline.flushIdle();
      if (this.flushFailing) this.o.log.info('idle flush commits again');
      this.flushFailing = false;
    } catch (err) {
      if (!isTransientStoreError(err)) throw err;
      // The flushed events left the parser and rolled back: only a re-read from the checkpoint recovers them.
      const code = (err as { code: string }).code;
      if (!this.flushFailing) this.o.log.error({ code, err: (err as Error).message }, 'idle flush could not commit');
      this.flushFailing = true;
      ingest.sink.fail(code, (err as Error).message);
    }
    if (!this.stopping) this.o.recovery.maybeResync();
    if (now - this.heartbeatAt >= HEARTBEAT_MS) {
      this.heartbeatAt = now;
      const before = this.writeError;
      this.writeError = heartbeat(this.o.db, this.o.config().database.busy_timeout, now);
      if (this.writeError && this.writeError !== before) this.o.log.error({ code: this.writeError }, 'database does not take writes');
    }
    const h = this.health();
    if (!h.ok !== this.reportedUnhealthy) {
      this.reportedUnhealthy = !h.ok;
      if (h.ok) this.o.log.info('healthy again');
      else this.o.log.error({ problems: h.problems }, 'unhealthy');
      void this.o.sd.status(h.ok ? this.o.statusText() : `unhealthy: ${h.problems.join('; ')}`);
    }
    // A stalled pipeline stops pinging so systemd restarts it; a full disk does not (a restart cannot fix that).
    if (this.watchdogMs !== null && h.moving && now - this.lastWatchdog >= this.watchdogMs) {
      this.lastWatchdog = now;
      void this.o.sd.watchdog();
    }
  }

  private dispatch(): void {
    try {
      this.o.dispatcher().tick();
      this.o.tickFailures.ok();
    } catch (err) {
      this.o.tickFailures.failed(err);
      this.o.log.error({ err: (err as Error).message }, 'dispatch tick failed');
    }
  }

  private pruneOutbox(): void {
    try {
      this.outbox.prune(Date.now() - this.o.config().retention.events_days * DAY_MS);
    } catch (err) {
      this.o.log.warn({ err: (err as Error).message }, 'outbox prune failed');
    }
  }

  private runRetention(): void {
    this.retentionRun = (async () => {
      const c = this.o.config();
      try {
        const r = await purgeOldEvents(this.o.db, {
          eventsDays: c.retention.events_days,
          batchSize: c.retention.batch_size,
          timezone: c.digest.timezone,
          pause: () => new Promise<void>((res, rej) => setImmediate(() => (this.stopping ? rej(new Error('stopping')) : res()))),
        });
        this.o.metrics()?.retentionPurged.inc(r.purged);
        if (r.purged) this.o.log.info(r, 'retention: old events folded into event_daily and purged');
      } catch (err) {
        if (!this.stopping) this.o.log.error({ err: (err as Error).message, code: (err as { code?: string }).code }, 'retention failed; will retry');
      } finally {
        this.retentionRun = null;
        if (!this.stopping) this.retentionTimer = setTimeout(() => this.runRetention(), this.o.config().retention.interval);
      }
    })();
  }
}
