import type { DB } from '../store/db.js';
import type { Incident } from '../incidents/types.js';
import { IncidentStore } from '../incidents/store.js';
import type { Muter } from '../incidents/silences.js';
import type { Notification, Notifier } from './notifier.js';
import { OutboxStore } from './outbox/store.js';

/**
 * After an incident resolves, its resolve is pushed again for this long, every resend interval, so a
 * receiver that was down at the moment of resolution still learns it (Prometheus keeps resolved
 * alerts for 15 minutes, rules/alerting.go resolvedRetention).
 */
export const RESOLVED_RETENTION_MS = 15 * 60_000;

type PushState = 'firing' | 'resolved';
type Row = Incident & { rs_state: PushState; rs_epoch: number };

/**
 * The resend stage for channels with `resendIntervalMs` (Alertmanager), run in the dispatcher's
 * transaction after its decisions. It pushes again what the channel was told is firing, pushes a
 * resolve as soon as the incident resolves (also when the paging policy sends no resolved notice),
 * and repeats resolves for RESOLVED_RETENTION_MS. The paging policy (group_wait, repeat_interval)
 * still decides the first push: the resend only keeps the receiver's view alive.
 */
export class Resender {
  private readonly markStmt;
  private readonly dueStmt;
  private readonly pendingStmt;
  private readonly pruneStmt;
  private readonly outbox: OutboxStore;
  private readonly incidents: IncidentStore;
  /** When each channel's rows were last pruned. */
  private readonly prunedAt = new Map<string, number>();

  constructor(
    db: DB,
    private readonly muter: Muter,
  ) {
    this.outbox = new OutboxStore(db);
    this.incidents = new IncidentStore(db);
    this.markStmt = db.prepare(
      `INSERT INTO notify_resend (channel, incident_id, epoch, state, last_sent_at) VALUES (@channel, @id, @epoch, @state, @now)
       ON CONFLICT(channel, incident_id) DO UPDATE SET epoch = excluded.epoch, state = excluded.state, last_sent_at = excluded.last_sent_at`,
    );
    this.dueStmt = db.prepare(
      `SELECT i.*, r.state AS rs_state, r.epoch AS rs_epoch FROM notify_resend r JOIN incidents i ON i.id = r.incident_id
       WHERE r.channel = @channel AND (
         (i.state != 'resolved' AND r.state = 'firing' AND r.epoch = i.epoch AND r.last_sent_at <= @now - @every)
         OR (i.state = 'resolved' AND r.state = 'firing')
         OR (i.state = 'resolved' AND r.state = 'resolved' AND r.last_sent_at <= @now - @every AND i.resolved_at > @now - @retention))
       ORDER BY i.id`,
    );
    // The newest queued push of the same kind (firing or resolve) still waiting for this target.
    this.pendingStmt = db.prepare(
      `UPDATE outbox SET payload = @payload WHERE id = (
         SELECT MAX(id) FROM outbox WHERE incident_id = @id AND state = 'pending' AND channel = @channel AND target = @target)
       AND (kind = 'resolved') = @resolved`,
    );
    this.pruneStmt = db.prepare(
      `DELETE FROM notify_resend WHERE channel = @channel AND (
         incident_id NOT IN (SELECT id FROM incidents)
         OR (state = 'resolved' AND last_sent_at <= @now - @retention - @every))`,
    );
  }

  /**
   * Queues a re-sending channel's messages for one notification and starts its resend clock. A push
   * still queued for a target (its receiver is down) is brought up to date instead of queueing
   * another: the receiver needs only the newest state, and its queue stays one row per incident.
   */
  push(notifier: Notifier, n: Notification, kind: string, now: number): number {
    const resolved = n.kind === 'resolved';
    let queued = 0;
    for (const m of notifier.render(n)) {
      const payload = JSON.stringify(m.payload);
      if (this.pendingStmt.run({ id: n.incident.id, channel: notifier.name, target: m.target, resolved: resolved ? 1 : 0, payload }).changes) continue;
      this.outbox.enqueue({ channel: notifier.name, target: m.target, incidentId: n.incident.id, kind, payload: m.payload }, now);
      queued++;
    }
    this.markStmt.run({ channel: notifier.name, id: n.incident.id, epoch: n.incident.epoch, state: resolved ? 'resolved' : 'firing', now });
    return queued;
  }

  /** Queues every push that is due; returns how many outbox rows were added. */
  run(notifiers: readonly Notifier[], now: number): number {
    let queued = 0;
    for (const notifier of notifiers) {
      const every = notifier.resendIntervalMs;
      if (!every) continue;
      const params = { channel: notifier.name, now, every, retention: RESOLVED_RETENTION_MS };
      for (const r of this.dueStmt.all(params) as Row[]) {
        const inc = strip(r);
        const resolved = inc.state === 'resolved';
        // A silence or maintenance window stops the pushes: Alertmanager then ends the alert by itself.
        if (!resolved && this.muter.mutedBy(inc, now)) continue;
        const n: Notification = { kind: resolved ? 'resolved' : 'reminder', incident: inc, newEvents: 0, at: now, sources: this.incidents.recentSources(inc.id) };
        queued += this.push(notifier, n, resolved ? 'resolved' : 'resend', now);
      }
      // Forgetting rows is housekeeping: once a resend interval is enough, not on every tick.
      if (now - (this.prunedAt.get(notifier.name) ?? -Infinity) >= every) {
        this.pruneStmt.run(params);
        this.prunedAt.set(notifier.name, now);
      }
    }
    return queued;
  }
}

function strip(r: Row): Incident {
  const { rs_state: _s, rs_epoch: _e, ...inc } = r;
  return inc as Incident;
}
