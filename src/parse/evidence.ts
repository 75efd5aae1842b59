/**
 * Stage 2 of the parser: record → evidence. What a record says about an API call (URL, host,
 * method, status, error body, no-response error, time), per shape, and the verdict: an event needs
 * both pieces of evidence in the same record —
 *   1. the call: an Easemob host or REST path of this call, or (for shapes that never log a URL)
 *      an Easemob SDK exception, or an error body only Easemob writes, answering a failure status;
 *   2. its failure: a 4xx/5xx status of that call, a no-response error of that call, or an
 *      Easemob error body where the record says it is the call's response.
 * A status or error word inside a message text, a user field, a callback payload or a successful
 * response's body is not evidence (see README "What it recognises").
 */
import type { NoResponse } from './event.js';
import type { ErrBody } from './body.js';
import { isEasemobHost, isRelativeEasemobPath, looksLikeEasemobPath, parseEndpoint, type ParsedEndpoint } from './endpoint.js';
import { analyzeJson } from './json.js';
import { analyzeText } from './embedded.js';
import { timeFromText } from './time.js';
import { EXC_HEADER } from './multiline.js';
import { clip, RUBY_LOGGER_HEAD, type AccessRecord, type JsonRecord, type TextRecord } from './records.js';

/** What one record says, before the verdict. */
export interface Found {
  parser: string;
  ts: number | null;
  method: string | null;
  urls: string[];
  /** A host named outside a URL (urllib3 `host='…'`, `Connect to …:443`, a JSON host field). */
  host: string | null;
  status: number | null;
  body: ErrBody | null;
  /** The body is where the record says the response is (see TextFinding.bodyIsResponse). */
  bodyIsResponse: boolean;
  exception: string | null;
  noResponse: NoResponse | null;
  success: boolean;
  /** An Easemob SDK exception or client class is in the record (shapes that log no URL). */
  sdk: boolean;
  /**
   * The logger that wrote the record is named for the Easemob client (Ruby Logger progname,
   * Monolog channel: `easemob`, `easemob req-…`, `im.easemob`), or null.
   */
  logger: string | null;
  /** The record or the line before it was too deeply nested to read (counted malformed). */
  deep: boolean;
}

export interface Scope {
  apiHosts: readonly string[];
  /** Emit failed calls to other APIs too (ref null). */
  others: boolean;
  tz: string;
  now: () => number;
}

/** The verdict on one record: an event with the evidence used, or the evidence missing. */
export type Verdict =
  | { event: true; url: string | null; endpoint: ParsedEndpoint | null; easemob: boolean; call: string; failure: string }
  | { event: false; missing: string; call: Call | null };

/** The call of a record that names one (kept to tie a later record of the same request to it). */
export interface Call { url: string | null; endpoint: ParsedEndpoint | null; why: string }

// Easemob's server SDKs: com.easemob.im.server (1.x, EM*Exception), com.easemob.im (2.x
// ApiException), io.agora.chat; their exception classes name the service when no URL is logged.
const SDK_CONTEXT = /(?:com\.easemob|io\.agora\.chat)\.[\w.$]*(?:Exception|Error)\b|\bEM(?:BadRequest|Unauthorized|Forbidden|NotFound|TooManyRequests|Internal|Unknown|[A-Z][a-z]+)\w*Exception\b/;

/** A stack frame inside an Easemob SDK: the call that failed was the SDK's. */
const SDK_FRAME = /\bat (?:com\.easemob|io\.agora\.chat)\./;

// Where a text record's header names its logger: Ruby Logger's progname
// (`E, [time #pid] ERROR -- progname: msg`), Monolog's channel (`[time] channel.LEVEL: msg`).
// Both are names the app gives the logger it hands its Easemob client. A module name (loguru's
// `module:function:line`, Python's `%(name)s` of `__name__`) is not: it names where the logging
// code lives, and an app's `easemob.py` also logs its cache and mailer failures.
const LOGGER_NAME = [
  new RegExp(`${RUBY_LOGGER_HEAD}([^:\\n]{1,80}): `),
  /^\[[^\]]{1,40}\] ([\w.-]{1,80})\.(?:DEBUG|INFO|NOTICE|WARNING|ERROR|CRITICAL|ALERT|EMERGENCY): /,
];
/** A logger named for the Easemob client: `easemob`, `im.easemob` (not `easemob.callback`: inbound). */
const EASEMOB_LOGGER = /^(?:[\w-]+\.)*easemob$/i;

