/**
 * Stage 3 of the parser: evidence → event. One record that the verdict accepts becomes one event
 * in the shape every later stage reads (src/parse/event.ts), redacted and capped.
 */
import type { ApiErrorEvent, LineMeta, ParserStats } from './event.js';
import { MAX_RAW } from './event.js';
import { redact } from './redact.js';
import type { Found, Verdict } from './evidence.js';

/**
 * Clock-skew guard: a record time this far ahead of now is refused (read time is used instead).
 * Times in the past are always kept: replaying last month's log must date its events last month.
 */
export const MAX_FUTURE_MS = 86400000;

type Accepted = Extract<Verdict, { event: true }>;

export function buildEvent(
  f: Found,
  v: Accepted,
  meta: LineMeta,
  raw: string,
  source: string,
  now: number,
  stats: ParserStats,
): ApiErrorEvent {
  let ts = f.ts;
  if (ts !== null && ts - now > MAX_FUTURE_MS) {
    stats.clockSkew++;
    ts = null;
  }
  const b = f.body;
  const pe = v.endpoint;
  const ev: ApiErrorEvent = {
    ts: ts ?? meta.readTime,
    tsFromLine: ts !== null,
    source,
    line: meta.lineNo,
    offset: meta.offset,
    method: f.method ? f.method.toUpperCase() : null,
    url: v.url ? redact(v.url) : null,
    endpoint: pe ? pe.endpoint : null,
    appkey: v.easemob ? pe?.appkey ?? null : null,
    host: pe?.host ?? f.host,
    status: f.status,
    error: b && b.error ? redact(b.error) : null,
    errorDescription: b && b.errorDescription ? redact(b.errorDescription) : null,
    exception: b?.exception ? redact(b.exception) : f.exception ? redact(f.exception) : null,
    // Redact before the final cut so a secret straddling the cap is still caught whole.
    raw: capRaw(redact(raw.length > MAX_RAW + 1024 ? raw.slice(0, MAX_RAW + 1024) : raw)),
    parser: f.parser,
  };
  if (f.status === null && f.noResponse && !b) ev.noResponse = f.noResponse;
  return ev;
}

function capRaw(s: string): string {
  return s.length > MAX_RAW ? s.slice(0, MAX_RAW) : s;
}
