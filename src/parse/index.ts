/**
 * Parser dispatcher: a cheap prefilter rejects ordinary lines, then each candidate line is
 * classified by shape (JSON record, access log, free text / SDK / client failure). Text events
 * are held as a draft so that continuation lines (stack frames, SDK message lines, Python
 * tracebacks) join them; the draft is emitted when a non-continuation line arrives or on flush().
 */
import type { ApiErrorEvent, EventParser, LineMeta, NoResponse, ParserOptions, ParserStats } from './event.js';
import { MAX_RAW } from './event.js';
import { redact } from './redact.js';
import { isEasemobHost, isRelativeEasemobPath, looksLikeEasemobPath, parseEndpoint } from './endpoint.js';
import { analyzeJson } from './json.js';
import { analyzeText } from './embedded.js';
import { parseAccess } from './access.js';
import { hostZone, timeFromText } from './time.js';
import type { ErrBody } from './body.js';
import { KNOWN_ERRORS } from './templates.js';
import { EXC_HEADER, isContinuation, isFrame } from './multiline.js';

export type { ApiErrorEvent, EventParser, LineMeta, NoResponse, ParserOptions, ParserStats, FailureKind } from './event.js';
export { MAX_RAW } from './event.js';
export { redact } from './redact.js';
export { parseEndpoint, isEasemobHost, looksLikeEasemobPath } from './endpoint.js';
export { isContinuation } from './multiline.js';

/** Longer lines are counted malformed and skipped (memory and time stay bounded). */
export const MAX_LINE = 1 << 20;
const MAX_DRAFT_LINES = 1000;
/**
 * OkHttp's HttpLoggingInterceptor logs `<-- 401 … https://…` then headers, then the body as
 * separate records: a body-only event this close after such a line is that response's body.
 */
const BODY_FOLLOWS = 20;
const MAX_ANALYSIS = 64 * 1024;
/** Text regexes see at most this much of one line (keeps worst-case regex time bounded). */
const LINE_ANALYSIS = 8 * 1024;
const clip = (s: string): string => (s.length > LINE_ANALYSIS ? s.slice(0, LINE_ANALYSIS) : s);
/**
 * A line time further than this in the future is a skewed clock or a misread zone: counted and
 * replaced by the read time. Past times are kept whatever their age (replays of old logs).
 */
const MAX_FUTURE_MS = 86400000;

