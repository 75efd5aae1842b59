import { send, type ClientOptions, type Sent } from '../chat/client.js';
import { interpretWebhook } from './respond.js';
import { SIGNATURE_HEADER, webhookSignature } from './sign.js';

export interface WebhookTarget {
  url: string;
  secret?: string;
  /** Extra headers (an Authorization, say); values are secrets and never logged. */
  headers?: Record<string, string>;
}

export function sendWebhook(t: WebhookTarget, payload: { kind?: string; dedup_key?: string }, o: ClientOptions): Promise<Sent> {
  const body = JSON.stringify(payload);
  const headers: Record<string, string> = { ...t.headers, 'x-apiwatch-event': String(payload.kind ?? 'test') };
  if (payload.dedup_key) headers['x-apiwatch-delivery'] = payload.dedup_key;
  if (t.secret) headers[SIGNATURE_HEADER] = webhookSignature(t.secret, body);
  return send(t.url, body, o, interpretWebhook, headers);
}
