import { existsSync, mkdirSync, statfsSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Server } from 'node:http';
import { loadConfig, type LoadedConfig } from '../config/load.js';
import { DatabaseIdentity, openDatabase, type DB } from '../store/db.js';
import { loadClassifierFor } from '../cli/rules.js';
import type { Classifier } from '../classify/types.js';
import { Pipeline } from './pipeline.js';
import { Tailer } from '../ingest/tailer.js';
import type { LineBatch } from '../ingest/types.js';
import { createDispatcher, createNotifiers, createOutboxWorker } from '../notify/index.js';
import { OutboxStore } from '../notify/outbox/store.js';
import type { Notifier } from '../notify/notifier.js';
import { startDigest } from '../digest/index.js';
import type { IncidentChange } from '../incidents/types.js';
import { effectiveLevel, type Logger } from '../util/log.js';
import { SdNotify } from './sd-notify.js';
import { acquireInstanceLock } from './lock.js';
import { GuardedSink, isTransientStoreError } from './sink.js';
import { DaemonMetrics } from './metrics.js';
import { assessHealth, fileLags, heartbeat, type FileLag, type HealthReport } from './health.js';
import { ensureIncrementalVacuum, purgeOldEvents } from './retention.js';
import { sourceFaultLog } from './faults.js';
import { FailureStreak } from './streak.js';
import { isLoopback, parseListen, startHttp } from './http.js';
import { HttpSource } from '../ingest/http/index.js';

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
}

const LOOP_MS = 500;
const HEARTBEAT_MS = 5000;
const DISPATCH_MS = 1000;
const PRUNE_MS = 3_600_000;

/** Wires ingest → parse → classify → incidents → notify for `apiwatch run`, with its lifecycle. */
export async function startDaemon(cfg: LoadedConfig, log: Logger, opts: DaemonOptions = {}): Promise<Daemon> {
  const notify = opts.notify ?? new SdNotify(log);
  mkdirSync(dirname(cfg.dbPath), { recursive: true });
  // Before migrations: a second instance must not even touch the schema.
  const lock = acquireInstanceLock(cfg.dbPath);
  let db: DB | undefined;
  try {
    // Said out loud: a database that vanished while stopped means acks, silences and the outbox are gone.
    if (!existsSync(cfg.dbPath)) log.warn({ db: cfg.dbPath }, 'no database at this path: creating a new, empty one');
    // quick_check first: on a damaged file nothing could page while ingestion went on (refuse to start).
    db = openDatabase(cfg.dbPath, { verify: true });
    return await wire(cfg, log, notify, db, lock.release, opts.buildNotifiers);
  } catch (err) {
    if (db?.open) db.close();
    lock.release();
    throw err;
  }
}

