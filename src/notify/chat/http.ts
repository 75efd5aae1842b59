import type { DeliveryResult } from '../notifier.js';
// One reading of Retry-After for every HTTP channel (Slack's client has it).
import { DEFAULT_RETRY_AFTER_MS, parseRetryAfter } from '../slack/client.js';

/** What the server answered, or why there was no answer. */
export type HttpAnswer =
  | { status: number; body: string; retryAfter: string | null }
  | { status: 0; error: string };

export interface PostOptions {
  timeoutMs: number;
  headers?: Record<string, string>;
  fetchImpl?: typeof fetch;
}

/** A body this long is enough to read an error code; the rest is not kept. */
const MAX_BODY_CHARS = 4096;

/**
 * POSTs a JSON body. Never throws and never lets the URL (a secret: it carries the key or token)
 * into the error text.
 */
export async function postJson(url: string, body: string, o: PostOptions): Promise<HttpAnswer> {
  const doFetch = o.fetchImpl ?? globalThis.fetch;
  try {
    const res = await doFetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json; charset=utf-8', 'user-agent': 'apiwatch', ...o.headers },
      body,
      redirect: 'manual',
      signal: AbortSignal.timeout(o.timeoutMs),
    });
    const text = (await res.text()).slice(0, MAX_BODY_CHARS);
    return { status: res.status, body: text, retryAfter: res.headers.get('retry-after') };
  } catch (err) {
    const e = err as Error & { cause?: { code?: string; message?: string } };
    const why = e.name === 'TimeoutError' ? `timed out after ${o.timeoutMs}ms` : (e.cause?.code ?? e.cause?.message ?? e.message);
    return { status: 0, error: `request failed: ${String(why).split(url).join('[webhook URL]')}` };
  }
}

/**
 * The HTTP-level verdict, before any body code is read: no answer and 5xx/408 are transient, 429
 * waits, other non-2xx are permanent with `fix` naming the setting. Undefined for a 2xx (the
 * caller reads the body).
 */
export function httpVerdict(a: HttpAnswer, now: number, fix: string): DeliveryResult | undefined {
  if ('error' in a) return { ok: false, status: 0, error: a.error };
  const snippet = a.body.replace(/\s+/g, ' ').slice(0, 200);
  if (a.status === 429) {
    return { ok: false, status: 429, retryAfterMs: parseRetryAfter(a.retryAfter, now) ?? DEFAULT_RETRY_AFTER_MS, error: `HTTP 429 ${snippet}`.trim() };
  }
  if (a.status >= 500 || a.status === 408) return { ok: false, status: a.status, error: `HTTP ${a.status} ${snippet}`.trim() };
  if (a.status < 200 || a.status >= 300) return { ok: false, status: a.status, permanent: true, error: `HTTP ${a.status} ${snippet} — ${fix}`.trim() };
  return undefined;
}

/** The body as JSON with a numeric code field, or undefined when it is not that. */
export function bodyCode(body: string, field: 'errcode' | 'code'): { code: number; msg: string } | undefined {
  try {
    const j = JSON.parse(body) as Record<string, unknown>;
    const code = j[field] ?? (field === 'code' ? j.StatusCode : undefined);
    if (typeof code !== 'number') return undefined;
    const msg = j.errmsg ?? j.msg ?? j.StatusMessage ?? '';
    return { code, msg: String(msg).replace(/\s+/g, ' ').slice(0, 300) };
  } catch {
    return undefined;
  }
}
