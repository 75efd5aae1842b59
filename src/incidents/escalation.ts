import { severityRank, type Escalation, type Severity } from '../classify/types.js';
import type { DB } from '../store/db.js';
import type { Incident } from './types.js';

/** Baseline windows a spike is compared against. */
export const SPIKE_BASELINE_WINDOWS = 6;
/** A spike needs at least this many events in its window: 2 → 6 is not worth a page. */
export const SPIKE_MIN_EVENTS = 10;

export interface EscalationResult {
  severity?: Severity;
  reason: string;
}

/**
 * Decides whether the events just recorded escalate the incident: by count in a window
 * (`threshold` → raise severity to `to`) or by a spike against the incident's own recent rate.
 * Windows are measured on event time, ending at the newest event.
 */
export class EscalationCheck {
  private readonly countStmt;

  constructor(db: DB) {
    this.countStmt = db.prepare('SELECT COUNT(*) AS n FROM events WHERE incident_id = ? AND ts > ? AND ts <= ?');
  }

  private count(id: number, from: number, to: number): number {
    return (this.countStmt.get(id, from, to) as { n: number }).n;
  }

  check(inc: Incident, esc: Escalation | undefined, newestTs: number, now: number): EscalationResult | null {
    if (!esc) return null;
    const w = esc.windowMs ?? 300_000;
    if (esc.threshold !== undefined && esc.to && severityRank(esc.to) > severityRank(inc.severity)) {
      const n = this.count(inc.id, newestTs - w, newestTs);
      if (n > esc.threshold) {
        return { severity: esc.to, reason: `${n} events in ${Math.round(w / 1000)}s > ${esc.threshold}` };
      }
    }
    if (esc.spikeFactor !== undefined) {
      // One spike page per window at most.
      if (inc.page_requested_at !== null && now - inc.page_requested_at < w) return null;
      const cur = this.count(inc.id, newestTs - w, newestTs);
      if (cur < SPIKE_MIN_EVENTS) return null;
      const base = this.count(inc.id, newestTs - w * (1 + SPIKE_BASELINE_WINDOWS), newestTs - w) / SPIKE_BASELINE_WINDOWS;
      // No history yet: the opening page already covers it.
      if (base <= 0) return null;
      if (cur >= esc.spikeFactor * base) {
        return { reason: `spike: ${cur} events in ${Math.round(w / 1000)}s vs ${base.toFixed(1)} usual (×${(cur / base).toFixed(1)})` };
      }
    }
    return null;
  }
}
