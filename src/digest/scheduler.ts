import type { DB } from '../store/db.js';
import type { LoadedConfig } from '../config/load.js';
import type { Logger } from '../util/log.js';
import type { Mailer } from '../notify/email/transport.js';
import { classifySmtpError } from '../notify/email/errors.js';
import { buildDigest, digestTimezone } from './build.js';
import { makePeriod } from './period.js';
import { dueAt, planNext } from './schedule.js';

export type DigestState = 'pending' | 'sent' | 'dead' | 'skipped';

export interface DigestRow {
  id: number;
  period_key: string;
  from_date: string;
  to_date: string;
  timezone: string;
  period_start: number;
  period_end: number;
  state: DigestState;
  reason: string | null;
  attempts: number;
  next_attempt_at: number | null;
  last_error: string | null;
  subject: string | null;
  html: string | null;
  text: string | null;
  message_id: string | null;
  delivered_via: string | null;
  created_at: number;
  sent_at: number | null;
}

export interface DigestSchedulerOptions {
  db: DB;
  cfg: LoadedConfig;
  log: Logger;
  mailer: Mailer;
  now?: () => number;
  /** Retry back-off: first delay, doubled per attempt up to max. */
  retryMinMs?: number;
  retryMaxMs?: number;
}

function messageDomain(from: string | undefined): string {
  return /@([A-Za-z0-9.-]+)/.exec(from ?? '')?.[1] ?? 'apiwatch.local';
}

/**
 * Once a day, exactly once. `digests` is both the record of what was covered and the durable
 * outbox: a period's row is inserted (UNIQUE period_key) with the rendered message when the
 * period is due, then delivered with back-off until sent or dead. Restarts re-read the table,
 * so nothing is sent twice and a missed day becomes one catch-up on start.
 */
export class DigestScheduler {
  private readonly now: () => number;
  private readonly retryMin: number;
  private readonly retryMax: number;
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;

  constructor(private readonly opts: DigestSchedulerOptions) {
    this.now = opts.now ?? Date.now;
    this.retryMin = opts.retryMinMs ?? 30_000;
    this.retryMax = opts.retryMaxMs ?? 15 * 60_000;
  }

  private get db(): DB {
    return this.opts.db;
  }

  lastCovered(): string | null {
    const r = this.db.prepare('SELECT max(to_date) AS d FROM digests').get() as { d: string | null };
    return r.d;
  }

  /** Inserts the row for the period that is due now, if any. Returns it. */
  plan(): DigestRow | null {
    const { cfg, log } = this.opts;
    const now = this.now();
    const tz = digestTimezone(cfg);
    const next = planNext(this.lastCovered(), now, cfg.digest.at, tz, cfg.digest.max_catchup_days);
    if (next.kind === 'none') return null;
    const insert = this.db.prepare(
      `INSERT INTO digests (period_key, from_date, to_date, timezone, period_start, period_end, state, reason, attempts,
         next_attempt_at, subject, html, text, message_id, created_at)
       VALUES (@key, @from, @to, @tz, @start, @end, @state, @reason, 0, @next, @subject, @html, @text, @messageId, @now)
       ON CONFLICT(period_key) DO NOTHING`,
    );
    if (next.kind === 'baseline') {
      // First start: record where the history begins instead of mailing about days never watched.
      const p = makePeriod(next.date, next.date, tz);
      insert.run({
        key: p.key, from: p.fromDate, to: p.toDate, tz, start: p.start, end: p.end, state: 'skipped',
        reason: 'first start: history begins after this day', next: null, subject: null, html: null, text: null, messageId: null, now,
      });
      log.info({ period: p.key }, 'digest: first start, next digest covers the following day');
      return this.byKey(p.key) ?? null;
    }
    const { plan } = next;
    const r = buildDigest(this.db, cfg, plan, now, { droppedDays: plan.droppedDays, dueAt: dueAt(plan.toDate, cfg.digest.at, tz) });
    const quiet = r.data.total === 0;
    const skip = quiet && !cfg.digest.send_quiet;
    const messageId = `<apiwatch-digest-${plan.toDate}-${now}@${messageDomain(cfg.notify.email?.from)}>`;
    insert.run({
      key: r.period.key, from: plan.fromDate, to: plan.toDate, tz, start: r.period.start, end: r.period.end,
      state: skip ? 'skipped' : 'pending', reason: skip ? 'quiet day and digest.send_quiet is false' : null,
      next: skip ? null : now, subject: r.subject, html: r.html, text: r.text, messageId, now,
    });
    log.info({ from: plan.fromDate, to: plan.toDate, failed: r.data.total, skipped: skip }, 'digest: period closed');
    return this.byKey(r.period.key) ?? null;
  }

