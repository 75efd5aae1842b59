import type { LoadedConfig } from '../config/load.js';
import { openDatabase, type DB } from '../store/db.js';
import { loadClassifierFor } from '../cli/rules.js';
import { Pipeline } from './pipeline.js';
import { Tailer } from '../ingest/tailer.js';
import { ConsoleNotifier } from '../notify/console/index.js';
import { Dispatcher } from '../notify/dispatch.js';
import type { Notifier } from '../notify/notifier.js';
import type { Logger } from '../util/log.js';
import { startDigest } from '../digest/index.js';

export interface Daemon {
  db: DB;
  pipeline: Pipeline;
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
  const tailer = new Tailer({ sources: cfg.sources, sink: pipeline, checkpoints: pipeline.checkpoints });
  await tailer.start();
  const digest = startDigest(db, cfg, log);
  const idle = setInterval(() => pipeline.flushIdle(), 500);
  log.info({ db: cfg.dbPath, sources: cfg.sources.map((s) => s.path).flat() }, 'apiwatch started');
  return {
    db,
    pipeline,
    async stop() {
      clearInterval(idle);
      await tailer.stop();
      await digest?.stop();
      db.close();
      log.info(pipeline.stats, 'apiwatch stopped');
    },
  };
}
