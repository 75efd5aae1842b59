import { statfsSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Logger } from '../util/log.js';
import type { DB } from '../store/db.js';

export interface RetentionOptions {
  eventsDays: number;
  /** Events per transaction: short transactions keep ingestion from waiting behind the purge. */
  batchSize: number;
  /** IANA zone for event_daily's day (the digest's); default the host's. */
  timezone?: string;
  now?: number;
  /** Yield between batches so the pipeline's commits interleave with a long purge. */
  pause?: () => Promise<void>;
}

export interface RetentionResult {
  purged: number;
  batches: number;
  /** Pages given back to the file system by incremental vacuum. */
  freedPages: number;
}

/** `YYYY-MM-DD` in `timeZone`: en-CA formats dates that way. */
export function dayFormatter(timeZone?: string): (ts: number) => string {
  const f = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' });
  return (ts) => f.format(new Date(ts));
}

/**
 * New databases get auto_vacuum=INCREMENTAL so purged pages can be handed back to the file system.
 * The setting only takes effect on a database without tables, and the schema exists by the time the
 * daemon sees it, so the daemon switches it once with a VACUUM (cheap on a fresh or small database;
 * on a large one it needs free space about the file's size). Returns what happened, for the log.
 */
export function ensureIncrementalVacuum(db: DB): 'already' | 'converted' {
  if (Number(db.pragma('auto_vacuum', { simple: true })) === 2) return 'already';
  db.pragma('auto_vacuum = INCREMENTAL');
  db.exec('VACUUM');
  return 'converted';
}

/**
 * Folds events older than `eventsDays` into event_daily and deletes them, in small transactions.
 * Incidents are never touched: the digest and `incident show` need them beyond the events' retention.
 */
export async function purgeOldEvents(db: DB, opts: RetentionOptions): Promise<RetentionResult> {
  const cutoff = (opts.now ?? Date.now()) - opts.eventsDays * 86_400_000;
  const day = dayFormatter(opts.timezone);
  db.function('apiwatch_day', { deterministic: true }, (ts: unknown) => day(Number(ts)));
  const pick = db.prepare('SELECT id FROM events WHERE ts < ? ORDER BY ts LIMIT ?').pluck();
  // Aggregate and delete exactly the picked ids, in one transaction: a crash mid-purge neither
  // double-counts nor loses a day's numbers.
  const fold = db.prepare(`
    INSERT INTO event_daily (day, appkey, ref, category, severity, endpoint, count)
    SELECT apiwatch_day(ts), COALESCE(appkey, ''), COALESCE(ref, ''), category, severity, COALESCE(endpoint, ''), count(*)
      FROM events WHERE id IN (SELECT value FROM json_each(?))
     GROUP BY 1, 2, 3, 4, 5, 6
    ON CONFLICT (day, appkey, ref, category, severity, endpoint) DO UPDATE SET count = count + excluded.count`);
  const del = db.prepare('DELETE FROM events WHERE id IN (SELECT value FROM json_each(?))');
  const batch = db.transaction((ids: number[]) => {
    const json = JSON.stringify(ids);
    fold.run(json);
    return del.run(json).changes;
  });
  const res: RetentionResult = { purged: 0, batches: 0, freedPages: 0 };
  for (;;) {
    const ids = pick.all(cutoff, opts.batchSize) as number[];
    if (!ids.length) break;
    res.purged += batch(ids);
    res.batches++;
    if (ids.length < opts.batchSize) break;
    await (opts.pause ?? (() => new Promise<void>((r) => setImmediate(r))))();
  }
  if (res.purged && Number(db.pragma('auto_vacuum', { simple: true })) === 2) {
    const before = Number(db.pragma('freelist_count', { simple: true }));
    db.pragma('incremental_vacuum');
    res.freedPages = before - Number(db.pragma('freelist_count', { simple: true }));
  }
  return res;
}

/** VACUUM copies the file: it needs this much free space beside it. */
const VACUUM_SPACE_FACTOR = 1.2;
/** Start-up time to ask systemd for: a base plus the file at a generous ~20 MB/s. */
const VACUUM_BASE_S = 30;
const VACUUM_BYTES_PER_S = 20e6;

/**
 * The one-time switch of an old database to incremental auto-vacuum (so purges can shrink it), run
 * before READY=1. Not fatal: the file just will not shrink until it succeeds at a later start.
 */
export async function switchToIncrementalVacuum(
  db: DB,
  dbPath: string,
  log: Logger,
  extendStart: (usec: number, status: string) => Promise<void>,
): Promise<void> {
  try {
    if (Number(db.pragma('auto_vacuum', { simple: true })) === 2) return;
    const bytes = Number(db.pragma('page_count', { simple: true })) * Number(db.pragma('page_size', { simple: true }));
    let free = Infinity;
    try {
      const f = statfsSync(dirname(dbPath));
      free = f.bavail * f.bsize;
    } catch {
      /* statfs unsupported: try anyway */
    }
    if (free < bytes * VACUUM_SPACE_FACTOR) {
      log.warn({ db_bytes: bytes, free_bytes: free }, 'not enough free space for the one-time VACUUM to incremental auto-vacuum; will try at the next start');
      return;
    }
    await extendStart(Math.round((VACUUM_BASE_S + bytes / VACUUM_BYTES_PER_S) * 1e6), 'one-time VACUUM to incremental auto-vacuum');
    const t0 = Date.now();
    ensureIncrementalVacuum(db);
    log.info({ db_bytes: bytes, ms: Date.now() - t0 }, 'database switched to auto_vacuum=incremental (one-time VACUUM)');
  } catch (err) {
    log.warn({ err: (err as Error).message }, 'could not switch the database to incremental vacuum');
  }
}
