import type { LoadedConfig } from '../config/load.js';
import { openDatabase, type DB } from '../store/db.js';
import { loadClassifierFor } from '../cli/rules.js';
import { Pipeline } from './pipeline.js';
import { Tailer } from '../ingest/tailer.js';
import { ConsoleNotifier } from '../notify/console/index.js';
import { Dispatcher } from '../notify/dispatch.js';
import type { Notifier } from '../notify/notifier.js';
import type { Logger } from '../util/log.js';

export interface Daemon {
  db: DB;
  pipeline: Pipeline;
  tailer: Tailer;
  stop(): Promise<void>;
}

/** Wires ingest → parse → classify → incidents → notify for `apiwatch run`. */
export async function startDaemon(cfg: LoadedConfig, log: Logger): Promise<Daemon> {
  const db = openDatabase(cfg.dbPath);
  const classifier = await loadClassifierFor(cfg);
  const notifiers: Notifier[] = [];
  if (cfg.notify.console.enabled) notifiers.push(new ConsoleNotifier(cfg.notify.console.min_severity));
  const dispatcher = new Dispatcher(notifiers, log);
  const pipeline = new Pipeline({
    db,
    classifier,
    apiHosts: cfg.api_hosts,
    includeOtherApis: cfg.sources.some((s) => s.include_other_apis),
    onChanges: dispatcher.handle,
  });
  // APIWATCH_TEST_SINK_DELAY_MS: torture tests slow the sink to exercise backpressure and rotation under load.
  const delay = Number(process.env.APIWATCH_TEST_SINK_DELAY_MS ?? 0);
  const sink = delay > 0 ? { write: async (b: Parameters<Pipeline['write']>[0]) => { await new Promise((r) => setTimeout(r, delay)); await pipeline.write(b); } } : pipeline;
  const tailer = new Tailer({
    sources: cfg.sources,
    sink,
    checkpoints: pipeline.checkpoints,
    db,
    reconcileMs: Number(process.env.APIWATCH_TEST_RECONCILE_MS ?? 0) || undefined,
    maxBatchLines: Number(process.env.APIWATCH_TEST_BATCH_LINES ?? 0) || undefined,
    onError: (err, source) => log.warn({ err: err.message, source }, 'ingest error; resuming from the last checkpoint'),
  });
  await tailer.start();
  const idle = setInterval(() => pipeline.flushIdle(), 500);
  log.info({ db: cfg.dbPath, sources: cfg.sources.map((s) => s.path).flat() }, 'apiwatch started');
  return {
    db,
    pipeline,
    tailer,
    async stop() {
      clearInterval(idle);
      await tailer.stop();
      db.close();
      log.info(pipeline.stats, 'apiwatch stopped');
    },
  };
}
