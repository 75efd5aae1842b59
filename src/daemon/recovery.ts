import type { LoadedConfig } from '../config/load.js';
import type { DB } from '../store/db.js';
import type { Logger } from '../util/log.js';
import { heartbeat } from './health.js';
import type { Ingest } from './ingest.js';

/** Resync waits: from half a second, doubling while the database refuses writes, reset by a commit. */
export const RESYNC_MS = { initial: 500, max: 30_000 } as const;

export interface RecoveryOptions {
  db: DB;
  log: Logger;
  ingest: () => Ingest;
  config: () => LoadedConfig;
  stopping: () => boolean;
  /** The heartbeat's verdict, shared with the health check (null: the database takes writes). */
  setWriteError: (code: string | null) => void;
  now?: () => number;
}

/**
 * Recovery after a store failure (disk full, lock, I/O): the GuardedSink drops batches, and once the
 * database takes a write again the ingest reads on from the committed checkpoints with a fresh
 * pipeline, the same as a process restart without one. Attempts back off while the database still
 * refuses writes and after a resync whose first batch failed again; a commit resets the backoff.
 */
export class Recovery {
  private delay: number = RESYNC_MS.initial;
  private nextAt = 0;
  private running = false;
  private readonly now: () => number;

  constructor(private readonly o: RecoveryOptions) {
    this.now = o.now ?? Date.now;
  }

  /** A batch committed. */
  committed(): void {
    this.delay = RESYNC_MS.initial;
  }

  /** A commit failed: try again after the current delay. */
  failed(): void {
    this.nextAt = this.now() + this.delay;
  }

  private grow(): void {
    this.delay = Math.min(this.delay * 2, RESYNC_MS.max);
  }

  get resyncing(): boolean {
    return this.running;
  }

  /** Called from the loop: starts a resync when the store is failing and one is due. */
  maybeResync(): void {
    const ingest = this.o.ingest();
    if (!ingest.sink.failing || this.running || this.o.stopping() || this.now() < this.nextAt) return;
    void this.resync();
  }

  async resync(): Promise<void> {
    this.running = true;
    const ingest = this.o.ingest();
    const was = ingest.sink.failing;
    try {
      const resumed = await ingest.resync(this.o.config(), () => this.probe(), this.o.stopping);
      // If the first batch fails again, wait longer before the next attempt (a commit resets it).
      if (resumed) this.o.log.info({ after: was }, 'database writable again; ingestion resumed from the checkpoint');
      else this.nextAt = this.now() + this.delay;
      this.grow();
    } catch (err) {
      this.o.log.error({ err: (err as Error).message }, 'could not restart reading; will retry');
      this.nextAt = this.now() + this.delay;
    } finally {
      this.running = false;
    }
  }

  /** One write to the heartbeat row: does the database take writes now? */
  private probe(): boolean {
    const code = heartbeat(this.o.db, this.o.config().database.busy_timeout);
    this.o.setWriteError(code);
    return code === null;
  }
}
