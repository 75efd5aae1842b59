import { existsSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { LoadedConfig } from '../config/load.js';
import { DatabaseIdentity, openDatabase, type DB } from '../store/db.js';
import type { IncidentChange } from '../incidents/types.js';
import type { LineBatch } from '../ingest/types.js';
import { createOutboxWorker } from '../notify/index.js';
import type { Notifier } from '../notify/notifier.js';
import type { Logger } from '../util/log.js';
import { SdNotify } from './sd-notify.js';
import { acquireInstanceLock } from './lock.js';
import { DaemonMetrics } from './metrics.js';
import { fileLags, type HealthReport } from './health.js';
import { switchToIncrementalVacuum } from './retention.js';
import { isLoopback, parseListen, startHttp } from './http.js';
import { Ingest, type IngestTestHooks } from './ingest.js';
import { Recovery } from './recovery.js';
import { Loop } from './loop.js';
import { HttpSource } from '../ingest/http/index.js';
import { isTransientStoreError } from './sink.js';
import { sourceFaultLog } from './faults.js';
import { FailureStreak } from './streak.js';
import { ConfigScope, Reloader } from './reloader.js';
import { uiFor } from '../web/mount.js';
import type { RuleEngine } from '../classify/index.js';
import type { Pipeline } from './pipeline.js';

export interface Daemon {
  db: DB;
  pipeline: Pipeline;
  metrics: DaemonMetrics;
  /** Port the HTTP listener is bound to (useful with port 0), or null when it is off. */
  httpPort: number | null;
  /** Ports the `- http:` ingest sources are bound to, in config order. */
  ingestPorts: number[];
  health(): HealthReport;
  /** Re-reads config and rules; on any error keeps the running ones. Resolves true when applied. */
  reload(): Promise<boolean>;
  stop(): Promise<void>;
}

export interface DaemonOptions {
  notify?: SdNotify;
  /**
   * Replaces the channels the config asks for (embedding, tests); called again on reload. Each is an
   * outbox channel (render + deliver, src/notify/notifier.ts); its optional `close()` is called when a
   * reload replaces it and at shutdown (after in-flight deliveries, within shutdown.notify_grace).
   */
  buildNotifiers?: (cfg: LoadedConfig) => Notifier[];
  /** Torture-test knobs (slow sink, small batches, a kill inside a transaction). Unset in production. */
  test?: IngestTestHooks;
}

/**
 * Last in, first out: each part registers how to stop it right after it is built, so stopping (or
 * a failed start) undoes the graph in reverse — readers before the database, the database before
 * the lock. Alertmanager's app/ keeps the same list.
 */
export class StopList {
  private readonly steps: { name: string; stop: () => unknown }[] = [];

  add(name: string, stop: () => unknown): void {
    this.steps.push({ name, stop });
  }

  async run(log: Logger): Promise<void> {
    for (let s = this.steps.pop(); s; s = this.steps.pop()) {
      try {
        await s.stop();
      } catch (err) {
        log.error({ step: s.name, err: (err as Error).message }, 'error while stopping');
      }
    }
  }
}

/** Builds ingest → parse → classify → incidents → notify for `apiwatch run`, with its lifecycle. */
export async function startDaemon(cfg: LoadedConfig, log: Logger, opts: DaemonOptions = {}): Promise<Daemon> {
  const sd = opts.notify ?? new SdNotify(log);
  const stops = new StopList();
  try {
    return await build(cfg, log, sd, opts, stops);
  } catch (err) {
    await stops.run(log);
    throw err;
  }
}

async function build(cfg: LoadedConfig, log: Logger, sd: SdNotify, opts: DaemonOptions, stops: StopList): Promise<Daemon> {
  mkdirSync(dirname(cfg.dbPath), { recursive: true });
  // Before migrations: a second instance must not even touch the schema.
  const lock = acquireInstanceLock(cfg.dbPath);
  stops.add('instance lock', lock.release);
  // Said out loud: a database that vanished while stopped means acks, silences and the outbox are gone.
  if (!existsSync(cfg.dbPath)) log.warn({ db: cfg.dbPath }, 'no database at this path: creating a new, empty one');
  // quick_check first: on a damaged file nothing could page while ingestion went on (refuse to start).
  const db = openDatabase(cfg.dbPath, { verify: true });
  const dbIdentity = new DatabaseIdentity(cfg.dbPath);
  stops.add('database', () => db.open && db.close());
  db.pragma(`busy_timeout = ${cfg.database.busy_timeout}`);
  // Before READY=1: ask systemd for more start time on a big file.
  await switchToIncrementalVacuum(db, cfg.dbPath, log, (usec, status) => sd.send({ EXTEND_TIMEOUT_USEC: usec, STATUS: status }));

  let stopping = false;
  let metrics: DaemonMetrics | undefined;
  // One record of unreadable sources for every tailer (reload and resync replace the tailer).
  const sourceFaults = sourceFaultLog(log, () => metrics);
  // Failed dispatcher ticks in a row: a run of them means nothing can page (health, metrics).
  const tickFailures = new FailureStreak();
  // One delivery loop for the daemon's life; reload swaps its channels, so no delivery starts twice.
  const worker = createOutboxWorker(cfg, db, log, [], { onResult: (channel, result) => metrics?.notifications.inc({ channel, result }) });
  let ingest!: Ingest;
  const config = () => reloader.current;
  const statusText = () => `watching ${config().sources.length} source(s); ${ingest.stats().events} events since start`;
  const scopeDeps = { db, log, worker, makeNotifiers: opts.buildNotifiers };
  const reloader = new Reloader(await ConfigScope.build(cfg, scopeDeps), {
    ...scopeDeps,
    ingest: () => ingest,
    metrics: () => metrics,
    sd,
    stopping: () => stopping,
    statusText,
  });
  worker.setNotifiers(reloader.scope.notifiers);

  const onChanges = (changes: IncidentChange[]) => {
    for (const c of changes) {
      if (c.added) metrics?.events.inc({ ref: c.incident.ref ?? 'none', category: c.incident.category, severity: c.incident.severity }, c.added);
    }
    reloader.dispatcher.handle(changes);
  };
  let recovery: Recovery | undefined;
  ingest = new Ingest({
    db,
    log,
    classifier: reloader.classifier,
    config: cfg,
    onChanges,
    hooks: opts.test,
    faults: sourceFaults,
    observer: {
      committed(b: LineBatch) {
        recovery?.committed();
        if (b.span) {
          // A block of the bulk catch-up: its span comes from the scan.
          metrics?.linesRead.inc({ source: b.source }, b.span.lines);
          metrics?.bytesRead.inc({ source: b.source }, b.span.bytes);
          return;
        }
        if (!b.lines.length) return;
        // The reader's offsets give the batch's byte span directly; measuring each line's UTF-8
        // length would put a second pass over every line on the hot path.
        const first = b.lines[0].meta.offset;
        let bytes = b.checkpoint && first >= 0 ? b.checkpoint.offset - first : -1;
        if (bytes < 0) {
          bytes = 0;
          for (const l of b.lines) bytes += Buffer.byteLength(l.text) + 1;
        }
        metrics?.linesRead.inc({ source: b.source }, b.lines.length);
        metrics?.bytesRead.inc({ source: b.source }, bytes);
      },
      failed(code) {
        metrics?.storeWriteFailures.inc({ code });
        recovery?.failed();
      },
    },
  });
  const m = new DaemonMetrics({
    db,
    lags: () => fileLags(db, config().sources.flatMap((s) => s.path)),
    parseFailures: () => ingest.malformed(),
    skippedLongLines: () => ingest.skippedLongLines(),
    sourceFaults: () => sourceFaults.list(),
    databaseMismatch: () => dbIdentity.check() !== null,
    dispatchFailures: () => tickFailures.failures,
    healthStatus: () => loop.health().status,
    httpSources: () => shippers,
  });
  metrics = m;
  let loop!: Loop;
  let shippers: HttpSource[] = [];
  recovery = new Recovery({ db, log, ingest: () => ingest, config, stopping: () => stopping, setWriteError: (code) => (loop.writeError = code) });
  loop = new Loop({ db, log, sd, config, ingest: () => ingest, recovery, dispatcher: () => reloader.dispatcher, metrics: () => metrics, statusText, sourceFaults, dbIdentity, tickFailures, httpSources: () => shippers.map((s) => s.status()) });

  let httpPort: number | null = null;
  if (cfg.http.enabled) {
    const { host } = parseListen(cfg.http.listen);
    if (!isLoopback(host)) log.warn({ listen: cfg.http.listen }, 'HTTP listener is not on loopback: /metrics and /healthz are reachable from the network');
    // The on-call page (src/web) shares the listener when http.ui is on; a bad ui setting stops the start.
    const scopeRules = () => ('rules' in reloader.scope.classifier ? (reloader.scope.classifier as RuleEngine).rules : []);
    const ui = cfg.http.ui ? uiFor(cfg, db, { rules: scopeRules, problems: () => loop.health().problems, loopback: isLoopback(host) }) : undefined;
    const server = await startHttp(cfg.http.listen, { metrics: () => m.render(), contentType: m.registry.contentType, health: loop.health, ui });
    httpPort = server.boundPort;
    stops.add('http listener', () => {
      server.close();
      server.closeAllConnections();
    });
  }

  const r = reloader;
  // Shutdown grace for notifications: the worker's drain and the channels' close() share it.
  let graceEnds = 0;
  stops.add('channels and digest', () => r.close(graceEnds - Date.now()));
  worker.start();
  stops.add('outbox worker', async () => {
    graceEnds = Date.now() + r.current.shutdown.notify_grace;
    const of = worker.inFlight;
    const left = await worker.stop(r.current.shutdown.notify_grace);
    // They stay pending in the outbox and go out at the next start.
    if (left) log.warn({ pending: left, of }, 'notifications still in flight at shutdown; giving up on them');
  });
  await ingest.start(cfg);
  // The tailer finishes (and commits) the batch in flight; a resync under way ends first.
  stops.add('ingest', () => ingest.stop());
  // Shippers' batches go straight to the current pipeline: each request commits (or is refused) as a whole.
  shippers = cfg.httpSources.map(
    (c) => new HttpSource({ cfg: c, db, target: () => ingest.pipeline, blocked: () => ingest.sink.failing, transient: isTransientStoreError, log }),
  );
  const ingestPorts: number[] = [];
  for (const [i, h] of shippers.entries()) {
    ingestPorts.push(await h.start());
    stops.add(`http ingest ${cfg.httpSources[i].listen}`, () => h.stop());
    log.info({ listen: cfg.httpSources[i].listen, port: ingestPorts[i], path: cfg.httpSources[i].path }, 'HTTP ingest listening');
  }
  r.start();
  loop.start();
  stops.add('timers', () => loop.stop());
  stops.add('reload in flight', () => r.settle());

  log.info(
    { db: cfg.dbPath, sources: cfg.sources.flatMap((s) => s.path), http: httpPort !== null ? `${cfg.http.listen.replace(/:\d+$/, '')}:${httpPort}` : null, watchdog_ms: loop.watchdogIntervalMs },
    'apiwatch started',
  );
  await sd.ready(statusText());

  let stopped: Promise<void> | null = null;
  return {
    db,
    get pipeline() {
      return ingest.pipeline;
    },
    metrics: m,
    httpPort,
    ingestPorts,
    health: loop.health,
    reload: () => r.reload(),
    stop() {
      stopped ??= (async () => {
        stopping = true;
        await sd.stopping();
        await stops.run(log);
        log.info(ingest.stats(), 'apiwatch stopped');
      })();
      return stopped;
    },
  };
}
