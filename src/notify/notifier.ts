import type { Incident } from '../incidents/types.js';
import type { Severity } from '../classify/types.js';

export type NotificationKind = 'firing' | 'update' | 'reminder' | 'regression' | 'escalated' | 'acknowledged' | 'resolved';

/** One message about one incident (stage interface incidents → notify). */
export interface Notification {
  kind: NotificationKind;
  incident: Incident;
  /** Events since the last notification about this incident. */
  newEvents: number;
  /** Epoch ms the notification was decided. */
  at: number;
  /** Events per minute over the last 5 minutes, when known. */
  rate?: number;
  /** Why an escalation/spike paged, or other context for the message. */
  reason?: string | null;
  /** The incident is flapping: further flips will not page until it settles. */
  flapping?: boolean;
}

/** An integration (console, Slack, email…). One folder per integration under src/notify/. */
export interface Notifier {
  readonly name: string;
  send(n: Notification): Promise<void>;
  /**
   * Durable integrations (Slack via the outbox) queue synchronously inside the dispatcher's
   * transaction, so a page is recorded as decided only together with its queued message.
   */
  enqueue?(n: Notification): void;
  /** Lowest severity this integration pages for (resolved notices follow their firing page). */
  readonly minSeverity?: Severity;
}
