import { createHmac, timingSafeEqual } from 'node:crypto';
import { StandIn, type Answer, type Seen } from './base.js';

/**
 * A receiver of the generic webhook: JSON POSTs to its path, `X-Apiwatch-Signature: sha256=hex`
 * HMAC of the body checked with its own implementation (not apiwatch's), optional required
 * headers; 2xx on success, 401 on a bad signature.
 */
export class WebhookStandIn extends StandIn {
  secret: string | undefined;
  requiredHeaders: Record<string, string> = {};

  url(path = '/apiwatch'): string {
    return `${this.base}${path}`;
  }

  protected isAccepted(a: Answer): boolean {
    return a.status >= 200 && a.status < 300;
  }

  protected answer(req: Seen): Answer {
    if (req.method !== 'POST') return { status: 405, body: 'method not allowed' };
    if (!String(req.headers['content-type'] ?? '').startsWith('application/json')) return { status: 415, body: 'expected application/json' };
    for (const [k, v] of Object.entries(this.requiredHeaders)) if (req.headers[k.toLowerCase()] !== v) return { status: 403, body: 'forbidden' };
    if (this.secret) {
      const want = Buffer.from('sha256=' + createHmac('sha256', this.secret).update(req.raw, 'utf8').digest('hex'));
      const got = Buffer.from(String(req.headers['x-apiwatch-signature'] ?? ''));
      if (want.length !== got.length || !timingSafeEqual(want, got)) return { status: 401, body: 'bad signature' };
    }
    if (req.json === undefined) return { status: 400, body: 'bad json' };
    return { status: 204, body: '' };
  }
}
