/**
 * JSON log records (pino, winston, bunyan, logstash-logback-encoder, zap, structlog,
 * python-json-logger, ECS): status/method/URL under the usual field names, the Easemob body as
 * an object or a JSON string, axios/got/undici errors serialised under `err`/`error`, and the
 * message/stack text analysed like a plain line.
 */
import type { NoResponse } from './event.js';
import { asErrorBody, isSuccessEnvelope, MAX_DEPTH, PAYLOAD_KEYS, type ErrBody } from './body.js';
import { analyzeText } from './embedded.js';
import { failureKind, retryInfo } from './client.js';
import { timeFromValue } from './time.js';

export interface JsonFinding {
  status: number | null;
  method: string | null;
  urls: string[];
  host: string | null;
  body: ErrBody | null;
  /** The body is the call's response (an object under a response key, not text quoting one). */
  bodyIsResponse: boolean;
  exception: string | null;
  noResponse: NoResponse | null;
  success: boolean;
  ts: number | null;
  /** Nesting beyond MAX_DEPTH: the record is counted malformed and skipped. */
  deep: boolean;
  sdk: 'sdk1' | 'sdk2' | null;
}

interface Cand<T> { v: T; path: string[] }

const STATUS_KEYS = new Set(['status', 'statuscode', 'status_code', 'httpstatus', 'http_status', 'responsestatus', 'response_status', 'statuscodevalue', 'httpcode', 'http_code', 'responsecode', 'response_code', 'httpstatuscode']);
const URL_KEYS = new Set(['url', 'uri', 'href', 'full', 'originalurl', 'requesturl', 'request_url', 'requesturi', 'request_uri', 'path', 'target', 'endpoint']);
const METHOD_KEYS = new Set(['method', 'verb', 'request_method', 'requestmethod', 'httpmethod', 'http_method']);
// `host`/`hostname` at the top of a record are the machine or the app's own vhost (pino, bunyan,
// nginx JSON), and under `headers` the inbound Host: only nested ones name the called server.
const HOST_KEYS = new Set(['host', 'hostname', 'domain']);
const UPSTREAM_HOST_KEYS = new Set(['proxy_host', 'upstream_host', 'upstream_name', 'server.address', 'peer.hostname']);
/** Subtrees that are big and never tell us anything (Node ClientRequest/socket internals). */
const SKIP_KEYS = new Set(['socket', 'agent', 'connection', 'client', 'parser', '_events', '_header', 'httpagent', 'httpsagent', 'transformrequest', 'transformresponse', 'adapter']);
const TEXT_KEYS = new Set(['msg', 'message', '@m', '@x', 'renderedmessage', 'error', 'err', 'stack', 'stack_trace', 'stacktrace', 'exc_info', 'exception', 'full_message', 'reason', 'cause', 'error_message', 'errormessage', 'event', 'detail', 'request', 'log', 'short_message', 'localizedmessage', 'exc_value']);
const BODY_KEYS = new Set(['body', 'data', 'responsebody', 'response_body', 'resbody', 'respbody', 'response', 'resp', 'result', 'content', 'errorbody', 'error_body', 'rawbody', 'text', 'payload_text', 'responsetext', 'details']);
const TIME_KEYS = ['time', 'timestamp', '@timestamp', 'ts', 'asctime', 'datetime', 'date', '@t', 't', 'time_local', 'time_iso8601', 'logtime', 'timemillis', 'timeMillis'];
const CODE_KEYS = new Set(['code', 'errno', 'syscall_code']);
// structlog's dict_tracebacks: `"exception": [{"exc_type": "ConnectionError", "exc_value": "…"}]`.
const NAME_KEYS = new Set(['name', 'type', 'class', 'classname', 'exception_class', 'error_type', 'kind', 'exc_type']);
const ATTEMPT_KEYS = new Set(['attempt', 'attempts', 'retry', 'retries', 'retrycount', 'retry_count', 'attemptnumber', 'attempt_number']);
const HTTP_METHOD = /^(?:get|post|put|delete|patch|head|options)$/i;
const HOSTNAME = /^[a-z0-9.-]+\.[a-z]{2,}(?::\d+)?$/i;

interface Ctx {
  statuses: Cand<number>[];
  urls: Cand<string>[];
  bases: Cand<string>[];
  methods: Cand<string>[];
  hosts: string[];
  bodies: ErrBody[];
  texts: string[];
  codes: string[];
  names: string[];
  attempt: number | null;
  codeStatus: number | null;
  success: boolean;
  deep: boolean;
  nodes: number;
}

/** Last segment of a flattened key (`http.response.status_code` → `status_code`). */
function leaf(k: string): string {
  const i = k.lastIndexOf('.');
  return (i >= 0 ? k.slice(i + 1) : k).toLowerCase();
}

