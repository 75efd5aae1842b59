/**
 * What one delivery attempt came to. Same shape as the notifier contract's DeliveryResult
 * (notify/notifier.ts), which the OutboxWorker acts on.
 */
export interface DeliveryResult {
  ok: boolean;
  /** HTTP status (0 when there was no response). */
  status: number;
  /** Wait this long before the next attempt on this target (a 429, a bot's rate-limit code). */
  retryAfterMs?: number;
  /** Never retry: dead-letter now, with an error that names the setting to fix. */
  permanent?: boolean;
  /** Short, secret-free text for logs and outbox.last_error. */
  error?: string;
}
