import type { Incident } from './types.js';

/** The JSON contract of `apiwatch incidents --json` (and of the generic webhook): these keys are stable. */
export function incidentJson(i: Incident) {
  return {
    id: i.id,
    ref: i.ref,
    rule: i.rule,
    category: i.category,
    severity: i.severity,
    state: i.state,
    title: i.title,
    method: i.method,
    endpoint: i.endpoint,
    appkey: i.appkey,
    status: i.status,
    error: i.error,
    count: i.count,
    first_seen: new Date(i.first_seen).toISOString(),
    last_seen: new Date(i.last_seen).toISOString(),
    last_description: i.last_description,
    hint: i.hint,
    fingerprint: i.fingerprint,
  };
}
