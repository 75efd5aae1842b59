import { createHmac } from 'node:crypto';

/**
 * 签名校验 (自定义机器人使用指南): sign = Base64(HmacSHA256(key = timestamp + "\n" + secret,
 * message = "")), timestamp in SECONDS, both as body fields. Feishu rejects a timestamp more than
 * an hour from its clock (19021, like a wrong secret).
 */
export function feishuSign(secret: string, timestampSec: number): string {
  return createHmac('sha256', `${timestampSec}\n${secret}`).update(Buffer.alloc(0)).digest('base64');
}

/** The body with `timestamp` and `sign` (when a secret is set). */
export function signedFeishuBody<T extends object>(payload: T, secret: string | undefined, nowMs: number): T | (T & { timestamp: string; sign: string }) {
  if (!secret) return payload;
  const ts = Math.floor(nowMs / 1000);
  return { timestamp: String(ts), sign: feishuSign(secret, ts), ...payload };
}
