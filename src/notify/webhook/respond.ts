import { httpVerdict, type HttpAnswer } from '../chat/http.js';
import type { DeliveryResult } from '../notifier.js';

/** A generic receiver speaks plain HTTP: 2xx is delivered, the body is not read. */
export function interpretWebhook(a: HttpAnswer, now: number): DeliveryResult {
  const fix =
    a.status === 401 || a.status === 403
      ? 'the receiver refused us: check notify.webhook.secret and notify.webhook.headers'
      : a.status === 404 || a.status === 410
        ? 'fix notify.webhook.url: the receiver has no such endpoint'
        : 'the receiver rejected the payload';
  return httpVerdict(a, now, fix) ?? { ok: true, status: a.status };
}
