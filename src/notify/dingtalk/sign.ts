import { createHmac } from 'node:crypto';

/**
 * 加签 (自定义机器人 安全设置): sign = urlEncode(base64(HmacSHA256(key = secret,
 * message = timestamp + "\n" + secret))), timestamp in ms, both in the query. DingTalk rejects a
 * timestamp more than an hour away from its clock (310000).
 */
export function dingtalkSign(secret: string, timestampMs: number): string {
  const mac = createHmac('sha256', secret).update(`${timestampMs}\n${secret}`, 'utf8').digest('base64');
  return encodeURIComponent(mac);
}

/** The webhook URL with `timestamp` and `sign` added (the URL keeps its access_token). */
export function signedDingtalkUrl(webhookUrl: string, secret: string | undefined, now: number): string {
  if (!secret) return webhookUrl;
  const sep = webhookUrl.includes('?') ? '&' : '?';
  return `${webhookUrl}${sep}timestamp=${now}&sign=${dingtalkSign(secret, now)}`;
}
