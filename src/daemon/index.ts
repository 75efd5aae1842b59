import type { LoadedConfig } from '../config/load.js';
import { openDatabase, type DB } from '../store/db.js';
import { loadClassifierFor } from '../cli/rules.js';
import { Pipeline } from './pipeline.js';
import { Tailer } from '../ingest/tailer.js';
import { createNotify } from '../notify/index.js';
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
  const notify = createNotify(cfg, db, log);
  const pipeline = new Pipeline({
    db,
    classifier,
    apiHosts: cfg.api_hosts,
    includeOtherApis: cfg.sources.some((s) => s.include_other_apis),
    onChanges: notify.dispatcher.handle,
  });
  pipeline.incidents.configure({
    resolveAfterMs: cfg.incidents.resolve_after,
    resolveAfterByCategory: cfg.incidents.resolve_after_by_category,
    flapWindowMs: cfg.incidents.flap_window,
  });
  notify.start();
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
      await notify.stop();
      await digest?.stop();
      db.close();
      log.info(pipeline.stats, 'apiwatch stopped');
    },
  };
}
