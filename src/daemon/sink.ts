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

const HINTS: Record<string, string> = {
  SQLITE_FULL: 'the disk holding the database is full; free space and ingestion resumes from the last checkpoint',
  SQLITE_BUSY: 'another process holds a write lock on the database; ingestion resumes when it lets go',
  SQLITE_LOCKED: 'the database is locked; ingestion resumes when it is released',
  SQLITE_READONLY: 'the database file or its folder is not writable by this user',
};

export interface SinkObserver {
  /** After a batch committed. */
  committed(batch: LineBatch): void;
  /** A commit failed and will be retried after `retryInMs`. */
  failed(code: string, retryInMs: number): void;
  /** The store accepts writes again after failures. */
  recovered(): void;
}

/**
 * Wraps the pipeline as the tailer's sink. A batch whose transaction fails for an environmental reason
 * (disk full, lock, I/O) has rolled back together with its checkpoint; this waits and retries the same
 * batch, so the tailer simply sees a slow write (backpressure) instead of an exception that would kill it.
 * While stopping, a failing batch is dropped: its checkpoint was never committed, so the next start
 * re-reads those lines.
 */
export class GuardedSink implements BatchSink {
  /** When the write now running started (a hung write is a stalled pipeline); null when idle. */
  attemptStartedAt: number | null = null;
  /** Code of the failure the sink is backing off from, null when writes succeed. */
  failing: string | null = null;
  private closing = false;
  private wake?: () => void;

  constructor(
    private readonly inner: BatchSink,
    private readonly log: Logger,
    private readonly observer: SinkObserver,
    private readonly backoff = { initialMs: 500, maxMs: 30_000 },
  ) {}

  async write(batch: LineBatch): Promise<void> {
    let delay = this.backoff.initialMs;
    for (;;) {
      if (this.closing && this.failing) return;
      this.attemptStartedAt = Date.now();
      try {
        await this.inner.write(batch);
        this.attemptStartedAt = null;
        if (this.failing) {
          this.log.info({ after: this.failing }, 'database writable again; ingestion resumed from the checkpoint');
          this.failing = null;
          this.observer.recovered();
        }
        this.observer.committed(batch);
        return;
      } catch (err) {
        this.attemptStartedAt = null;
        if (!isTransientStoreError(err)) throw err;
        const code = (err as { code: string }).code;
        if (this.failing !== code) {
          this.log.error(
            { code, err: (err as Error).message, source: batch.source, hint: HINTS[code] ?? 'see the error; retrying' },
            'cannot commit batch; rolled back, will retry',
          );
        }
        this.failing = code;
        this.observer.failed(code, delay);
        if (this.closing) return;
        await new Promise<void>((resolve) => {
          const t = setTimeout(resolve, delay);
          this.wake = () => {
            clearTimeout(t);
            resolve();
          };
        });
        this.wake = undefined;
        delay = Math.min(delay * 2, this.backoff.maxMs);
      }
    }
  }

  /** Stop retrying (shutdown): a batch still failing is left to the next start. */
  close(): void {
    this.closing = true;
    this.wake?.();
  }
}
