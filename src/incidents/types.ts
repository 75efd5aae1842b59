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
}

export type IncidentChangeKind = 'opened' | 'updated' | 'regression' | 'escalated' | 'resolved';

/** What a committed batch did to one incident (stage interface incidents → notify). */
export interface IncidentChange {
  kind: IncidentChangeKind;
  incident: Incident;
  /** Events added to the incident by this batch. */
  added: number;
}
