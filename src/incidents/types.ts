import type { Category, Severity } from '../classify/types.js';

export type IncidentState = 'firing' | 'acknowledged' | 'resolved';

/** An incident row: one per fingerprint. Times are epoch ms. */
export interface Incident {
  id: number;
  fingerprint: string;
  ref: string | null;
  rule: string | null;
  category: Category;
  severity: Severity;
  title: string;
  hint: string;
  hint_zh: string;
  method: string | null;
  endpoint: string | null;
  appkey: string | null;
  status: number | null;
  error: string | null;
  state: IncidentState;
  count: number;
  first_seen: number;
  last_seen: number;
  last_description: string | null;
  last_source: string | null;
  last_host: string | null;
  created_at: number;
  updated_at: number;
  /** Paging cycle: 0 when opened, +1 on each regression. */
  epoch: number;
  /** Wall ms the current cycle opened (group_wait runs from here). */
  epoch_started_at: number | null;
  /** Wall ms the last event was recorded (the quiet period runs from here). */
  last_event_at: number | null;
  resolve_after_ms: number | null;
  /** 1/0 as the rule says; null: default (on for critical and error). */
  notify_resolved: number | null;
  /** Severity before escalation. */
  base_severity: Severity | null;
  escalated_at: number | null;
  /** Set by escalation or a spike: page now, whatever group_interval says. */
  page_requested_at: number | null;
  page_reason: string | null;
  /** JSON array of wall ms of recent regressions. */
  reopens: string;
  acknowledged_at: number | null;
  acknowledged_by: string | null;
  resolved_at: number | null;
  resolved_by: string | null;
  regressions: number;
}

export type IncidentChangeKind = 'opened' | 'updated' | 'regression' | 'escalated' | 'resolved';

/** What a committed batch did to one incident (stage interface incidents → notify). */
export interface IncidentChange {
  kind: IncidentChangeKind;
  incident: Incident;
  /** Events added to the incident by this batch. */
  added: number;
}
