/**
 * Consecutive failures of a periodic job (the dispatcher tick): one failure is noise, a run of
 * them means nothing can page. The daemon's health check reads it.
 */
export class FailureStreak {
  failures = 0;
  since: number | null = null;
  lastError: string | null = null;

  constructor(private readonly now: () => number = Date.now) {}

  ok(): void {
    this.failures = 0;
    this.since = null;
    this.lastError = null;
  }

  failed(err: unknown): void {
    if (this.failures === 0) this.since = this.now();
    this.failures++;
    this.lastError = (err as Error)?.message ?? String(err);
  }
}
