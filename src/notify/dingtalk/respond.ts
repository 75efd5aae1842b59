import { bodyCode, httpVerdict, type HttpAnswer } from '../chat/http.js';
import type { DeliveryResult } from '../notifier.js';

export const DINGTALK_ERR = {
  ok: 0,
  busy: -1,
  /** "send too fast, exceed 20 times per minute": the robot is then throttled for 10 minutes. */
  sendTooFast: 130101,
  /** 发送速度太快而限流. */
  throttled: 410100,
  /** Security settings: keywords not in content / sign not match / invalid timestamp / ip not in whitelist. */
  security: 310000,
  /** "token is not exist". */
  tokenMissing: 300001,
  tokenNotFound: 400101,
  robotDisabled: 400102,
  groupDissolved: 400013,
} as const;

/** "每个机器人每分钟最多发送20条消息到群里，如果超过20条，会限流10分钟。" */
export const THROTTLE_MS = 10 * 60_000;

/** Which of the four security checks a 310000 is about, from its errmsg (old English or new Chinese wording). */
export function securityFix(msg: string): string {
  // Order matters: the new Chinese wordings mention 时间戳 in the sign-mismatch hint, and "description" contains "ip".
  if (/keyword|关键词/i.test(msg)) {
    return 'the robot\'s custom keyword (自定义关键词) is not in the message — add "apiwatch" as a keyword in its security settings';
  }
  if (/whitelist|白名单|\bip\b/i.test(msg)) return "this host's IP is not in the robot's IP whitelist (IP地址段) — add it in the robot's security settings";
  if (/sign not match|签名不匹配/i.test(msg)) {
    return "fix notify.dingtalk.secret: it must be the robot's 加签 secret (SEC…), or unset it if the robot does not sign";
  }
  if (/timestamp|过期/i.test(msg)) return "the signature's timestamp is more than 1 hour off DingTalk's clock — fix this host's clock (NTP)";
  if (/sign|签名/i.test(msg)) return "fix notify.dingtalk.secret: it must be the robot's 加签 secret (SEC…)";
  return "the robot's security settings (keywords / 加签 / IP) rejected the message — check notify.dingtalk.secret and the robot's settings";
}

export function interpretDingtalk(a: HttpAnswer, now: number): DeliveryResult {
  const http = httpVerdict(a, now, 'check notify.dingtalk.webhook_url');
  if (http) return http;
  const status = a.status;
  const c = bodyCode('body' in a ? a.body : '', 'errcode');
  if (!c) return { ok: false, status, error: `HTTP ${status} without a DingTalk errcode (a proxy in the way?)` };
  const what = `errcode ${c.code} ${c.msg}`.trim();
  switch (c.code) {
    case DINGTALK_ERR.ok:
      return { ok: true, status };
    case DINGTALK_ERR.busy:
      return { ok: false, status, error: what };
    case DINGTALK_ERR.sendTooFast:
    case DINGTALK_ERR.throttled:
      return { ok: false, status, retryAfterMs: THROTTLE_MS, error: `${what} (DingTalk allows 20 messages a minute and then throttles the robot for 10 minutes)` };
    case DINGTALK_ERR.security:
      return { ok: false, status, permanent: true, error: `${what} — ${securityFix(c.msg)}` };
    case DINGTALK_ERR.tokenMissing:
    case DINGTALK_ERR.tokenNotFound:
      return { ok: false, status, permanent: true, error: `${what} — fix notify.dingtalk.webhook_url: its access_token is wrong or the robot was deleted` };
    case DINGTALK_ERR.robotDisabled:
    case DINGTALK_ERR.groupDissolved:
      return { ok: false, status, permanent: true, error: `${what} — the robot or its group is gone: point notify.dingtalk.webhook_url at a live robot` };
    default:
      return { ok: false, status, permanent: true, error: `${what} — DingTalk rejected the message` };
  }
}