/** The record's logger name when it is the Easemob client's (see Found.logger). */
export function easemobLogger(first: string): string | null {
  for (const re of LOGGER_NAME) {
    const m = re.exec(first);
    if (!m) continue;
    const name = m[1].trim().split(' ')[0];
    return EASEMOB_LOGGER.test(name) ? name : null;
  }
  return null;
}

export function fromText(r: TextRecord, s: Scope): Found {
  const text = r.text.join('\n');
  const tf = analyzeText(text);
  let urls = tf.urls;
  let method = tf.method;
  let host = tf.host;
  let sdk = tf.sdk !== null || SDK_CONTEXT.test(text) || SDK_FRAME.test(r.raw);
  let deep = tf.deep;
  // A record that is a bare exception (`java.net.SocketTimeoutException: …` at column 0) was
  // thrown by the call the logger line just before it names; any other record is its own.
  if (urls.length === 0 && !host && r.prev && EXC_HEADER.test(r.text[0] ?? '')) {
    const pf = analyzeText(clip(r.prev));
    urls = pf.urls;
    method ??= pf.method;
    host = pf.host;
    sdk ||= SDK_CONTEXT.test(r.prev);
    deep ||= pf.deep;
  }
  const now = s.now();
  // Time from the record: its first line, the JUL date line above it, the container wrapper, the
  // logger line before it — whatever its age.
  let ts = timeFromText(r.text[0] ?? '', s.tz, now);
  if (ts === null && r.header) ts = timeFromText(r.header, s.tz, now);
  if (ts === null && r.wrapTime) ts = timeFromText(r.wrapTime, s.tz, now);
  if (ts === null && r.prev) ts = timeFromText(r.prev, s.tz, now);
  const parser = tf.sdk ?? (tf.status === null && tf.noResponse && !tf.body ? 'client' : 'embedded');
  return {
    parser, ts, method, urls, host, status: tf.status, body: tf.body, bodyIsResponse: tf.bodyIsResponse,
    exception: tf.exception, noResponse: tf.noResponse, success: tf.success, sdk,
    logger: easemobLogger(r.header ?? r.text[0] ?? ''), deep,
  };
}

export function fromJson(r: JsonRecord, s: Scope, pick: (urls: string[]) => number): Found {
  const now = s.now();
  const jf = analyzeJson(r.rec, s.tz, now, pick);
  let ts = jf.ts;
  if (ts === null && r.start > 0) ts = timeFromText(r.raw, s.tz, now);
  if (ts === null && r.wrapTime) ts = timeFromText(r.wrapTime, s.tz, now);
  return {
    parser: 'json', ts, method: jf.method, urls: jf.urls, host: jf.host, status: jf.status, body: jf.body,
    bodyIsResponse: jf.bodyIsResponse, exception: jf.exception, noResponse: jf.noResponse, success: jf.success,
    sdk: jf.sdk !== null || SDK_CONTEXT.test(r.raw), logger: null, deep: jf.deep,
  };
}

export function fromAccess(r: AccessRecord, s: Scope): Found {
  const a = r.access;
  const eh = a.hosts.find((h) => isEasemobHost(h, s.apiHosts as string[]));
  return {
    parser: 'access', ts: timeFromText(a.timeText, s.tz, s.now()), method: a.method, urls: [a.url],
    host: /^https?:\/\//i.test(a.url) ? null : eh ?? null, status: a.status, body: null, bodyIsResponse: false,
    exception: null, noResponse: null, success: a.status < 400, sdk: false, logger: null, deep: false,
  };
}

/** A field only Easemob writes (`exception`, `timestamp` + `duration`): the body names the service. */
function easemobBody(b: ErrBody): boolean {
  return b.signed === true;
}

