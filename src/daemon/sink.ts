import type { BatchSink, LineBatch } from '../ingest/types.js';
import type { Logger } from '../util/log.js';

/** SQLite failures that are about the environment (disk, locks, I/O), not the data: worth retrying. */
export function isTransientStoreError(err: unknown): boolean {
  const code = (err as { code?: unknown })?.code;
  return (
    typeof code === 'string' &&
    (code === 'SQLITE_FULL' || code === 'SQLITE_BUSY' || code === 'SQLITE_LOCKED' || code === 'SQLITE_READONLY' ||
      code.startsWith('SQLITE_IOERR') || code === 'SQLITE_CANTOPEN' || code === 'SQLITE_PROTOCOL')
  );
}

export const STORE_HINTS: Record<string, string> = {
  SQLITE_FULL: 'the disk holding the database is full; free space and ingestion resumes from the last checkpoint',
  SQLITE_BUSY: 'another process holds a write lock on the database; ingestion resumes when it lets go',
  SQLITE_LOCKED: 'the database is locked; ingestion resumes when it is released',
  SQLITE_READONLY: 'the database file or its folder is not writable by this user',
};

export interface SinkObserver {
  /** After a batch committed. */
  committed(batch: LineBatch): void;
  /** A commit failed for an environmental reason; the sink now drops batches until resync. */
  failed(code: string): void;
}

/**
 * Stands between the tailer and the pipeline. When a batch's transaction fails for an environmental
 * reason (disk full, lock, I/O), the events, incident updates and checkpoint have rolled back together,
 * but the parsers' in-memory state (multi-line events being assembled) has moved on. So instead of
 * retrying that batch, the sink marks itself failed and quietly drops what the tailer still sends: the
 * tailer never sees an exception (it would kill it). The daemon then stops the tailer, builds a fresh
 * pipeline and restarts reading from the committed checkpoints once the database takes writes: the same
 * as a process restart, without one.
 */
export class GuardedSink implements BatchSink {
  /** When the write now running started (a hung write is a stalled pipeline); null when idle. */
  attemptStartedAt: number | null = null;
  /** SQLite code of the failure being recovered from; null when writes go through. */
  failing: string | null = null;

  constructor(
    public inner: BatchSink,
    private readonly log: Logger,
    private readonly observer: SinkObserver,
  ) {}

  async write(batch: LineBatch): Promise<void> {
    if (this.failing) return; // not committed: re-read from the checkpoint after the resync
    this.attemptStartedAt = Date.now();
    try {
      await this.inner.write(batch);
    } catch (err) {
      if (!isTransientStoreError(err)) throw err;
      this.fail((err as { code: string }).code, (err as Error).message, batch.source);
      return;
    } finally {
      this.attemptStartedAt = null;
    }
    this.observer.committed(batch);
  }

  /** Records a store failure (also used for the idle flush, which commits outside write()). */
  fail(code: string, message: string, source?: string): void {
    if (this.failing) return;
    this.failing = code;
    this.log.error({ code, err: message, source, hint: STORE_HINTS[code] ?? 'see the error; retrying' }, 'cannot commit batch; rolled back, will retry from the checkpoint');
    this.observer.failed(code);
  }
}
