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
  /** Where its newest events came from (files, HTTP origins `host:file`), newest first. */
  sources?: string[];
}

/** What one delivery attempt came to. Every channel answers in these terms; the OutboxWorker acts on them. */
export interface DeliveryResult {
  ok: boolean;
  /** HTTP status (0 when there was no response). */
  status: number;
  /**
   * Wait this long before the next attempt on this target (429 Retry-After, a bot's rate-limit errcode).
   * Not an error: it does not grow the error backoff.
   */
  retryAfterMs?: number;
  /**
   * Never retry: dead-letter now (bad token, sign mismatch, keyword/IP not allowed, a dead webhook) with an
   * error that names the setting to fix.
   */
  permanent?: boolean;
  /** Short, secret-free text for logs and outbox.last_error. */
  error?: string;
}

/** One queued message: a target NAME (a route, a bot; never its URL or key) and the JSON payload for it. */
export interface OutboxMessage {
  target: string;
  payload: unknown;
}

/** Messages per target the channel accepts; the OutboxWorker spaces attempts to stay under both. */
export interface ChannelRate {
  perMinute?: number;
  perSecond?: number;
}

/**
 * A channel (console, Slack, WeCom, DingTalk, Feishu, webhook, Alertmanager…), one folder per channel
 * under src/notify/. Every channel goes through the outbox: `render` runs inside the dispatcher's
 * transaction, which inserts one outbox row per message together with the paging decision; `deliver`
 * is called by the OutboxWorker only.
 */
export interface Notifier {
  /** Outbox channel name: 'console' | 'slack' | 'wecom' | 'dingtalk' | 'feishu' | 'webhook' | 'alertmanager' … */
  readonly name: string;
  /** Lowest severity this channel pages for (resolved notices follow their firing page). */
  readonly minSeverity: Severity;
  /** Per-target pacing the OutboxWorker enforces (Slack ~1/s; WeCom/DingTalk 20/min; Feishu 100/min and 5/s). */
  readonly rate: ChannelRate;
  /**
   * Pure and synchronous: the messages this notification becomes — target names, JSON-serialisable
   * payloads, redacted and escaped for the channel's markup. [] = not for this channel (severity, route).
   */
  render(n: Notification): OutboxMessage[];
  /** Delivers one queued payload (sign here: signatures carry a fresh timestamp). The target → URL/secret map lives in the notifier. */
  deliver(target: string, payload: unknown): Promise<DeliveryResult>;
  /**
   * Set by channels whose receiver forgets an alert that is not re-sent (Alertmanager): the dispatcher
   * pushes every open incident this channel paged again after this long, and a resolve even when the
   * paging policy sends no resolved notice (src/notify/resend.ts).
   */
  readonly resendIntervalMs?: number;
  /** Lets background work wind down (called when a reload replaces the notifier and at shutdown). */
  close?(): Promise<void>;
}

/** The gap the OutboxWorker keeps between two attempts on one target of a channel with this rate. */
export function minIntervalMs(rate: ChannelRate): number {
  const perSecond = rate.perSecond && rate.perSecond > 0 ? 1000 / rate.perSecond : 0;
  const perMinute = rate.perMinute && rate.perMinute > 0 ? 60_000 / rate.perMinute : 0;
  return Math.ceil(Math.max(perSecond, perMinute));
}
