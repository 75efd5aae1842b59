import { incidentJson } from '../../incidents/json.js';
import type { Notification } from '../notifier.js';

/** Bumped if a field changes meaning; receivers can branch on it. */
export const PAYLOAD_VERSION = 1;

/**
 * The generic webhook's JSON: the same fields as `incidents --json`, plus what this message is
 * (`kind`), both hints, and the notification's own facts. `dedup_key` is the same on every
 * delivery attempt of one notification, so a receiver can drop the rare duplicate.
 */
export function webhookPayload(n: Notification) {
  const i = n.incident;
  return {
    version: PAYLOAD_VERSION,
    ...incidentJson(i),
    kind: n.kind,
    hint: i.hint,
    hint_zh: i.hint_zh,
    dedup_key: `apiwatch:${i.id}:${i.epoch}:${n.kind}:${n.at}`,
    notified_at: new Date(n.at).toISOString(),
    new_events: n.newEvents,
    rate_per_minute: n.rate ?? null,
    reason: n.reason ?? null,
    flapping: Boolean(n.flapping),
    acknowledged_by: i.acknowledged_by,
    regressions: i.regressions,
  };
}

export type WebhookPayload = ReturnType<typeof webhookPayload>;
