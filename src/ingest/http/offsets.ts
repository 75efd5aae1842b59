import type { DB } from '../../store/db.js';

/** How long an accepted offset is remembered: far longer than any shipper keeps retrying a batch. */
export const OFFSET_RETENTION_MS = 7 * 86_400_000;

/**
 * (host, file, offset) of every accepted record that carried an offset: the key that makes a
 * retried batch count once. Callers check before parsing and save inside the batch's transaction.
 */
export class OffsetStore {
  private readonly has;
  private readonly put;
  private readonly prune;

  constructor(db: DB) {
    this.has = db.prepare('SELECT 1 FROM http_offsets WHERE host = ? AND file = ? AND offset = ?').pluck();
    this.put = db.prepare('INSERT OR IGNORE INTO http_offsets (host, file, offset, seen_at) VALUES (?, ?, ?, ?)');
    this.prune = db.prepare('DELETE FROM http_offsets WHERE seen_at < ?');
  }

  seen(host: string, file: string, offset: number): boolean {
    return this.has.get(host, file, offset) !== undefined;
  }

  save(host: string, file: string, offset: number, now: number): void {
    this.put.run(host, file, offset, now);
  }

  /** Forgets offsets older than the retention; returns how many went. */
  purge(now: number): number {
    return this.prune.run(now - OFFSET_RETENTION_MS).changes;
  }
}