/** The call evidence: which URL, whether it is Easemob's, and why (or why not). */
function callOf(f: Found, s: Scope, pick: (urls: string[]) => number): { ok: boolean; why: string; url: string | null; pe: ParsedEndpoint | null } {
  const hosts = s.apiHosts as string[];
  const url = f.urls.length ? f.urls[pick(f.urls)] : null;
  const pe = url ? parseEndpoint(url) : null;
  if (pe?.host) {
    if (!isEasemobHost(pe.host, hosts)) return { ok: false, why: `the call goes to ${pe.host}, not Easemob`, url, pe };
    // An Easemob host with a path that is no Easemob REST endpoint: another service behind the
    // same proxy (`/ext/…`) — unless Easemob itself answered (a mistyped path gets its error body).
    if (pe.path !== '/' && !looksLikeEasemobPath(pe.path)) {
      if (f.body && f.bodyIsResponse && easemobBody(f.body)) return { ok: true, why: `Easemob host ${pe.host}, answered with Easemob's error body`, url, pe };
      return { ok: false, why: `${pe.path} on ${pe.host} is not an Easemob REST path`, url, pe };
    }
    return { ok: true, why: `Easemob URL ${pe.host}${pe.path}`, url, pe };
  }
  if (pe && pe.path !== '/') {
    if (looksLikeEasemobPath(pe.path)) return { ok: true, why: `Easemob REST path ${pe.path}`, url, pe };
    if (f.host !== null && isEasemobHost(f.host, hosts)) return { ok: true, why: `path ${pe.path} on Easemob host ${f.host}`, url, pe };
    if (f.host === null && f.sdk && isRelativeEasemobPath(pe.path)) return { ok: true, why: `Easemob SDK call to ${pe.path}`, url, pe };
    return { ok: false, why: `no Easemob call in the record (${pe.path} is not an Easemob REST path)`, url, pe };
  }
  if (f.host) {
    return isEasemobHost(f.host, hosts)
      ? { ok: true, why: `Easemob host ${f.host}`, url, pe }
      : { ok: false, why: `the call goes to ${f.host}, not Easemob`, url, pe };
  }
  if (f.sdk) return { ok: true, why: 'Easemob SDK exception', url, pe };
  if (f.logger) return { ok: true, why: `logged by the Easemob client's logger "${f.logger}"`, url, pe };
  if (f.body && f.bodyIsResponse && easemobBody(f.body) && (f.status === null || f.status >= 400)) {
    return { ok: true, why: 'an error body only Easemob writes, as the response', url, pe };
  }
  return { ok: false, why: 'no Easemob call in the record', url, pe };
}

/** The failure evidence of the call, or why there is none. */
function failureOf(f: Found): { ok: boolean; why: string } {
  if (f.status !== null) {
    return f.status >= 400
      ? { ok: true, why: `status ${f.status}` }
      : { ok: false, why: `status ${f.status} belongs to a successful response` };
  }
  if (f.noResponse) return { ok: true, why: `no response (${f.noResponse.kind})` };
  if (f.body && f.success) return { ok: false, why: 'error body inside a successful response' };
  if (f.body && f.bodyIsResponse) return { ok: true, why: `Easemob error body ${f.body.error || '(empty error)'} as the response` };
  if (f.body) return { ok: false, why: 'error body inside a message text' };
  if (f.success) return { ok: false, why: 'a successful response' };
  return { ok: false, why: 'no failure status or no-response error of the call' };
}

export function judge(f: Found, s: Scope, pick: (urls: string[]) => number): Verdict {
  const call = callOf(f, s, pick);
  const fail = failureOf(f);
  if (fail.ok && (call.ok || (s.others && call.url !== null))) {
    return { event: true, url: call.url, endpoint: call.pe, easemob: call.ok, call: call.why, failure: fail.why };
  }
  const missing = [!call.ok ? call.why : null, !fail.ok ? fail.why : null].filter(Boolean).join('; ');
  return { event: false, missing, call: call.ok ? { url: call.url, endpoint: call.pe, why: call.why } : null };
}

/** The failure evidence's wording (for a record tied to its call by request id). */
export function judgeFailure(f: Found): string {
  return failureOf(f).why;
}

/** Whether the record's only gap is the call: it failed, and named no other service. */
export function lacksOnlyTheCall(f: Found, s: Scope, pick: (urls: string[]) => number): boolean {
  return failureOf(f).ok && f.urls.length === 0 && f.host === null && !callOf(f, s, pick).ok;
}
