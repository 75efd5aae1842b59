import { postJson, type HttpAnswer } from './http.js';
import type { DeliveryResult } from '../notifier.js';

export interface ClientOptions {
  timeoutMs: number;
  now?: () => number;
  fetchImpl?: typeof fetch;
}

/** One POST and its verdict; what the server answered is kept for `notify test`. */
export interface Sent {
  result: DeliveryResult;
  /** The answer's body (bounded), or the network error. Secret-free: the URL never appears in it. */
  answer: string;
}

export async function send(
  url: string,
  body: string,
  o: ClientOptions,
  interpret: (a: HttpAnswer, now: number) => DeliveryResult,
  headers?: Record<string, string>,
): Promise<Sent> {
  const a = await postJson(url, body, { timeoutMs: o.timeoutMs, fetchImpl: o.fetchImpl, headers });
  const result = interpret(a, (o.now ?? Date.now)());
  return { result, answer: 'error' in a ? a.error : `HTTP ${a.status} ${a.body.slice(0, 500)}`.trim() };
}