// ---------------------------------------------------------------- prefilter
// Measured with V8: one regex of a few literal alternatives (Boyer-Moore lookahead) costs about
// one indexOf; every extra alternative or separate scan adds to it. So ordinary lines pay for
// a single scan; the alternative that matched decides the (still cheap) next step.
const FIRST = /rror|RROR|xception|imeout|imed out|tatus|asemob|agora|HTTP\//g;
// Failure words without "error"/"timeout" (Go net errors, Node codes in plain text).
const NET = /refused|reset by|such host|deadline ex|ECONN|TIMEDOUT|ENOTFOUND|EAI_AGAIN|hang up|UND_ERR|": EOF/;
// A 4xx/5xx token after a separator: `status=401`, `HTTP 401`, `-> 401`, `… 429 35ms`.
const ERR_TOKEN = /[ "=:>\[(][45]\d\d\b/;

const isDigit = (c: number): boolean => c >= 48 && c <= 57;

/**
 * The 3-digit number a few separator chars after `status`/`HTTP/x`: 1 for 4xx/5xx, -1 for
 * 1xx–3xx (a success: the line can never yield an event), 0 when there is none.
 */
function statusAt(line: string, i: number): number {
  const end = Math.min(line.length, i + 16);
  for (; i < end; i++) {
    const c = line.charCodeAt(i);
    if (isDigit(c)) {
      if (!isDigit(line.charCodeAt(i + 1)) || !isDigit(line.charCodeAt(i + 2)) || isDigit(line.charCodeAt(i + 3))) return 0;
      return c === 52 || c === 53 ? 1 : c >= 49 && c <= 51 ? -1 : 0;
    }
    if (c !== 34 && c !== 39 && c !== 58 && c !== 61 && c !== 32 && !(c >= 65 && c <= 90) && !(c >= 97 && c <= 122) && c !== 95) return 0;
  }
  return 0;
}

/** Cheap test: could this line start (or be) an event? */
function candidate(line: string, hostMarks: string[], others: boolean): boolean {
  FIRST.lastIndex = 0;
  let named = false;
  let ok = false;
  // test() with the g flag moves lastIndex and allocates nothing; the last char of the match
  // tells the alternatives apart.
  while (FIRST.test(line)) {
    const end = FIRST.lastIndex;
    const c = line.charCodeAt(end - 1);
    if (c === 115) {
      // …tatus
      const st = statusAt(line, end);
      if (st > 0) return true;
      if (st < 0) ok = true;
    } else if (c === 47) {
      // HTTP/ — access log `"GET /p HTTP/1.1" 404 …` or `HTTP/1.1 401`
      const q = line.indexOf('" ', end);
      const at = q > 0 && q - end < 8 ? q + 2 : line.indexOf(' ', end) + 1;
      const st = statusAt(line, at);
      if (st > 0) return true;
      if (st < 0) ok = true;
    } else if (c === 98 || c === 97) named = true; // …asemob / agora
    else return true; // error / Exception / timeout words
  }
  if (ok) return false; // a logged 2xx/3xx response never yields an event
  for (let i = 0; !named && i < hostMarks.length; i++) named = line.indexOf(hostMarks[i]) >= 0;
  if (named || (others && line.indexOf('://') >= 0)) return ERR_TOKEN.test(line) || NET.test(line);
  return line.charCodeAt(0) === 72 && line.startsWith('HTTP response code:');
}

interface Draft {
  meta: LineMeta;
  raw: string;
  analysis: string[];
  analysisLen: number;
  lines: number;
  /** The line before the draft, for time and URL context (logger line before an exception). */
  prev: string | null;
  hint: boolean;
  /** Last line ended with ':' — a body on the next line belongs here (Guzzle, "Response body:"). */
  colon: boolean;
  wrapTime: string | null;
  /**
   * OkHttp HttpLoggingInterceptor status line `<-- 401 … url (12ms)`: its logger prefix (digits
   * dropped, so timestamps still compare) — the headers and body records that follow under the
   * same prefix join this event, up to `<-- END HTTP`.
   */
  okPrefix: string | null;
}

const OK_STATUS = /^<-- [45]\d\d\b/;

const RECORD_KEY = /"(?:level|msg|message|time|@timestamp|severity|log\.level|ts)"\s*:/;

const HINT = /easemob|easecdn|chat\.agora\.io|io\.agora\.chat/i;

interface Found {
  parser: string;
  meta: LineMeta;
  raw: string;
  ts: number | null;
  method: string | null;
  urls: string[];
  host: string | null;
  status: number | null;
  body: ErrBody | null;
  exception: string | null;
  noResponse: NoResponse | null;
  success: boolean;
  hint: boolean;
}

export function createParser(opts: ParserOptions): EventParser {
  const tz = opts.timezone ?? hostZone();
  const now = opts.now ?? Date.now;
  const apiHosts = opts.apiHosts ?? [];
  const others = opts.includeOtherApis === true;
  const hostMarks = apiHosts.map((h) => h.replace(/^\*\./, '').toLowerCase()).filter((h) => h.length > 2);
  const stats: ParserStats = { lines: 0, events: 0, malformed: 0, clockSkew: 0 };
  let draft: Draft | null = null;
  let prev: string | null = null;
  let lastStatusOnly = 0;
  /** Time of the container wrapper around the current line (Docker/CRI), if any. */
  let wrapTime: string | null = null;

  const easemobUrl = (u: string): boolean => {
    const pe = parseEndpoint(u);
    return pe.host ? isEasemobHost(pe.host, apiHosts) : looksLikeEasemobPath(pe.path);
  };
  const pick = (urls: string[]): number => {
    const i = urls.findIndex(easemobUrl);
    return i >= 0 ? i : 0;
  };
  const hinted = (t: string): boolean => HINT.test(t) || hostMarks.some((h) => t.indexOf(h) >= 0);

  function emit(f: Found, out: ApiErrorEvent[]): void {
    const status = f.status;
    if (status !== null && status < 400) return; // a success never yields an event
    // No status but an Easemob error body (SDK debug logs, body logged on its own): still an
    // event, with status null — never guessed from the error code; the rule engine keys on
    // `error` when status is null.
    if (status === null && !f.body && !f.noResponse) return;
    if (status === null && f.success && !f.noResponse) return;
    const url = f.urls.length ? f.urls[pick(f.urls)] : null;
    const pe = url ? parseEndpoint(url) : null;
    const host = pe?.host ?? f.host;
    // Scope. A host in the URL decides; a host from another field (less reliable: may be the
    // app's own) only adds to the path shape; with neither, Easemob markers or an Easemob body.
    const bodyEm = f.body !== null && bodyIsEasemob(f.body);
    let easemob: boolean;
    if (pe?.host) easemob = isEasemobHost(pe.host, apiHosts);
    else if (pe && pe.path !== '/') {
      easemob = looksLikeEasemobPath(pe.path) || (f.host !== null && isEasemobHost(f.host, apiHosts)) ||
        (f.host === null && (f.hint || bodyEm) && isRelativeEasemobPath(pe.path));
    } else if (f.host) easemob = isEasemobHost(f.host, apiHosts);
    else easemob = f.hint || bodyEm;
    if (!easemob && !opts.includeOtherApis) return;
    // OkHttp/requests-style logging: "<-- 401 https://…" then, a few records later, the body.
    if (status === null && !url && !f.noResponse && lastStatusOnly > 0 && f.meta.lineNo - lastStatusOnly <= BODY_FOLLOWS) {
      lastStatusOnly = 0;
      return;
    }
    lastStatusOnly = status !== null && !f.body && f.raw.includes('<-- ') ? f.meta.lineNo : 0;
    let ts = f.ts;
    let fromLine = ts !== null;
    if (ts !== null && ts - now() > MAX_FUTURE_MS) {
      stats.clockSkew++;
      ts = null;
      fromLine = false;
    }
    const b = f.body;
    const ev: ApiErrorEvent = {
      ts: ts ?? f.meta.readTime,
      tsFromLine: fromLine,
      source: opts.source,
      line: f.meta.lineNo,
      offset: f.meta.offset,
      method: f.method ? f.method.toUpperCase() : null,
      url: url ? redact(url) : null,
      endpoint: pe ? pe.endpoint : null,
      appkey: easemob ? pe?.appkey ?? null : null,
      host,
      status,
      error: b && b.error ? redact(b.error) : null,
      errorDescription: b && b.errorDescription ? redact(b.errorDescription) : null,
      exception: b?.exception ? redact(b.exception) : f.exception ? redact(f.exception) : null,
      // Redact before the final cut so a secret straddling the cap is still caught whole.
      raw: capRaw(redact(f.raw.length > MAX_RAW + 1024 ? f.raw.slice(0, MAX_RAW + 1024) : f.raw)),
      parser: f.parser,
    };
    if (status === null && f.noResponse && !b) ev.noResponse = f.noResponse;
    stats.events++;
    out.push(ev);
  }

  function finishDraft(d: Draft, out: ApiErrorEvent[]): void {
    const text = d.analysis.join('\n');
    const tf = analyzeText(text);
    if (tf.deep) { stats.malformed++; return; }
    let urls = tf.urls;
    let method = tf.method;
    let host = tf.host;
    let hint = d.hint || hinted(text);
    // The URL of a failed call is often on the logger line just before the exception.
    if (urls.length === 0 && !host && d.prev) {
      const pf = analyzeText(clip(d.prev));
      urls = pf.urls;
      method ??= pf.method;
      host = pf.host;
      hint ||= hinted(d.prev);
    }
    const first = d.analysis[0] ?? '';
    let ts = timeFromText(first, tz, now());
    if (ts === null && d.wrapTime) ts = timeFromText(d.wrapTime, tz, now());
    if (ts === null && d.prev) ts = timeFromText(d.prev, tz, now());
    const parser = tf.sdk ?? (tf.status === null && tf.noResponse && !tf.body ? 'client' : 'embedded');
    emit({
      parser, meta: d.meta, raw: d.raw, ts, method, urls, host, status: tf.status, body: tf.body,
      exception: tf.exception, noResponse: tf.noResponse, success: tf.success, hint,
    }, out);
  }

  function flushDraft(out: ApiErrorEvent[]): void {
    const d = draft;
    draft = null;
    if (d) finishDraft(d, out);
  }

  function jsonLine(line: string, start: number, meta: LineMeta, out: ApiErrorEvent[]): boolean {
    let rec: unknown;
    try {
      rec = JSON.parse(start === 0 ? line : line.slice(start));
    } catch {
      return false;
    }
    if (rec === null || typeof rec !== 'object' || Array.isArray(rec)) return false;
    // Behind a prefix, only a log record counts (syslog/CRI); a bare body there is embedded text.
    if (start > 0 && !RECORD_KEY.test(line.slice(start, start + 400))) return false;
    const jf = analyzeJson(rec as Record<string, unknown>, tz, now(), pick);
    if (jf.deep) { stats.malformed++; return true; }
    let ts = jf.ts;
    if (ts === null && start > 0) ts = timeFromText(line, tz, now());
    if (ts === null && wrapTime) ts = timeFromText(wrapTime, tz, now());
    emit({
      parser: 'json', meta, raw: line, ts, method: jf.method, urls: jf.urls, host: jf.host, status: jf.status,
      body: jf.body, exception: jf.exception, noResponse: jf.noResponse, success: jf.success,
      hint: jf.urls.length === 0 && !jf.host && hinted(line),
    }, out);
    return true;
  }

  function accessLine(line: string, meta: LineMeta, out: ApiErrorEvent[]): boolean {
    const a = parseAccess(line);
    if (!a) return false;
    if (a.status < 400) return true;
    const eh = a.hosts.find((h) => isEasemobHost(h, apiHosts));
    emit({
      parser: 'access', meta, raw: line, ts: timeFromText(a.timeText, tz, now()), method: a.method,
      urls: [a.url], host: /^https?:\/\//i.test(a.url) ? null : eh ?? null, status: a.status, body: null,
      exception: null, noResponse: null, success: false, hint: false,
    }, out);
    return true;
  }

  function garbage(line: string): boolean {
    if (line.indexOf('\u0000') >= 0) return true;
    let i = line.indexOf('\uFFFD');
    if (i < 0) return false;
    let n = 0;
    while (i >= 0 && n <= 3) { n++; i = line.indexOf('\uFFFD', i + 1); }
    return n > 3 && n * 20 > Math.min(line.length, 2000) / 10;
  }

  function startDraft(line: string, meta: LineMeta): void {
    draft = {
      meta, raw: line.length > MAX_RAW + 1024 ? line.slice(0, MAX_RAW + 1024) : line, analysis: [clip(line)],
      analysisLen: line.length, lines: 1, prev, hint: false, colon: line.charCodeAt(line.length - 1) === 58,
      wrapTime, okPrefix: null,
    };
    const k = line.indexOf('<-- ');
    if (k >= 0 && k < 300 && OK_STATUS.test(line.slice(k, k + 12))) draft.okPrefix = line.slice(0, k).replace(DIGITS, '');
  }

  function appendDraft(d: Draft, line: string): void {
    d.lines++;
    if (d.raw.length < MAX_RAW + 1024) d.raw += '\n' + (line.length > MAX_RAW ? line.slice(0, MAX_RAW) : line);
    if (!d.hint && line.indexOf('easemob') >= 0) d.hint = true;
    d.colon = line.charCodeAt(line.length - 1) === 58;
    if (!isFrame(line) && d.analysisLen < MAX_ANALYSIS && d.analysis.length < 400) {
      const c = clip(line);
      d.analysis.push(c);
      d.analysisLen += c.length;
    }
  }

  function process(line: string, meta: LineMeta, out: ApiErrorEvent[]): void {
    if (line.length > MAX_LINE) {
      stats.malformed++;
      flushDraft(out);
      prev = null;
      return;
    }
    // Container log wrappers: Docker json-file `{"log":"…\n","stream":…,"time":…}` and CRI
    // `<time> stdout F <line>` carry the app's own line — unwrap it so multi-line records and
    // every shape work as on the host. Docker lines are decoded only when it can matter.
    wrapTime = null;
    const w0 = line.charCodeAt(0);
    if (w0 === 123 && line.startsWith('{"log":')) {
      if (!draft && !candidate(line, hostMarks, others)) {
        prev = line.length > 4096 ? null : line;
        return;
      }
      const u = unwrapDocker(line);
      if (u) {
        line = u.text;
        wrapTime = u.time;
      }
    } else if (w0 >= 48 && w0 <= 57 && line.charCodeAt(4) === 45) {
      const sp = line.indexOf(' ', 19);
      if (sp > 0 && sp < 40 && (line.startsWith(' stdout ', sp) || line.startsWith(' stderr ', sp)) && line.charCodeAt(sp + 9) === 32) {
        wrapTime = line.slice(0, sp);
        line = line.slice(sp + 10);
      }
    }
    if (draft && draft.okPrefix !== null) {
      const r = okFollows(draft, line);
      if (r > 0) {
        appendDraft(draft, line);
        if (r === 2) flushDraft(out);
        prev = null;
        return;
      }
    }
    if (draft) {
      const c0 = line.charCodeAt(0);
      if ((isContinuation(line) || (draft.colon && (c0 === 123 || c0 === 91))) && draft.lines < MAX_DRAFT_LINES) {
        appendDraft(draft, line);
        return;
      }
      flushDraft(out);
    }
    // Binary junk / undecodable bytes: counted, skipped. (Both searches are near-free on the
    // one-byte strings V8 makes for ASCII lines.)
    if (garbage(line)) {
      stats.malformed++;
      prev = null;
      return;
    }
    if (!candidate(line, hostMarks, others)) {
      prev = line.length > 4096 ? null : line; // context for an exception line that may follow
      return;
    }
    if (isContinuation(line) && !line.startsWith('HTTP response code:') && !EXC_HEADER.test(line)) {
      prev = null;
      return; // an orphan frame/caused-by never starts an event
    }
    // Colourised console output (winston colorize, pino-pretty, Spring Boot ANSI).
    if (line.indexOf('\u001b[') >= 0) line = line.replace(/\u001b\[[0-9;]*m/g, '');
    let i = 0;
    while (i < line.length && (line.charCodeAt(i) === 32 || line.charCodeAt(i) === 9)) i++;
    if (line.charCodeAt(i) === 123) {
      if (!jsonLine(line, i, meta, out)) stats.malformed++; // truncated/invalid JSON record
      prev = null;
      return;
    }
    // A JSON record behind a prefix (syslog, CRI "… stdout F {…}").
    const brace = line.indexOf('{"');
    if (brace > 0 && line.charCodeAt(line.length - 1) === 125 && jsonLine(line, brace, meta, out)) {
      prev = null;
      return;
    }
    if (line.indexOf('] "') > 0 && accessLine(line, meta, out)) {
      prev = null;
      return;
    }
    startDraft(line, meta);
    prev = null;
  }

  return {
    stats,
    push(line: string, meta: LineMeta): ApiErrorEvent[] {
      const out: ApiErrorEvent[] = [];
      stats.lines++;
      try {
        if (typeof line !== 'string') { stats.malformed++; return out; }
        if (line.charCodeAt(line.length - 1) === 13) line = line.slice(0, -1); // CRLF logs
        if (line.charCodeAt(0) === 0xfeff) line = line.slice(1); // BOM on a file's first line
        process(line, meta, out);
      } catch {
        stats.malformed++;
        draft = null;
      }
      return out;
    },
    flush(): ApiErrorEvent[] {
      const out: ApiErrorEvent[] = [];
      try {
        flushDraft(out);
      } catch {
        stats.malformed++;
        draft = null;
      }
      return out;
    },
    pending(): LineMeta | null {
      return draft ? draft.meta : null;
    },
  };
}

const DIGITS = /\d/g;

/**
 * Whether a line continues an OkHttp response log: 1 = a header/body record under the same
 * logger prefix, 2 = its `<-- END HTTP` / `<-- HTTP FAILED` (the event is complete), 0 = not.
 * Another request's `-->`/`<--` line ends it.
 */
function okFollows(d: Draft, line: string): number {
  const head = d.okPrefix as string;
  if (d.lines >= BODY_FOLLOWS) return 0;
  let n = 0;
  let i = 0;
  // Walk the line's prefix, skipping digits, until it has as many non-digits as the status line's.
  for (; i < line.length && n < head.length; i++) {
    const c = line.charCodeAt(i);
    if (c >= 48 && c <= 57) continue;
    if (c !== head.charCodeAt(n)) return 0;
    n++;
  }
  if (n < head.length) return 0;
  while (i < line.length && isDigit(line.charCodeAt(i))) i++;
  if (line.startsWith('<-- END HTTP', i) || line.startsWith('<-- HTTP FAILED', i)) return 2;
  if (line.startsWith('<--', i) || line.startsWith('-->', i)) return 0;
  return 1;
}

/** Docker json-file record → the app's line (trailing newline dropped) and the record's time. */
function unwrapDocker(line: string): { text: string; time: string | null } | null {
  let rec: unknown;
  try {
    rec = JSON.parse(line);
  } catch {
    return null;
  }
  const r = rec as Record<string, unknown>;
  if (!r || typeof r.log !== 'string') return null;
  const text = r.log.endsWith('\n') ? r.log.slice(0, r.log.endsWith('\r\n') ? -2 : -1) : r.log;
  return { text, time: typeof r.time === 'string' ? r.time : null };
}

function capRaw(s: string): string {
  return s.length > MAX_RAW ? s.slice(0, MAX_RAW) : s;
}

/** Errors Easemob documents, or a body carrying Easemob's `exception` field. */
function bodyIsEasemob(b: ErrBody): boolean {
  return b.exception !== null || KNOWN_ERRORS.has(b.error) || (b.error === '' && b.errorDescription !== null);
}
