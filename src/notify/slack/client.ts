import {
  IncomingWebhook,
  IncomingWebhookHTTPError,
  IncomingWebhookRequestError,
  type FetchFunction,
  type IncomingWebhookSendArguments,
} from '@slack/webhook';

import type { DeliveryResult } from '../notifier.js';

// Outcomes of one POST: ok on HTTP 200; retry on 429 (after `retryAfterMs`), 5xx, 408, time-outs and
// network errors; permanent (never succeeds as is) on 400 invalid_payload, 403, 404 no_service /
// channel_not_found, 410 channel_is_archived…

/** Retry-After is seconds or an HTTP date (RFC 9110 §10.2.3). */
export function parseRetryAfter(v: string | null, now = Date.now()): number | undefined {
  if (!v) return undefined;
  const s = v.trim();
  if (/^\d+(\.\d+)?$/.test(s)) return Math.round(Number(s) * 1000);
  const t = Date.parse(s);
  return Number.isNaN(t) ? undefined : Math.max(0, t - now);
}

/** A 429 without Retry-After waits this long. */
export const DEFAULT_RETRY_AFTER_MS = 30_000;

/**
 * Posts one payload with @slack/webhook 8. The package does the HTTP with an injectable
 * `fetch`, but it rejects 429 at once and its error keeps only status and body: the
 * Retry-After header is lost. So we hand it a fetch that notes the response's status and
 * headers before the package sees them, and turn off its own retries (the outbox retries,
 * durably). A fresh IncomingWebhook per call keeps that note private to the call.
 */
export class SlackClient {
  constructor(
    private readonly timeoutMs = 10_000,
    private readonly fetchImpl: typeof fetch = globalThis.fetch,
    /** Clock for Retry-After dates. */
    private readonly now: () => number = Date.now,
  ) {}

  async post(url: string, payload: IncomingWebhookSendArguments): Promise<DeliveryResult> {
    const res = await this.postRaw(url, payload);
    // Some fetch errors quote the URL (an invalid one, for instance); the URL is a secret.
    if (res.error) res.error = res.error.split(url).join('[webhook URL]');
    return res;
  }

  private async postRaw(url: string, payload: IncomingWebhookSendArguments): Promise<DeliveryResult> {
    let status = 0;
    let retryAfter: string | null = null;
    const noting: FetchFunction = async (u, init) => {
      const res = await this.fetchImpl(u, init as RequestInit);
      status = res.status;
      retryAfter = res.headers.get('retry-after');
      return res;
    };
    const hook = new IncomingWebhook(url, { fetch: noting, timeout: this.timeoutMs, retryConfig: { retries: 0 } });
    try {
      const res = await hook.send(payload);
      // "marked sent only on HTTP 200": another 2xx (a proxy's 204) proves nothing reached Slack.
      if (status === 200) return { ok: true, status: 200 };
      return { ok: false, status, error: `unexpected HTTP ${status}: ${res.text.slice(0, 200)}` };
    } catch (err) {
      if (err instanceof IncomingWebhookHTTPError) {
        const code = err.statusCode;
        const error = `HTTP ${code} ${err.body.slice(0, 200) || err.statusMessage}`.trim();
        if (code === 429) return { ok: false, status: code, retryAfterMs: parseRetryAfter(retryAfter, this.now()) ?? DEFAULT_RETRY_AFTER_MS, error };
        if (code >= 500 || code === 408) return { ok: false, status: code, error };
        return { ok: false, permanent: true, status: code, error };
      }
      if (err instanceof IncomingWebhookRequestError) {
        const o = err.original as Error & { cause?: { code?: string } };
        const why = o.name === 'TimeoutError' ? `timed out after ${this.timeoutMs}ms` : (o.cause?.code ?? o.message);
        return { ok: false, status, error: `request failed: ${why}` };
      }
      return { ok: false, status, error: `request failed: ${(err as Error).message}` };
    }
  }
}
