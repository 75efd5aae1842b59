import type { Logger } from '../../util/log.js';
import type { DeliveryResult } from '../slack/client.js';
import { OutboxStore, type OutboxRow } from './store.js';

export interface WorkerOptions {
  store: OutboxStore;
  channel: string;
  /** target name → URL. The URL lives only here, never in the database or a log line. */
  targets: Map<string, string>;
  post: (url: string, payload: unknown) => Promise<DeliveryResult>;
  log: Logger;
  now?: () => number;
  random?: () => number;
  /** Gap between two attempts on one webhook (Slack: about 1 message per second). */
  minIntervalMs?: number;
  /** Transient failures give up after the message is this old. */
  maxAgeMs?: number;
  backoffBaseMs?: number;
  backoffCapMs?: number;
  /** Longest a 429's Retry-After is believed. */
  maxRetryAfterMs?: number;
}

/**
 * Sends the outbox. Per target, only the head (oldest pending) message is tried, so a webhook
 * sees messages in the order they were decided; a message is marked sent only on HTTP 200, in
 * the database, right after the response. A crash between Slack's 200 and that commit is the one
 * way a message can be sent twice.
 */
export class OutboxWorker {
  private readonly now: () => number;
  private readonly random: () => number;
  private readonly lastAttempt = new Map<string, number>();
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | null = null;
  private again = false;
  private stopped = false;

  constructor(private readonly o: WorkerOptions) {
    this.now = o.now ?? Date.now;
    this.random = o.random ?? Math.random;
  }

  private get minInterval() {
    return this.o.minIntervalMs ?? 1000;
  }

  /** Exponential backoff with jitter (half fixed, half random), so retries of many daemons spread out. */
  backoff(attempts: number): number {
    const d = Math.min(this.o.backoffCapMs ?? 300_000, (this.o.backoffBaseMs ?? 1000) * 2 ** Math.min(attempts, 30));
    return Math.round(d / 2 + (this.random() * d) / 2);
  }

  /** Tries every target whose head is due once. Returns how many POSTs were made. */
  async pump(): Promise<number> {
    const jobs: Promise<void>[] = [];
    const now = this.now();
    for (const target of this.o.store.pendingTargets(this.o.channel)) {
      const head = this.o.store.head(this.o.channel, target);
      if (!head || head.next_attempt_at > now) continue;
      const last = this.lastAttempt.get(target);
      if (last !== undefined && now - last < this.minInterval) continue;
      jobs.push(this.attempt(head));
    }
    await Promise.all(jobs);
    return jobs.length;
  }

  private async attempt(row: OutboxRow): Promise<void> {
    const url = this.o.targets.get(row.target);
    if (!url) {
      this.o.store.markDead(row.id, null, `no webhook configured for target "${row.target}"`);
      this.o.log.error({ outbox: row.id, target: row.target }, 'slack message dead: unknown target');
      return;
    }
    this.lastAttempt.set(row.target, this.now());
    let res: DeliveryResult;
    try {
      res = await this.o.post(url, JSON.parse(row.payload));
    } catch (err) {
      res = { outcome: 'retry', status: null, error: (err as Error).message };
    }
    const now = this.now();
    this.lastAttempt.set(row.target, now);
    if (res.outcome === 'sent') {
      this.o.store.markSent(row.id, res.status, now);
      this.o.log.debug({ outbox: row.id, target: row.target, kind: row.kind }, 'slack message sent');
    } else if (res.outcome === 'permanent') {
      this.o.store.markDead(row.id, res.status, res.error);
      this.o.log.error({ outbox: row.id, target: row.target, status: res.status, error: res.error }, 'slack message dead (permanent error)');
    } else if (res.retryAfterMs !== undefined) {
      // A 429 is Slack asking us to wait, not a failure of the message: it never ages into the dead letters.
      const wait = Math.min(res.retryAfterMs, this.o.maxRetryAfterMs ?? 3_600_000);
      this.o.store.markRetry(row.id, now + wait, res.status, res.error);
      this.o.log.warn({ outbox: row.id, target: row.target, retryAfterMs: wait }, 'slack rate limited');
    } else if (now - row.created_at >= (this.o.maxAgeMs ?? 86_400_000)) {
      this.o.store.markDead(row.id, res.status, `gave up after ${row.attempts + 1} attempts: ${res.error}`);
      this.o.log.error({ outbox: row.id, target: row.target, error: res.error }, 'slack message dead (too old)');
    } else {
      const wait = this.backoff(row.attempts);
      this.o.store.markRetry(row.id, now + wait, res.status, res.error);
      this.o.log.warn({ outbox: row.id, target: row.target, status: res.status, error: res.error, retryInMs: wait }, 'slack delivery failed; will retry');
    }
  }

  /** When the next attempt could be due (ms from now), or null with nothing pending. */
  nextDueIn(): number | null {
    const now = this.now();
    let best: number | null = null;
    for (const target of this.o.store.pendingTargets(this.o.channel)) {
      const head = this.o.store.head(this.o.channel, target);
      if (!head) continue;
      const last = this.lastAttempt.get(target);
      const at = Math.max(head.next_attempt_at, last === undefined ? 0 : last + this.minInterval);
      best = best === null ? at - now : Math.min(best, at - now);
    }
    return best === null ? null : Math.max(0, best);
  }

  // --- real-time loop (the daemon) ---

  start(): void {
    this.stopped = false;
    this.kick();
  }

  /** New messages were queued: send now rather than at the next timer. */
  kick(): void {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.running = (async () => {
      do {
        this.again = false;
        try {
          await this.pump();
        } catch (err) {
          this.o.log.error({ err: (err as Error).message }, 'outbox pump failed');
        }
      } while (this.again && !this.stopped);
    })().finally(() => {
      this.running = null;
      this.schedule();
    });
  }

  private schedule(): void {
    if (this.stopped) return;
    const due = this.nextDueIn();
    // Re-check now and then even when idle: the CLI may re-queue a dead message from another process.
    const wait = due === null ? 5000 : Math.min(due, 5000);
    this.timer = setTimeout(() => this.kick(), wait);
    this.timer.unref?.();
  }

  /** Stops the loop and waits for a POST in flight to be recorded. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    if (this.running) await this.running;
  }
}
