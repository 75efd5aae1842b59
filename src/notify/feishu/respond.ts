import { bodyCode, httpVerdict, type HttpAnswer } from '../chat/http.js';
import type { DeliveryResult } from '../notifier.js';

/** Feishu answers `{"code":…,"msg":…}` (older bots: StatusCode/StatusMessage); 0 is success. */
export const FEISHU_ERR = {
  ok: 0,
  /** "Bad Request": body not a valid message, or over 20 KB. */
  badRequest: 9499,
  /** Rate limited (100/min, 5/s per bot; also system pressure at :00 and :30). */
  rateLimited: 11232,
  /** "param invalid: incoming webhook access token invalid". */
  tokenInvalid: 19001,
  /** "sign match fail or timestamp is not within one hour from current time". */
  signMismatch: 19021,
  /** "Ip Not Allowed". */
  ipNotAllowed: 19022,
  /** "Key Words Not Found". */
  keywordsNotFound: 19024,
} as const;

/** Feishu does not say how long to wait; a minute clears both its windows. */
export const RATE_LIMIT_WAIT_MS = 60_000;

export function interpretFeishu(a: HttpAnswer, now: number): DeliveryResult {
  // Feishu sometimes puts the code in a 4xx body: read the body first when there is one.
  const c = 'body' in a ? bodyCode(a.body, 'code') : undefined;
  const status = a.status;
  if (c && c.code !== FEISHU_ERR.ok && status < 500) {
    const what = `code ${c.code} ${c.msg}`.trim();
    switch (c.code) {
      case FEISHU_ERR.rateLimited:
        return { ok: false, status, retryAfterMs: RATE_LIMIT_WAIT_MS, error: `${what} (Feishu allows 100 messages a minute and 5 a second per bot)` };
      case FEISHU_ERR.signMismatch:
        return {
          ok: false,
          status,
          permanent: true,
          error: `${what} — fix notify.feishu.secret: it must be the bot's 签名校验 secret (or unset it); also check this host's clock (±1 h)`,
        };
      case FEISHU_ERR.ipNotAllowed:
        return { ok: false, status, permanent: true, error: `${what} — this host's IP is not in the bot's IP whitelist (IP 白名单)` };
      case FEISHU_ERR.keywordsNotFound:
        return { ok: false, status, permanent: true, error: `${what} — add "apiwatch" as the bot's custom keyword (自定义关键词)` };
      case FEISHU_ERR.tokenInvalid:
        return { ok: false, status, permanent: true, error: `${what} — fix notify.feishu.webhook_url: the hook token is wrong or the bot was removed` };
      default:
        return { ok: false, status, permanent: true, error: `${what} — Feishu rejected the message` };
    }
  }
  const http = httpVerdict(a, now, 'check notify.feishu.webhook_url');
  if (http) return http;
  if (!c) return { ok: false, status, error: `HTTP ${status} without a Feishu code (a proxy in the way?)` };
  return { ok: true, status };
}