  byKey(key: string): DigestRow | undefined {
    return this.db.prepare('SELECT * FROM digests WHERE period_key = ?').get(key) as DigestRow | undefined;
  }

  /** Sends every pending digest whose next attempt is due. Returns how many were sent. */
  async deliver(): Promise<number> {
    const { log, mailer } = this.opts;
    const due = this.db
      .prepare("SELECT * FROM digests WHERE state = 'pending' AND next_attempt_at <= ? ORDER BY to_date")
      .all(this.now()) as DigestRow[];
    let sent = 0;
    for (const row of due) {
      const attempts = row.attempts + 1;
      try {
        const res = await mailer.send({
          subject: row.subject ?? '',
          html: row.html ?? '',
          text: row.text ?? '',
          messageId: row.message_id ?? undefined,
          fileBase: row.from_date === row.to_date ? row.to_date : `${row.from_date}..${row.to_date}`,
        });
        this.db
          .prepare("UPDATE digests SET state = 'sent', attempts = ?, sent_at = ?, delivered_via = ?, next_attempt_at = NULL WHERE id = ?")
          .run(attempts, this.now(), res.via, row.id);
        sent++;
        log.info({ period: row.period_key, via: res.via, detail: res.detail, attempts }, 'digest: sent');
        if (res.rejected.length) log.warn({ period: row.period_key, rejected: res.rejected }, 'digest: some recipients were refused');
      } catch (err) {
        const info = classifySmtpError(err);
        if (info.permanent) {
          this.db
            .prepare("UPDATE digests SET state = 'dead', attempts = ?, last_error = ?, next_attempt_at = NULL WHERE id = ?")
            .run(attempts, info.summary, row.id);
          log.error({ period: row.period_key, attempts, error: info.summary }, 'digest: permanently rejected, dead-lettered (resend with `apiwatch digest send --period`)');
        } else {
          const delay = Math.min(this.retryMax, this.retryMin * 2 ** Math.min(20, attempts - 1));
          const nextAt = this.now() + delay;
          this.db
            .prepare('UPDATE digests SET attempts = ?, last_error = ?, next_attempt_at = ? WHERE id = ?')
            .run(attempts, info.summary, nextAt, row.id);
          log.warn({ period: row.period_key, attempts, retry_in_ms: delay, error: info.summary }, 'digest: send failed, will retry');
        }
      }
    }
    return sent;
  }

  /** One scheduling step; overlapping calls share the running one. */
  tick(): Promise<void> {
    if (this.running) return this.running;
    this.running = (async () => {
      try {
        this.plan();
        await this.deliver();
      } catch (err) {
        this.opts.log.error({ err: (err as Error).message }, 'digest: scheduler step failed');
      } finally {
        this.running = null;
      }
    })();
    return this.running;
  }

  /** Runs a step now (the catch-up on start) and then every `intervalMs`. */
  start(intervalMs = 15_000): void {
    void this.tick();
    this.timer = setInterval(() => void this.tick(), intervalMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.running;
    this.opts.mailer.close();
  }
}
