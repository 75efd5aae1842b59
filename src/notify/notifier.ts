import type { Incident, IncidentChangeKind } from '../incidents/types.js';

export type NotificationKind = 'firing' | 'update' | 'reminder' | 'regression' | 'escalated' | 'resolved';

/** One message about one incident (stage interface incidents → notify). */
export interface Notification {
  kind: NotificationKind;
  incident: Incident;
  /** Events since the last notification about this incident. */
  newEvents: number;
  /** Epoch ms the notification was decided. */
  at: number;
}

/** An integration (console, Slack, email…). One folder per integration under src/notify/. */
export interface Notifier {
  readonly name: string;
  send(n: Notification): Promise<void>;
}

export function kindFromChange(kind: IncidentChangeKind): NotificationKind {
  switch (kind) {
    case 'opened':
      return 'firing';
    case 'regression':
      return 'regression';
    case 'escalated':
      return 'escalated';
    case 'resolved':
      return 'resolved';
    default:
      return 'update';
  }
}