async function wire(
  cfg: LoadedConfig,
  log: Logger,
  notify: SdNotify,
  db: DB,
  releaseLock: () => void,
  makeNotifiers: ((cfg: LoadedConfig) => Notifier[]) | undefined,
): Promise<Daemon> {
  let current = cfg;
  const dbIdentity = new DatabaseIdentity(cfg.dbPath);
  db.pragma(`busy_timeout = ${cfg.database.busy_timeout}`);
  try {
    if (Number(db.pragma('auto_vacuum', { simple: true })) !== 2) {
      const bytes = Number(db.pragma('page_count', { simple: true })) * Number(db.pragma('page_size', { simple: true }));
      const free = (() => {
        try {
          const f = statfsSync(dirname(cfg.dbPath));
          return f.bavail * f.bsize;
        } catch {
          return Infinity;
        }
      })();
      if (free < bytes * 1.2) {
        log.warn({ db_bytes: bytes, free_bytes: free }, 'not enough free space for the one-time VACUUM to incremental auto-vacuum; will try at the next start');
      } else {
        // The VACUUM runs before READY=1: ask systemd for more start time on a big file (~20 MB/s, generously).
        await notify.send({ EXTEND_TIMEOUT_USEC: Math.round((30 + bytes / 20e6) * 1e6), STATUS: 'one-time VACUUM to incremental auto-vacuum' });
        const t0 = Date.now();
        ensureIncrementalVacuum(db);
        log.info({ db_bytes: bytes, ms: Date.now() - t0 }, 'database switched to auto_vacuum=incremental (one-time VACUUM)');
      }
    }
  } catch (err) {
    // Not fatal: the file just will not shrink after purges until this succeeds at a later start.
    log.warn({ err: (err as Error).message }, 'could not switch the database to incremental vacuum');
  }

  // Reload swaps what these point at; the pipeline and dispatcher keep the same objects.
  let classifier: Classifier = await loadClassifierFor(cfg);
  const liveClassifier: Classifier = {
    classify: (ev) => classifier.classify(ev),
    fingerprint: (ev, cls) => classifier.fingerprint(ev, cls),
  };
  let metrics: DaemonMetrics | undefined;
  // One record of unreadable sources for every tailer (reload and resync replace the tailer).
  const sourceFaults = sourceFaultLog(log, () => metrics);
  // Failed dispatcher ticks in a row: a run of them means nothing can page (health, metrics).
  const tickFailures = new FailureStreak();
  // The channels and the dispatcher are config-scoped (rebuilt on reload); the outbox worker lives
  // as long as the daemon, so a delivery in flight during a reload is never started twice.
  const buildNotifiers = (c: LoadedConfig) => makeNotifiers?.(c) ?? createNotifiers(c);
  let notifiers = buildNotifiers(cfg);
  const worker = createOutboxWorker(cfg, db, log, notifiers, { onResult: (channel, result) => metrics?.notifications.inc({ channel, result }) });
  const buildDispatcher = (c: LoadedConfig, list: Notifier[]) => createDispatcher(c, db, log, list, { onQueued: () => worker.kick() });
  let dispatcher = buildDispatcher(cfg, notifiers);
  const outbox = new OutboxStore(db);
  const closeNotifiers = async (list: Notifier[], withinMs: number) => {
    let timer: NodeJS.Timeout | undefined;
    const all = Promise.allSettled(list.map((n) => (n as { close?: () => Promise<void> }).close?.()));
    const late = await Promise.race([all.then(() => false), new Promise<boolean>((r) => (timer = setTimeout(() => r(true), Math.max(500, withinMs))))]);
    clearTimeout(timer);
    if (late) log.warn('a notifier did not close in time');
  };
  const onChanges = (changes: IncidentChange[]) => {
    for (const c of changes) {
      if (c.added) metrics?.events.inc({ ref: c.incident.ref ?? 'none', category: c.incident.category, severity: c.incident.severity }, c.added);
    }
    dispatcher.handle(changes);
  };
  // A fresh pipeline (fresh parser state) after a store failure: see GuardedSink.
  const makePipeline = () => {
    const p = new Pipeline({
      db,
      classifier: liveClassifier,
      apiHosts: cfg.api_hosts,
      includeOtherApis: cfg.sources.some((s) => s.include_other_apis) || cfg.httpSources.some((s) => s.include_other_apis),
      onChanges,
    });
    p.incidents.configure({
      resolveAfterMs: current.incidents.resolve_after,
      resolveAfterByCategory: current.incidents.resolve_after_by_category,
      flapWindowMs: current.incidents.flap_window,
    });
    return p;
  };
  let pipeline = makePipeline();
  const totals = { batches: 0, lines: 0, events: 0 };
  const stats = () => ({
    batches: totals.batches + pipeline.stats.batches,
    lines: totals.lines + pipeline.stats.lines,
    events: totals.events + pipeline.stats.events,
  });

  const RESYNC_MS = { initial: 500, max: 30_000 };
  let resyncDelay = RESYNC_MS.initial;
  let nextResyncAt = 0;
  const sink = new GuardedSink(pipeline, log, {
    committed(b: LineBatch) {
      resyncDelay = RESYNC_MS.initial;
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
      nextResyncAt = Date.now() + resyncDelay;
    },
  });
  // APIWATCH_TEST_*: the torture tests slow the sink (backpressure, rotation under load), shrink
  // batches and the reconcile interval. Unset in production.
  const sinkDelay = Number(process.env.APIWATCH_TEST_SINK_DELAY_MS ?? 0);
  const tailerSink =
    sinkDelay > 0 ? { write: async (b: LineBatch) => { await new Promise((r) => setTimeout(r, sinkDelay)); await sink.write(b); } } : sink;
  const makeTailer = (c: LoadedConfig) =>
    new Tailer({
      sources: c.sources,
      sink: tailerSink,
      checkpoints: pipeline.checkpoints,
      db,
      reconcileMs: Number(process.env.APIWATCH_TEST_RECONCILE_MS ?? 0) || undefined,
      maxBatchLines: Number(process.env.APIWATCH_TEST_BATCH_LINES ?? 0) || undefined,
      faults: sourceFaults,
      onError: (err, source) => log.warn({ err: err.message, source }, 'ingest error; resuming from the last checkpoint'),
    });
  let tailer = makeTailer(cfg);
  let tailerRunning = false;
  // Tailer swaps (reload, resync, stop) run one at a time.
  let tailerOps: Promise<unknown> = Promise.resolve();
  const withTailer = <T>(fn: () => Promise<T>): Promise<T> => {
    const next = tailerOps.then(fn);
    tailerOps = next.catch(() => undefined);
    return next;
  };
  // Counters of replaced tailers/pipelines, so the exported totals never go backwards.
  const retired = { skippedLong: 0, malformed: 0 };
  const stopTailer = async () => {
    if (!tailerRunning) return;
    tailerRunning = false;
    await tailer.stop();
    retired.skippedLong += tailer.stats().skippedLong;
  };
  const startTailer = async (c: LoadedConfig) => {
    tailer = makeTailer(c);
    await tailer.start();
    tailerRunning = true;
  };
  const globs = () => current.sources.flatMap((s) => s.path);
  const malformed = () => pipeline.parseStats().malformed;
  metrics = new DaemonMetrics({
    db,
    lags: () => fileLags(db, globs()),
    parseFailures: () => retired.malformed + malformed(),
    skippedLongLines: () => retired.skippedLong + (tailerRunning ? tailer.stats().skippedLong : 0),
    sourceFaults: () => sourceFaults.list(),
    databaseMismatch: () => dbIdentity.check() !== null,
    dispatchFailures: () => tickFailures.failures,
    healthStatus: () => health().status,
  });

  // Health: the loop below is the pipeline's own loop; watchdog pings only come from it.
  let loopAt = Date.now();
  let heartbeatAt = 0;
  let heartbeatError: string | null = heartbeat(db, cfg.database.busy_timeout);
  let lagsCache: { at: number; lags: FileLag[] } = { at: 0, lags: [] };
  let lastWatchdog = 0;
  let reportedUnhealthy = false;
  let flushFailing = false;
  const watchdogMs = notify.watchdogIntervalMs();
  const health = (): HealthReport => {
    const now = Date.now();
    if (now - lagsCache.at > 1000) lagsCache = { at: now, lags: fileLags(db, globs(), now) };
    return assessHealth({
      now,
      loopAt,
      writeStartedAt: sink.attemptStartedAt,
      storeFailing: sink.failing,
      heartbeatError,
      lags: lagsCache.lags,
      tailerProgressAt: tailer.lastProgressAt,
      stallAfterMs: current.health.stall_after,
      sourceFaults: sourceFaults.list(),
      dbIdentityError: dbIdentity.check(),
      dispatch: tickFailures,
    });
  };
  // Timers (group_wait, group_interval, repeat, auto-resolve) advance even with no new lines.
  const dispatchTimer = setInterval(() => {
    try {
      dispatcher.tick();
      tickFailures.ok();
    } catch (err) {
      tickFailures.failed(err);
      log.error({ err: (err as Error).message }, 'dispatch tick failed');
    }
  }, DISPATCH_MS);
  const pruneOutbox = () => {
    try {
      outbox.prune(Date.now() - current.retention.events_days * 86_400_000);
    } catch (err) {
      log.warn({ err: (err as Error).message }, 'outbox prune failed');
    }
  };
  const pruneTimer = setInterval(pruneOutbox, PRUNE_MS);
  pruneTimer.unref();
  const loop = setInterval(() => {
    const now = Date.now();
    loopAt = now;
    try {
      pipeline.flushIdle();
      if (flushFailing) log.info('idle flush commits again');
      flushFailing = false;
    } catch (err) {
      if (!isTransientStoreError(err)) throw err;
      // The flushed events left the parser and rolled back: only a re-read from the checkpoint recovers them.
      if (!flushFailing) log.error({ code: (err as { code: string }).code, err: (err as Error).message }, 'idle flush could not commit');
      flushFailing = true;
      sink.fail((err as { code: string }).code, (err as Error).message);
    }
    if (sink.failing && !resyncing && !stopping && now >= nextResyncAt) void resync();
    if (now - heartbeatAt >= HEARTBEAT_MS) {
      heartbeatAt = now;
      const before = heartbeatError;
      heartbeatError = heartbeat(db, current.database.busy_timeout, now);
      if (heartbeatError && heartbeatError !== before) log.error({ code: heartbeatError }, 'database does not take writes');
    }
    const h = health();
    if (!h.ok !== reportedUnhealthy) {
      reportedUnhealthy = !h.ok;
      if (h.ok) log.info('healthy again');
      else log.error({ problems: h.problems }, 'unhealthy');
      void notify.status(h.ok ? statusText() : `unhealthy: ${h.problems.join('; ')}`);
    }
    // A stalled pipeline stops pinging so systemd restarts it; a full disk does not (a restart cannot fix that).
    if (watchdogMs !== null && h.moving && now - lastWatchdog >= watchdogMs) {
      lastWatchdog = now;
      void notify.watchdog();
    }
  }, LOOP_MS);

  let resyncing = false;
  /** After a store failure: stop reading, and once the database takes a write, read on from the checkpoints. */
  const resync = () => {
    resyncing = true;
    return withTailer(async () => {
      try {
        await stopTailer();
        if (stopping) return;
        const probe = heartbeat(db, current.database.busy_timeout);
        if (probe) {
          heartbeatError = probe;
          nextResyncAt = Date.now() + resyncDelay;
          resyncDelay = Math.min(resyncDelay * 2, RESYNC_MS.max);
          return;
        }
        heartbeatError = null;
        const s = pipeline.stats;
        totals.batches += s.batches;
        totals.lines += s.lines;
        totals.events += s.events;
        retired.malformed += malformed();
        pipeline = makePipeline();
        sink.inner = pipeline;
        const was = sink.failing;
        sink.failing = null;
        // If the first batch fails again, wait longer before the next attempt (reset on a commit).
        resyncDelay = Math.min(resyncDelay * 2, RESYNC_MS.max);
        await startTailer(current);
        log.info({ after: was }, 'database writable again; ingestion resumed from the checkpoint');
      } catch (err) {
        log.error({ err: (err as Error).message }, 'could not restart reading; will retry');
        nextResyncAt = Date.now() + resyncDelay;
      } finally {
        resyncing = false;
      }
    });
  };

  let retentionTimer: NodeJS.Timeout | undefined;
  let retentionRun: Promise<void> | null = null;
  let stopping = false;
  const runRetention = () => {
    retentionRun = (async () => {
      try {
        const r = await purgeOldEvents(db, {
          eventsDays: current.retention.events_days,
          batchSize: current.retention.batch_size,
          timezone: current.digest.timezone,
          pause: () => new Promise<void>((res, rej) => setImmediate(() => (stopping ? rej(new Error('stopping')) : res()))),
        });
        metrics?.retentionPurged.inc(r.purged);
        if (r.purged) log.info(r, 'retention: old events folded into event_daily and purged');
      } catch (err) {
        if (!stopping) log.error({ err: (err as Error).message, code: (err as { code?: string }).code }, 'retention failed; will retry');
      } finally {
        retentionRun = null;
        if (!stopping) retentionTimer = setTimeout(runRetention, current.retention.interval);
      }
    })();
  };

  let server: (Server & { boundPort: number }) | null = null;
  if (cfg.http.enabled) {
    const { host } = parseListen(cfg.http.listen);
    if (!isLoopback(host)) log.warn({ listen: cfg.http.listen }, 'HTTP listener is not on loopback: /metrics and /healthz are reachable from the network');
    server = await startHttp(cfg.http.listen, { metrics: () => metrics.render(), contentType: metrics.registry.contentType, health });
  }

  pruneOutbox();
  worker.start();
  await startTailer(cfg);
  // Shippers' batches go straight to the current pipeline: each request commits (or is refused) as a whole.
  const ingest = cfg.httpSources.map(
    (c) =>
      new HttpSource({
        cfg: c,
        db,
        target: () => pipeline,
        blocked: () => sink.failing,
        transient: isTransientStoreError,
        log,
      }),
  );
  const ingestPorts: number[] = [];
  for (const [i, h] of ingest.entries()) {
    ingestPorts.push(await h.start());
    log.info({ listen: cfg.httpSources[i].listen, port: ingestPorts[i], path: cfg.httpSources[i].path }, 'HTTP ingest listening');
  }
  let digest = startDigest(db, cfg, log);
  const statusText = () => `watching ${current.sources.length} source(s); ${stats().events} events since start`;
  log.info(
    { db: cfg.dbPath, sources: globs(), http: server ? `${cfg.http.listen.replace(/:\d+$/, '')}:${server.boundPort}` : null, watchdog_ms: watchdogMs },
    'apiwatch started',
  );
  await notify.ready(statusText());
  retentionTimer = setTimeout(runRetention, 1000);

  let reloading: Promise<boolean> | null = null;
  const doReload = async (): Promise<boolean> => {
    await notify.reloading();
    try {
      if (!current.configFile) throw new Error('running on built-in defaults: there is no config file to re-read');
      const next = loadConfig(current.configFile);
      const nextClassifier = await loadClassifierFor(next);
      const nextNotifiers = buildNotifiers(next);
      const nextDispatcher = buildDispatcher(next, nextNotifiers);
      const restartOnly: string[] = [];
      if (next.dbPath !== current.dbPath) restartOnly.push('state_dir');
      if (JSON.stringify(next.http) !== JSON.stringify(current.http)) restartOnly.push('http');
      if (JSON.stringify(next.api_hosts) !== JSON.stringify(current.api_hosts)) restartOnly.push('api_hosts');
      if (restartOnly.length) log.warn({ keys: restartOnly }, 'these settings change only on restart; keeping the running values');
      // Everything validated: apply. Nothing above touched the running state.
      classifier = nextClassifier;
      const replaced = notifiers;
      notifiers = nextNotifiers;
      dispatcher = nextDispatcher;
      worker.setNotifiers(nextNotifiers);
      worker.kick();
      void closeNotifiers(replaced, current.shutdown.notify_grace);
      await digest?.stop();
      digest = startDigest(db, next, log);
      log.level = effectiveLevel(next.log.level);
      const sourcesChanged = JSON.stringify(next.sources) !== JSON.stringify(current.sources);
      db.pragma(`busy_timeout = ${next.database.busy_timeout}`);
      current = { ...next, dbPath: current.dbPath, http: current.http, api_hosts: current.api_hosts };
      if (sourcesChanged) {
        // The old tailer commits its batch in flight; the new one starts from the checkpoints.
        // While the store is failing, the resync starts it instead.
        await withTailer(async () => {
          await stopTailer();
          if (!sink.failing && !stopping) await startTailer(current);
        });
      }
      metrics?.reloads.inc({ result: 'ok' });
      log.info({ sources_changed: sourcesChanged, rules: next.rules.files }, 'configuration reloaded');
      return true;
    } catch (err) {
      metrics?.reloads.inc({ result: 'failed' });
      log.error({ err: (err as Error).message }, 'reload failed; still running with the previous configuration');
      return false;
    } finally {
      await notify.ready(statusText());
    }
  };

  let stopped: Promise<void> | null = null;
  return {
    db,
    get pipeline() {
      return pipeline;
    },
    metrics,
    httpPort: server?.boundPort ?? null,
    ingestPorts,
    health,
    reload() {
      if (stopping) return Promise.resolve(false);
      // Signals can arrive back to back; reloads run one after another.
      reloading = (reloading ?? Promise.resolve(true)).then(doReload);
      return reloading;
    },
    stop() {
      stopped ??= (async () => {
        stopping = true;
        await notify.stopping();
        clearInterval(loop);
        if (retentionTimer) clearTimeout(retentionTimer);
        if (reloading) await reloading.catch(() => false);
        // The tailer finishes (and commits) the batch in flight; a resync under way ends first.
        await withTailer(stopTailer);
        await Promise.all(ingest.map((h) => h.stop()));
        if (retentionRun) await retentionRun;
        clearInterval(dispatchTimer);
        clearInterval(pruneTimer);
        const graceEnds = Date.now() + current.shutdown.notify_grace;
        const of = worker.inFlight;
        const left = await worker.stop(current.shutdown.notify_grace);
        // They stay pending in the outbox and go out at the next start.
        if (left) log.warn({ pending: left, of }, 'notifications still in flight at shutdown; giving up on them');
        await closeNotifiers(notifiers, graceEnds - Date.now());
        await digest?.stop();
        if (server) {
          server.close();
          server.closeAllConnections();
        }
        db.close();
        releaseLock();
        log.info(stats(), 'apiwatch stopped');
      })();
      return stopped;
    },
  };
}
