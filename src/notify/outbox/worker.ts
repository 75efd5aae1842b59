import type { Logger } from '../../util/log.js';
import { minIntervalMs, type DeliveryResult, type Notifier } from '../notifier.js';
import { OutboxStore, type OutboxRow } from './store.js';

export type DeliveryOutcome = 'sent' | 'retry' | 'dead';

export interface WorkerOptions {
  store: OutboxStore;
  /** The channels to deliver for; a reload swaps them with setNotifiers(). */
  notifiers: Notifier[];
  log: Logger;
  now?: () => number;
  random?: () => number;
  /** Transient failures give up after the message is this old (429s never age out). */
  maxAgeMs?: number;
  backoffBaseMs?: number;
  /** Longest wait after an error, however long the outage (then the backlog drains at the rate limit). */
  backoffCapMs?: number;
  /** Longest a 429's Retry-After is believed. */
  maxRetryAfterMs?: number;
  /** Counts each attempt's outcome, per channel (apiwatch_notifications_total). */
  onResult?: (channel: string, result: DeliveryOutcome) => void;
}

export const BACKOFF = { baseMs: 1000, capMs: 60_000 } as const;
/** Re-check the table now and then even when idle: the CLI may re-queue a dead message from another process. */
const IDLE_RECHECK_MS = 5000;
const DEFAULT_MAX_AGE_MS = 86_400_000;
const DEFAULT_MAX_RETRY_AFTER_MS = 3_600_000;

const keyOf = (channel: string, target: string) => `${channel}\u0000${target}`;

/**
 * Delivers the outbox, for every channel. Per target only the head (oldest pending) message is
 * tried, one at a time, so a target sees messages in the order they were decided and at most one
 * is in flight; a message is marked sent in the database right after the channel accepted it. A
 * crash between the receiver's acceptance and that commit is the one way a message goes out twice.
 *
 * Pacing and retry are per target: attempts are spaced by the channel's rate; a 429 waits exactly
 * its Retry-After and leaves the error backoff alone; errors back off exponentially up to
 * backoffCapMs, and the first success resets it, so a backlog drains at the rate limit.
 */
export class OutboxWorker {
  private readonly now: () => number;
  private readonly random: () => number;
  private notifiers = new Map<string, Notifier>();
  /** When each target may be tried next by its rate (start of the last attempt + interval). */
  private readonly pacedUntil = new Map<string, number>();
  /** Errors in a row per target (429s are not errors); reset by a success. */
  private readonly errorStreak = new Map<string, number>();
  private readonly inflight = new Map<string, Promise<void>>();
  private timer: NodeJS.Timeout | undefined;
  private timerAt = Infinity;
  private running = false;

  constructor(private readonly o: WorkerOptions) {
    this.now = o.now ?? Date.now;
    this.random = o.random ?? Math.random;
    this.setNotifiers(o.notifiers);
  }

  /** Swaps the channels (reload). Attempts in flight finish with the notifier they started with. */
  setNotifiers(list: Notifier[]): void {
    this.notifiers = new Map(list.map((n) => [n.name, n]));
  }

  /** Exponential backoff with jitter (half fixed, half random), so retries of many daemons spread out. */
  backoff(errors: number): number {
    const cap = this.o.backoffCapMs ?? BACKOFF.capMs;
    const d = Math.min(cap, (this.o.backoffBaseMs ?? BACKOFF.baseMs) * 2 ** Math.min(Math.max(0, errors - 1), 30));
    return Math.round(d / 2 + (this.random() * d) / 2);
  }

  /** How many deliveries are under way. */
  get inFlight(): number {
    return this.inflight.size;
  }

  /** Starts an attempt on every target whose head is due and paced; returns them. */
  private launchDue(): Promise<void>[] {
    const jobs: Promise<void>[] = [];
    for (const { channel, target } of this.o.store.pendingTargets()) {
      const job = this.launch(channel, target);
      if (job) jobs.push(job);
    }
    return jobs;
  }

  /** Starts the head of one target if it is due, not in flight and paced; else notes when it will be. */
  private launch(channel: string, target: string): Promise<void> | null {
    const key = keyOf(channel, target);
    if (this.inflight.has(key)) return null;
    const head = this.o.store.head(channel, target);
    if (!head) return null;
    const due = Math.max(head.next_attempt_at, this.pacedUntil.get(key) ?? 0);
    if (due > this.now()) {
      this.wakeAt(due);
      return null;
    }
    const job = this.attempt(key, head).finally(() => {
      this.inflight.delete(key);
      // Go on with this target's next message at once (paced), without rescanning every target.
      if (this.running) this.guard(() => this.launch(channel, target));
    });
    this.inflight.set(key, job);
    return job;
  }

  /** Tries every target whose head is due once and waits for those attempts. Returns how many were made. */
  async pump(): Promise<number> {
    const jobs = this.launchDue();
    await Promise.all(jobs);
    return jobs.length;
  }

