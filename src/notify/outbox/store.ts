import type { DB } from '../../store/db.js';

export type OutboxState = 'pending' | 'sent' | 'dead';

export interface OutboxRow {
  id: number;
  channel: string;
  target: string;
  incident_id: number | null;
  kind: string | null;
  payload: string;
  state: OutboxState;
  attempts: number;
  next_attempt_at: number;
  last_error: string | null;
  created_at: number;
  sent_at: number | null;
  last_status: number | null;
}

/** The durable queue between the dispatcher's decision and the channel's acceptance, for every channel. */
export class OutboxStore {
  private readonly insert;
  private readonly headStmt;
  private readonly targetsStmt;
  private readonly sentStmt;
  private readonly retryStmt;
  private readonly deadStmt;

  constructor(readonly db: DB) {
    this.insert = db.prepare(
      `INSERT INTO outbox (channel, target, incident_id, kind, payload, state, attempts, next_attempt_at, created_at)
       VALUES (@channel, @target, @incidentId, @kind, @payload, 'pending', 0, @now, @now)`,
    );
    this.headStmt = db.prepare(
      "SELECT * FROM outbox WHERE state = 'pending' AND channel = ? AND target = ? ORDER BY id LIMIT 1",
    );
    this.targetsStmt = db.prepare("SELECT DISTINCT channel, target FROM outbox WHERE state = 'pending'");
    // Prepared once: the worker writes one of these per delivery attempt.
    this.sentStmt = db.prepare("UPDATE outbox SET state = 'sent', sent_at = ?, attempts = attempts + 1, last_status = ?, last_error = NULL WHERE id = ?");
    this.retryStmt = db.prepare('UPDATE outbox SET attempts = attempts + 1, next_attempt_at = ?, last_status = ?, last_error = ? WHERE id = ?');
    this.deadStmt = db.prepare("UPDATE outbox SET state = 'dead', attempts = attempts + 1, last_status = ?, last_error = ? WHERE id = ?");
  }

  enqueue(r: { channel: string; target: string; incidentId: number | null; kind: string; payload: unknown }, now: number): number {
    return Number(
      this.insert.run({ channel: r.channel, target: r.target, incidentId: r.incidentId, kind: r.kind, payload: JSON.stringify(r.payload), now })
        .lastInsertRowid,
    );
  }

  /** Every (channel, target) with something queued. */
  pendingTargets(): { channel: string; target: string }[] {
    return this.targetsStmt.all() as { channel: string; target: string }[];
  }

  /** The oldest pending message of a target. Only the head is ever sent: order is kept per target. */
  head(channel: string, target: string): OutboxRow | undefined {
    return this.headStmt.get(channel, target) as OutboxRow | undefined;
  }

  markSent(id: number, status: number, now: number): void {
    this.sentStmt.run(now, status, id);
  }

  markRetry(id: number, next: number, status: number | null, error: string): void {
    this.retryStmt.run(next, status, error, id);
  }

  markDead(id: number, status: number | null, error: string): void {
    this.deadStmt.run(status, error, id);
  }

  /** Puts a message back in the queue now (after fixing the webhook). */
  retry(id: number, now: number): boolean {
    return (
      this.db
        .prepare("UPDATE outbox SET state = 'pending', attempts = 0, next_attempt_at = ?, last_error = NULL WHERE id = ? AND state != 'sent'")
        .run(now, id).changes > 0
    );
  }

  /** Forgets delivered messages older than `before` (dead ones stay until retried or pruned by hand). */
  prune(before: number): number {
    return this.db.prepare("DELETE FROM outbox WHERE state = 'sent' AND sent_at < ?").run(before).changes;
  }

  get(id: number): OutboxRow | undefined {
    return this.db.prepare('SELECT * FROM outbox WHERE id = ?').get(id) as OutboxRow | undefined;
  }

  list(opts: { state?: OutboxState; limit?: number } = {}): OutboxRow[] {
    const limit = opts.limit ?? 100;
    return opts.state
      ? (this.db.prepare('SELECT * FROM outbox WHERE state = ? ORDER BY id DESC LIMIT ?').all(opts.state, limit) as OutboxRow[])
      : (this.db.prepare('SELECT * FROM outbox ORDER BY id DESC LIMIT ?').all(limit) as OutboxRow[]);
  }

  counts(): Record<OutboxState, number> {
    const out: Record<OutboxState, number> = { pending: 0, sent: 0, dead: 0 };
    for (const r of this.db.prepare('SELECT state, COUNT(*) AS n FROM outbox GROUP BY state').all() as { state: OutboxState; n: number }[]) {
      out[r.state] = r.n;
    }
    return out;
  }
}
