import { atLeast, type Severity } from '../classify/types.js';
import type { Incident } from '../incidents/types.js';
import type { NotificationKind } from './notifier.js';

/** Alertmanager's three timers, and what we add to them. All ms. */
export interface PagingPolicy {
  /** Wait after an incident opens (or reopens) so a burst goes out as one message. */
  groupWait: number;
  /** Minimum gap between updates about an incident already paged. */
  groupInterval: number;
  /** Reminder while still firing and nothing else was sent. */
  repeatInterval: number;
  /** An update needs the count to have grown by this factor since the last page. */
  updateFactor: number;
  /** Lowest severity that pages at all. */
  minSeverity: Severity;
}

export const DEFAULT_POLICY: PagingPolicy = {
  groupWait: 10_000,
  groupInterval: 300_000,
  repeatInterval: 14_400_000,
  updateFactor: 2,
  minSeverity: 'error',
};

/** What was last paged about an incident (table incident_notify). */
export interface NotifyState {
  incident_id: number;
  epoch: number;
  first_paged_at: number;
  last_paged_at: number;
  last_count: number;
  last_severity: Severity;
  last_kind: NotificationKind;
  pages: number;
  flapping_since: number | null;
}

export interface Context {
  now: number;
  policy: PagingPolicy;
  /** Why pages are held (silence/maintenance), or null. */
  mutedBy: string | null;
  flapping: boolean;
}

export type Decision =
  | { action: 'page'; kind: NotificationKind }
  /** Record the incident as closed without a message (no resolved notice wanted). */
  | { action: 'close' }
  | null;

/** Resolved notices default on for critical and error, unless the rule says otherwise. */
export function wantsResolved(inc: Incident): boolean {
  return inc.notify_resolved === null ? atLeast(inc.severity, 'error') : inc.notify_resolved === 1;
}

/**
 * The paging decision for one incident at `now`, from its row and what was last paged.
 * Pure: the dispatcher supplies the clock, so timers are tested without sleeping.
 */
export function decide(inc: Incident, ns: NotifyState | undefined, c: Context): Decision {
  const p = c.policy;
  if (inc.state === 'resolved') {
    if (!ns || ns.last_kind === 'resolved') return null;
    // Hysteresis: a flapping incident's resolution waits until it has stayed resolved for the flap window.
    if (c.flapping) return null;
    if (c.mutedBy || !wantsResolved(inc) || !atLeast(inc.severity, p.minSeverity)) return { action: 'close' };
    return { action: 'page', kind: 'resolved' };
  }
  if (c.mutedBy || !atLeast(inc.severity, p.minSeverity)) return null;

  const newCycle = !ns || ns.epoch !== inc.epoch || ns.last_kind === 'resolved';
  // Flapping and already told so: reopenings no longer page; it is treated as one long incident.
  const quietFlap = c.flapping && ns !== undefined && ns.flapping_since !== null;
  if (newCycle && !quietFlap) {
    if (c.now < (inc.epoch_started_at ?? inc.created_at) + p.groupWait && inc.page_requested_at === null) return null;
    if (inc.epoch > 0) return { action: 'page', kind: 'regression' };
    return { action: 'page', kind: inc.escalated_at !== null ? 'escalated' : 'firing' };
  }
  const last = ns!;
  if (inc.page_requested_at !== null && inc.page_requested_at > last.last_paged_at) return { action: 'page', kind: 'escalated' };
  if (inc.state === 'acknowledged') {
    // Tell the channel once who took it, so nobody else starts on it.
    if (last.last_kind !== 'acknowledged' && inc.acknowledged_at !== null && inc.acknowledged_at >= last.last_paged_at) {
      return { action: 'page', kind: 'acknowledged' };
    }
    return null;
  }
  const since = c.now - last.last_paged_at;
  if (since >= p.groupInterval && inc.count > last.last_count && inc.count >= last.last_count * p.updateFactor) {
    return { action: 'page', kind: 'update' };
  }
  if (since >= p.repeatInterval) return { action: 'page', kind: 'reminder' };
  return null;
}