  private async attempt(key: string, row: OutboxRow): Promise<void> {
    const notifier = this.notifiers.get(row.channel);
    if (!notifier) {
      this.record(() => this.o.store.markDead(row.id, null, `no "${row.channel}" channel is configured (notify.${row.channel})`));
      this.o.onResult?.(row.channel, 'dead');
      this.o.log.error({ outbox: row.id, channel: row.channel, target: row.target }, 'notification dead: its channel is not configured');
      return;
    }
    const started = this.now();
    const gap = minIntervalMs(notifier.rate);
    if (gap > 0) this.pacedUntil.set(key, started + gap);
    let res: DeliveryResult;
    try {
      res = await notifier.deliver(row.target, JSON.parse(row.payload));
    } catch (err) {
      res = { ok: false, status: 0, error: `delivery failed: ${(err as Error).message}` };
    }
    const now = this.now();
    const status = res.status || null;
    const error = res.error ?? `HTTP ${res.status}`;
    const ctx = { outbox: row.id, channel: row.channel, target: row.target, kind: row.kind };
    let outcome: DeliveryOutcome;
    if (res.ok) {
      this.errorStreak.delete(key);
      this.record(() => this.o.store.markSent(row.id, res.status, now));
      outcome = 'sent';
      this.o.log.debug(ctx, 'notification sent');
    } else if (res.permanent) {
      this.record(() => this.o.store.markDead(row.id, status, error));
      outcome = 'dead';
      this.o.log.error({ ...ctx, status, error }, 'notification dead (permanent error)');
    } else if (res.retryAfterMs !== undefined) {
      // The receiver asks us to wait: not a failure of the message, so it neither grows the backoff nor ages into the dead letters.
      const wait = Math.max(0, Math.min(res.retryAfterMs, this.o.maxRetryAfterMs ?? DEFAULT_MAX_RETRY_AFTER_MS));
      this.record(() => this.o.store.markRetry(row.id, now + wait, status, error));
      outcome = 'retry';
      this.o.log.warn({ ...ctx, retryAfterMs: wait }, 'notification rate limited');
    } else if (now - row.created_at >= (this.o.maxAgeMs ?? DEFAULT_MAX_AGE_MS)) {
      this.record(() => this.o.store.markDead(row.id, status, `gave up after ${row.attempts + 1} attempts: ${error}`));
      outcome = 'dead';
      this.o.log.error({ ...ctx, error }, 'notification dead (too old)');
    } else {
      const errors = (this.errorStreak.get(key) ?? 0) + 1;
      this.errorStreak.set(key, errors);
      const wait = this.backoff(errors);
      this.record(() => this.o.store.markRetry(row.id, now + wait, status, error));
      outcome = 'retry';
      this.o.log.warn({ ...ctx, status, error, retryInMs: wait }, 'delivery failed; will retry');
    }
    this.o.onResult?.(row.channel, outcome);
  }

  /** Writes an outcome; after shutdown closed the database a late answer is dropped (the row stays pending). */
  private record(write: () => void): void {
    if (!this.o.store.db.open) return;
    write();
  }

  /** When the next attempt could be due (ms from now), or null with nothing pending (tests step a fake clock by it). */
  nextDueIn(): number | null {
    const now = this.now();
    let best: number | null = null;
    for (const { channel, target } of this.o.store.pendingTargets()) {
      const key = keyOf(channel, target);
      if (this.inflight.has(key)) continue;
      const head = this.o.store.head(channel, target);
      if (!head) continue;
      const at = Math.max(head.next_attempt_at, this.pacedUntil.get(key) ?? 0);
      best = best === null ? at - now : Math.min(best, at - now);
    }
    return best === null ? null : Math.max(0, best);
  }

  // --- real-time loop (the daemon) ---

  start(): void {
    this.running = true;
    this.kick();
  }

  /** New messages were queued (or the timer fired): start whatever is due now. */
  kick(): void {
    if (!this.running) return;
    this.clearTimer();
    this.guard(() => this.launchDue());
    this.wakeAt(this.now() + IDLE_RECHECK_MS);
  }

  private guard(fn: () => unknown): void {
    try {
      fn();
    } catch (err) {
      if (this.o.store.db.open) this.o.log.error({ err: (err as Error).message }, 'outbox pump failed');
    }
  }

  /** Keeps one timer, at the earliest time something may become due. */
  private wakeAt(at: number): void {
    if (!this.running || at >= this.timerAt) return;
    this.clearTimer();
    this.timerAt = at;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.timerAt = Infinity;
      this.kick();
    }, Math.max(0, at - this.now()));
    this.timer.unref?.();
  }

  private clearTimer(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.timerAt = Infinity;
  }

  /**
   * Stops starting deliveries and waits up to `graceMs` for those in flight to be recorded.
   * Returns how many were still in flight when the grace ran out (they stay pending and go at the next start).
   */
  async stop(graceMs = Infinity): Promise<number> {
    this.running = false;
    this.clearTimer();
    if (!this.inflight.size) return 0;
    let timer: NodeJS.Timeout | undefined;
    const all = Promise.allSettled([...this.inflight.values()]).then(() => true);
    const done = Number.isFinite(graceMs) ? await Promise.race([all, new Promise<boolean>((r) => (timer = setTimeout(() => r(false), graceMs)))]) : await all;
    clearTimeout(timer);
    return done ? 0 : this.inflight.size;
  }
}
