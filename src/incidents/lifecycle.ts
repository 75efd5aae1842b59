import type { DB } from '../store/db.js';
import type { Incident, IncidentChange } from './types.js';
import { recordAction } from './actions.js';

/** Where an operator's change came from (recorded in incident_actions). */
export interface Actor {
  via: 'cli' | 'web';
  comment?: string | null;
}

export class LifecycleError extends Error {}

/**
 * State changes that do not come from events: auto-resolve after the quiet period, and the
 * operator's ack/resolve. firing → acknowledged → resolved; a new event on a resolved
 * incident reopens it (IncidentStore.record).
 */
export class Lifecycle {
  private readonly quiet;
  private readonly resolveStmt;
  private readonly ackStmt;
  private readonly byId;

  constructor(
    readonly db: DB,
    private readonly defaultResolveAfterMs = 1_800_000,
  ) {
    this.quiet = db.prepare(
      `SELECT * FROM incidents WHERE state != 'resolved'
         AND COALESCE(last_event_at, updated_at) + COALESCE(resolve_after_ms, @def) <= @now`,
    );
    this.resolveStmt = db.prepare(
      `UPDATE incidents SET state = 'resolved', resolved_at = @now, resolved_by = @by, updated_at = @now
       WHERE id = @id AND state != 'resolved'`,
    );
    this.ackStmt = db.prepare(
      `UPDATE incidents SET state = 'acknowledged', acknowledged_at = @now, acknowledged_by = @by, updated_at = @now
       WHERE id = @id AND state = 'firing'`,
    );
    this.byId = db.prepare('SELECT * FROM incidents WHERE id = ?');
  }

  /** Resolves every incident quiet for its resolve_after (measured from when its last event was recorded). */
  resolveQuiet(now: number): IncidentChange[] {
    return this.db.transaction(() => {
      const out: IncidentChange[] = [];
      for (const inc of this.quiet.all({ now, def: this.defaultResolveAfterMs }) as Incident[]) {
        this.resolveStmt.run({ id: inc.id, now, by: 'auto' });
        out.push({ kind: 'resolved', incident: this.byId.get(inc.id) as Incident, added: 0 });
      }
      return out;
    })();
  }

  private need(id: number): Incident {
    const inc = this.byId.get(id) as Incident | undefined;
    if (!inc) throw new LifecycleError(`no incident #${id}`);
    return inc;
  }

  /** Stops reminders and updates; escalation, resolve and regression still page. */
  acknowledge(id: number, by: string | null, now: number, actor: Actor = { via: 'cli' }): Incident {
    const inc = this.need(id);
    if (inc.state === 'acknowledged') return inc;
    if (inc.state === 'resolved') throw new LifecycleError(`incident #${id} is resolved; nothing to acknowledge`);
    this.db.transaction(() => {
      this.ackStmt.run({ id, by, now });
      recordAction(this.db, { incident_id: id, silence_id: null, action: 'acknowledge', actor: by ?? 'unknown', via: actor.via, comment: actor.comment ?? null, at: now });
    })();
    return this.need(id);
  }

  resolve(id: number, by: string | null, now: number, actor: Actor = { via: 'cli' }): Incident {
    const inc = this.need(id);
    if (inc.state === 'resolved') return inc;
    this.db.transaction(() => {
      this.resolveStmt.run({ id, now, by: by ? `manual:${by}` : 'manual' });
      recordAction(this.db, { incident_id: id, silence_id: null, action: 'resolve', actor: by ?? 'unknown', via: actor.via, comment: actor.comment ?? null, at: now });
    })();
    return this.need(id);
  }
}

/** Reopened at least `threshold` times within `windowMs`: a flapping incident's regression/resolved pages are held. */
export function isFlapping(inc: Incident, now: number, threshold: number, windowMs: number): boolean {
  const recent = (JSON.parse(inc.reopens) as number[]).filter((t) => now - t < windowMs);
  return recent.length >= threshold;
}
