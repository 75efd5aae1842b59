import { bodyCode, httpVerdict, type HttpAnswer } from '../chat/http.js';
import type { DeliveryResult } from '../notifier.js';

/** WeCom answers HTTP 200 with `{"errcode":…,"errmsg":…}`; 0 is the only success. */
export const WECOM_ERR = {
  ok: 0,
  busy: -1,
  /** "api freq out of limit": more than 20 messages a minute to this bot. */
  rateLimited: 45009,
  /** "invalid webhook url": the key is wrong or the bot was removed. */
  invalidWebhook: 93000,
  /** "invalid Request Parameter", e.g. "markdown.content exceed max length 4096". */
  invalidParameter: 40058,
} as const;

/** The limit is per minute; after 45009 the next minute is a clean window. */
export const RATE_LIMIT_WAIT_MS = 60_000;

export function interpretWecom(a: HttpAnswer, now: number): DeliveryResult {
  const http = httpVerdict(a, now, 'check notify.wecom.webhook_url');
  if (http) return http;
  const status = a.status;
  const c = bodyCode('body' in a ? a.body : '', 'errcode');
  if (!c) return { ok: false, status, error: `HTTP ${status} without a WeCom errcode (a proxy in the way?)` };
  const what = `errcode ${c.code} ${c.msg}`.trim();
  switch (c.code) {
    case WECOM_ERR.ok:
      return { ok: true, status };
    case WECOM_ERR.busy:
      return { ok: false, status, error: what };
    case WECOM_ERR.rateLimited:
      return { ok: false, status, retryAfterMs: RATE_LIMIT_WAIT_MS, error: `${what} (WeCom allows 20 messages a minute per bot)` };
    case WECOM_ERR.invalidWebhook:
      return { ok: false, status, permanent: true, error: `${what} — fix notify.wecom.webhook_url: the bot's key is wrong or the bot was removed from the group` };
    default:
      // Any other code is a message WeCom will never accept as it is; retrying would block the queue.
      return { ok: false, status, permanent: true, error: `${what} — WeCom rejected the message` };
  }
}