function walk(v: unknown, path: string[], depth: number, c: Ctx): void {
  if (depth > MAX_DEPTH) { c.deep = true; return; }
  if (++c.nodes > 20000 || v === null || typeof v !== 'object') return;
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length && i < 50; i++) walk(v[i], path, depth + 1, c);
    return;
  }
  const o = v as Record<string, unknown>;
  const b = asErrorBody(o);
  if (b && !path.some((k) => REQUEST_SIDE.has(k))) c.bodies.push(b);
  if (isSuccessEnvelope(o)) { c.success = true; return; }
  const inHeaders = path.length > 0 && path[path.length - 1] === 'headers';
  for (const key in o) {
    const lk = key.toLowerCase();
    const x = o[key];
    if (SKIP_KEYS.has(lk) && typeof x === 'object') continue;
    const k = leaf(key);
    const p = path.concat(lk);
    if (typeof x === 'string') {
      if (STATUS_KEYS.has(k) && /^\d{3}(?:\s|$)/.test(x)) c.statuses.push({ v: +x.slice(0, 3), path: p });
      else if (k === 'baseurl') c.bases.push({ v: x, path: p });
      else if (URL_KEYS.has(k) && (x.startsWith('/') || /^https?:\/\//i.test(x))) c.urls.push({ v: x, path: p });
      else if (METHOD_KEYS.has(k) && HTTP_METHOD.test(x)) c.methods.push({ v: x.toUpperCase(), path: p });
      else if ((UPSTREAM_HOST_KEYS.has(lk) || (HOST_KEYS.has(k) && !inHeaders && (depth > 0 || key.includes('.')))) && HOSTNAME.test(x)) c.hosts.push(x.toLowerCase().replace(/:\d+$/, ''));
      else if (CODE_KEYS.has(k) && /^(?:E[A-Z_]{3,}|UND_ERR_[A-Z_]+|ERR_[A-Z_]+)$/.test(x)) c.codes.push(x);
      else if (NAME_KEYS.has(k) && /(?:Error|Exception|Timeout)$/.test(x)) c.names.push(x);
      // `msg`/`message`/`text` are the record's message at the top or in an error object, but
      // chat payload (a message's text) deeper down: never read those as errors.
      const parent = path.length ? path[path.length - 1] : '';
      const msgLike = k === 'msg' || k === 'message' || k === 'text';
      const textOk = TEXT_KEYS.has(k) && depth <= 3 && !PAYLOAD_KEYS.has(parent) &&
        (!msgLike || depth === 0 || key.includes('.') || ERRISH.test(parent));
      if ((BODY_KEYS.has(k) && !msgLike) || textOk) {
        const t = x.trimStart();
        if (t.startsWith('{') && t.length < 65536 && t.indexOf('error') >= 0) {
          // The body logged as a JSON string: "body":"{\"error\":…}"
          try {
            const parsed = JSON.parse(t) as unknown;
            walk(parsed, p, depth + 1, c);
            continue;
          } catch { /* not JSON: treat as text below */ }
        }
      }
      // Message/stack text of the record (not chat payload text deep in the tree).
      if (textOk) c.texts.push(x);
      // A response body logged as text: say so, so a body in it reads as the response.
      else if (BODY_KEYS.has(k) && !msgLike && depth <= 4 && x.indexOf('error') >= 0) c.texts.push('body: ' + x);
    } else if (typeof x === 'number') {
      if (STATUS_KEYS.has(k) && Number.isInteger(x) && x >= 100 && x <= 599) c.statuses.push({ v: x, path: p });
      else if (ATTEMPT_KEYS.has(k) && Number.isInteger(x) && x >= 0 && x < 1000) c.attempt ??= x;
      else if (k === 'code' && Number.isInteger(x) && x >= 400 && x <= 599) c.codeStatus ??= x; // weak: `"code":401`
    } else if (x !== null && typeof x === 'object') {
      if (PAYLOAD_KEYS.has(k)) continue;
      walk(x, p, depth + 1, c);
    }
  }
}

/** Length of the common prefix of two key paths (ties status/method to the URL's object). */
function common(a: string[], b: string[]): number {
  let i = 0;
  while (i < a.length - 1 && i < b.length - 1 && a[i] === b[i]) i++;
  return i;
}

function closest<T>(cands: Cand<T>[], ref: string[] | null): T | null {
  if (cands.length === 0) return null;
  if (!ref) return cands[0].v;
  let best = cands[0];
  let score = -1;
  for (const c of cands) {
    const s = common(c.path, ref);
    if (s > score) { score = s; best = c; }
  }
  return best.v;
}

const RESPONSE_PATH = /res|response/;
/** Subtrees that are the request (axios `config.data`, `req.body`): a body there is what was sent. */
const REQUEST_SIDE = new Set(['config', 'req', 'request', 'params', 'args']);
const ERR_ROOT = /^(?:err|error|exception|cause)$/;
/** Objects whose `message` is an error message (pino err, logback throwable, ECS error…). */
const ERRISH = /^(?:err|error|errors|exception|throwable|thrown|cause|reason|failure|fault|e|ex|exc)$/;

/**
 * Analyse one parsed JSON record. `pick` chooses among candidate URLs (Easemob ones first), so
 * status/method are taken from the same sub-object as the chosen URL.
 */
export function analyzeJson(rec: Record<string, unknown>, tz: string, now: number, pick: (urls: string[]) => number): JsonFinding {
  // Docker json-file wraps the app's line in "log".
  if (typeof rec.log === 'string' && rec.log.trimStart().startsWith('{')) {
    try {
      const inner = JSON.parse(rec.log) as unknown;
      if (inner && typeof inner === 'object' && !Array.isArray(inner)) {
        const f = analyzeJson(inner as Record<string, unknown>, tz, now, pick);
        f.ts ??= tsOf(rec, tz, now);
        return f;
      }
    } catch { /* fall through */ }
  }
  const c: Ctx = {
    statuses: [], urls: [], bases: [], methods: [], hosts: [], bodies: [], texts: [], codes: [], names: [],
    attempt: null, codeStatus: null, success: false, deep: false, nodes: 0,
  };
  walk(rec, [], 0, c);
  const f: JsonFinding = {
    status: null, method: null, urls: [], host: c.hosts[0] ?? null, body: c.bodies[0] ?? null,
    bodyIsResponse: c.bodies.length > 0, exception: null,
    noResponse: null, success: c.success, ts: tsOf(rec, tz, now), deep: c.deep, sdk: null,
  };
  if (c.deep) return f;

  // axios: config.url may be relative to config.baseURL.
  const urls = c.urls.map((u) => {
    if (u.v.startsWith('/')) {
      const base = c.bases.find((b) => common(b.path, u.path) === b.path.length - 1);
      if (base) return { v: base.v.replace(/\/+$/, '') + u.v, path: u.path };
    }
    return u;
  });
  const text = c.texts.length ? c.texts.map((t) => (t.length > 8192 ? t.slice(0, 8192) : t)).join('\n').slice(0, 32768) : '';
  const tf = text ? analyzeText(text) : null;
  const all = urls.map((u) => u.v).concat(tf ? tf.urls : []);
  const idx = all.length ? pick(all) : -1;
  const ref = idx >= 0 && idx < urls.length ? urls[idx].path : null;
  f.urls = idx >= 0 ? [all[idx]] : [];

  // Prefer a response status (res.statusCode, response.status) over a request-side field.
  let statuses = c.statuses;
  // pino-http & co: `res.statusCode` is the app's own answer. When the Easemob URL sits in an
  // error object that says the call got no response (ECONNABORTED, ETIMEDOUT…), that inbound
  // status is not the call's status.
  if (ref && ERR_ROOT.test(ref[0]) && c.codes.length && failureKind(c.codes.join(' '))) {
    statuses = statuses.filter((s) => s.path[0] === ref[0]);
  }
  const resp = statuses.filter((s) => RESPONSE_PATH.test(s.path.join('.')) || s.path.length === 1);
  f.status = closest(resp.length ? resp : statuses, ref) ?? tf?.status ?? c.codeStatus;
  f.method = closest(c.methods, ref) ?? tf?.method ?? null;
  f.host ??= tf?.host ?? null;
  if (!f.body && tf?.body) {
    f.body = tf.body;
    f.bodyIsResponse = tf.bodyIsResponse;
  }
  f.success ||= tf?.success ?? false;
  f.sdk = tf?.sdk ?? null;
  f.exception = c.names[0] ?? tf?.exception ?? null;
  if (f.status === null) {
    const k = c.codes.length ? failureKind(c.codes.join(' ')) : null;
    if (k) {
      f.noResponse = { kind: k };
      retryInfo(text, f.noResponse);
    } else f.noResponse = tf?.noResponse ?? (c.names.length ? noResponseFromNames(c.names, text) : null);
    if (f.noResponse && c.attempt !== null && f.noResponse.attempt === undefined) f.noResponse.attempt = c.attempt;
  }
  return f;
}

function noResponseFromNames(names: string[], text: string): NoResponse | null {
  const k = failureKind(names.join(' '));
  if (!k) return null;
  const nr: NoResponse = { kind: k };
  retryInfo(text, nr);
  return nr;
}

function tsOf(rec: Record<string, unknown>, tz: string, now: number): number | null {
  // log4j2 JsonLayout: "instant":{"epochSecond":…,"nanoOfSecond":…}
  const inst = rec.instant as Record<string, unknown> | undefined;
  if (inst && typeof inst === 'object' && typeof inst.epochSecond === 'number') {
    return inst.epochSecond * 1000 + Math.floor(Number(inst.nanoOfSecond ?? 0) / 1e6);
  }
  for (const k of TIME_KEYS) {
    if (k in rec) {
      const t = timeFromValue(rec[k], tz, now);
      if (t !== null) return t;
    }
  }
  return null;
}
