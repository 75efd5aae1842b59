import { createHmac, timingSafeEqual } from 'node:crypto';

/** The header a receiver checks: `sha256=` + hex HMAC-SHA256 of the exact body bytes, keyed with the secret (GitHub's scheme). */
export const SIGNATURE_HEADER = 'x-apiwatch-signature';

export function webhookSignature(secret: string, body: string): string {
  return 'sha256=' + createHmac('sha256', secret).update(body, 'utf8').digest('hex');
}

/** Constant-time check, for receivers (and the tests' stand-in). */
export function verifyWebhookSignature(secret: string, body: string, header: string | undefined): boolean {
  if (!header) return false;
  const want = Buffer.from(webhookSignature(secret, body));
  const got = Buffer.from(header);
  return want.length === got.length && timingSafeEqual(want, got);
}
