import type { DB } from '../store/db.js';
import type { LoadedConfig } from '../config/load.js';
import type { Logger } from '../util/log.js';
import { createMailer } from '../notify/email/transport.js';
import { DigestScheduler } from './scheduler.js';

export { buildDigest, digestTimezone, type RenderedDigest } from './build.js';
export { DigestScheduler, type DigestRow, type DigestState } from './scheduler.js';
export { makePeriod, type Period } from './period.js';
export { dueAt, latestDueDate, planNext } from './schedule.js';

/** Daemon hook: the digest scheduler, or null when `digest.enabled` is false. */
export function startDigest(db: DB, cfg: LoadedConfig, log: Logger): DigestScheduler | null {
  if (!cfg.digest.enabled) return null;
  const scheduler = new DigestScheduler({ db, cfg, log, mailer: createMailer(cfg) });
  scheduler.start();
  return scheduler;
}
