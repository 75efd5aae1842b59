/**
 * Free-text analysis: status, method, URL, exception class and Easemob body from a log line
 * (or from a multi-line event's interesting lines). Shared by the text, SDK and client shapes
 * and by the message/stack fields of JSON records.
 */
import type { NoResponse } from './event.js';
import { findBodyInText, goStructBody, type ErrBody } from './body.js';
import { KNOWN_ERRORS } from './templates.js';
import { noResponseFrom } from './client.js';
import { SDK1_STATUS, SDK2_STATUS, sdk1Description, sdkShape } from './sdk.js';

export interface TextFinding {
  status: number | null;
  /** Where the status was read in the text (-1: none). */
  statusAt: number;
  method: string | null;
  /** Every URL or REST path found, in order of reliability; the caller picks the Easemob one. */
  urls: string[];
  host: string | null;
  body: ErrBody | null;
  /**
   * The body sits where the text says it is the call's response: after a failure status, or after
   * `body`/`response`/`error info :`/`HTTP response body:`; false for a body quoted in free text.
   */
  bodyIsResponse: boolean;
  success: boolean;
  deep: boolean;
  exception: string | null;
  noResponse: NoResponse | null;
  /** Which SDK message shape matched, if any. */
  sdk: 'sdk1' | 'sdk2' | null;
}

const REASONS =
  'Bad Request|Unauthorized|Payment Required|Forbidden|Not Found|Method Not Allowed|Not Acceptable|Request Timeout|Conflict|Gone|Request Entity Too Large|Payload Too Large|Unsupported Media Type|Too Many Requests|Internal Server Error|Not Implemented|Bad Gateway|Service Unavailable|Gateway Timeout|OK|Created|Accepted|No Content|Moved Permanently|Found|Not Modified';

// Ordered: the most explicit status wordings first.
const STATUS_RES: RegExp[] = [
  SDK2_STATUS, // Easemob SDK 2.x ApiException (openapi-generator)
  SDK1_STATUS, // Easemob SDK 1.x: "POST /o/a/users -> 400 Bad Request"
  /\bstatus(?:[ _-]?code|Code|Value)?["']?\s*(?:[=:]|is|of)?\s*["']?(\d{3})\b/i, // status=401, status code 401, "statusCode":401
  /\bRequest failed with status code (\d{3})\b/, // axios
  /\bResponse code (\d{3})\b/i, // got HTTPError: "Response code 401 (Unauthorized)"
  /\bResponse\{protocol=[^,]+, code=(\d{3})/, // OkHttp Response.toString()
  /\b(\d{3}) (?:Client|Server) Error: /, // Python requests HTTPError
  /\bHTTP Error (\d{3}): /, // Python urllib.error.HTTPError
  /\berror code\s*[:=]\s*(\d{3})\b/, // Easemob's demo app server: "error code : 429, error info : …"
  /\bHTTP ERROR (\d{3})\b/, // Jetty's error page
  /\bdoes not indicate success: (\d{3})\b/, // .NET HttpRequestException
  /ClientResponseError: (\d{3}),/, // aiohttp
  new RegExp(`(?:^|[\\s\\[("':>\`])(\\d{3}) (?:${REASONS})\\b`), // "401 Unauthorized", Spring, Feign "[401 Unauthorized]", Guzzle
  /\b(\d{3}) : ["[{]/, // Spring 6 with empty reason: 401 : "{…}"
  /HTTP\/\d(?:\.\d)?"? (\d{3})\b/, // HTTP/1.1 401 / access-log "… HTTP/1.1" 401
  /\bHTTP (\d{3})\b/, // HTTP 401
  // App wording: "failed with 400: {…}", "failed (400)", "failed 400 {…}", "returned 404", "responded with 429 Too Many…", "got 503 (…)".
  /\b(?:failed with|failed:|returned|responded with|got|received)(?: an?)?(?: HTTP| status(?: code)?| code)? (\d{3})(?=\s*[:,;)]|\s*$|\s+[A-Z{[(])/,
  // Bare "failed (400)" / "failed 400 {…}": 4xx/5xx only, so nginx's "connect() failed (111: …)" stays an errno.
  /\bfailed \(?([45]\d\d)\)?(?=\s*[:,;)]|\s*$|\s+[A-Z{[(])/,
  // The API named, then the status, then the URL: Monolog/Serilog app wording "Easemob 401 https://…".
  /\b(?:[Ee]asemob|环信)\s+(\d{3})\s+https?:\/\//,
  /(?:->|=>|→)\s*(\d{3})\b/, // -> 401
  /<-- (\d{3}) /, // OkHttp HttpLoggingInterceptor `<-- 429 https://… (12ms)` (HTTP/2: no reason)
];

// URL just followed by a bare status: an app's own outbound access log "POST https://… 429 35ms".
// Anchored right after each URL found (a free-floating version is quadratic on long tokens).
const AFTER_URL_STATUS = /^\s+(\d{3})(?=\s|$|,|;)(?!\s*ms)/;

const METHODS = 'GET|POST|PUT|DELETE|PATCH|HEAD|OPTIONS';
const METHOD_URL = new RegExp(`\\b(${METHODS})\\]?\\s+(?:to\\s+\\[?|request for\\s+)?["'\\[]?((?:https?:\\/\\/|\\/)[^\\s"'\\]<>]*)`, 'g');
// Go *url.Error, also inside a quoted logfmt/JSON value (`err="Post \"https://…\": …"`).
const GO_URL = /\b(Get|Post|Put|Delete|Patch|Head) \\?"(https?:\/\/[^"\\]+)\\?"/;
const REQUEST_FOR = new RegExp(`\\b(${METHODS}) request for "([^"]+)"`); // Spring ResourceAccessException
const ANY_URL = /https?:\/\/[^\s"'<>\\\])},;|`]+/g;
const PY_HOST = /ConnectionPool\(host='([^']+)'/; // urllib3/requests
const PY_URL = /with url: (\/[^\s]*)/;
const ATTEMPTED = /attempted address: ([A-Za-z0-9.-]+\.[A-Za-z]{2,}):\d+/; // undici ConnectTimeoutError
const URL_KV = /\b(?:url|uri|path|request_uri)["']?\s*[:=]\s*["']?(\/[^\s"',]{1,2000})/;
// Ruby Hash#inspect (Faraday's `e.response.inspect`): `:request=>{:method=>:post, :url_path=>"/o/a/users"`.
const RUBY_URL = /:url_path=>"(\/[^\s"]{1,2000})"/;
const METHOD_ONLY = new RegExp(`(?:^|[\\s\\[("'=:])(${METHODS})(?=[\\s\\]"',)])`);
const METHOD_WORD = new RegExp(`^(?:${METHODS})$`, 'i');
// `method=POST`, `"method":"POST"`, Ruby's `:method=>:post`.
const METHOD_KV = /\bmethod["']?\s*(?:[=:]|=>)\s*["':]?([A-Za-z]{3,7})\b/i;
const EXC = /\b((?:[A-Za-z_$][\w$]{0,40}(?:\.|::)){1,12}[A-Z][\w$]{0,80}?(?:Exception|Error|Timeout|Refused|Reset|Failure)[\w$]{0,40}|(?:[A-Z]\w{0,40}\\{1,2}){1,8}[A-Z]\w{0,80}?(?:Exception|Error))\b/; // Java/Python/.NET FQCN, Ruby A::B, PHP namespace (also JSON-escaped)
const EXC_SIMPLE = /\b([A-Z][A-Za-z]{0,80}?(?:Exception|Error|Timeout))(?=:|\s|$|\(|\b)/;

const okStatus = (n: number): boolean => n >= 100 && n <= 599;

/**
 * The call's status: the first one the text states, in reading order. A logger writes the status
 * line before the body, so a number inside the body (a 200 whose group description says "HTTP
 * 429 Too Many Requests") never outranks it.
 */
export function statusFromText(t: string): { status: number; at: number } | null {
  // Only a status outside the bodies the text carries: one inside is the body's text.
  return leftmostStatus(maskBodies(t));
}

const HTML_OPEN = /<html[\s>]/gi;
const HTML_CLOSE = /<\/html>/i;
const MAX_MASK = 65536;

/**
 * The text with its embedded bodies (a `{…}` object, an `<html>…</html>` page) blanked out, same
 * length, so positions still match. A status or reason phrase in there is the body's, not the
 * call's (a 200 whose group description says "HTTP 429 Too Many Requests is my life"). Any other
 * top-level object is the record's fields (see OWN_BODY): it stays, with what is nested in it blanked.
 */
function maskBodies(t: string): string {
  if (t.indexOf('{') < 0 && t.indexOf('<') < 0) return t;
  const chars = t.split('');
  maskObjects(t, 0, Math.min(t.length, MAX_MASK), chars, true);
  HTML_OPEN.lastIndex = 0;
  let m: RegExpExecArray | null;
  while ((m = HTML_OPEN.exec(t)) !== null && m.index < MAX_MASK) {
    const c = HTML_CLOSE.exec(t.slice(m.index));
    const end = c ? m.index + c.index + c[0].length : t.length;
    for (let k = m.index; k < end; k++) chars[k] = ' ';
    HTML_OPEN.lastIndex = end;
  }
  return chars.join('');
}

/**
 * A response body at an object's own level (nested objects already blanked): an `error` or
 * `action` key (Easemob's error body and success envelope, Python's dict repr of them), Go's
 * `{Error:…}`. Other objects are the record's own fields (Monolog context, zap console fields, an
 * error object) and keep their status.
 */
const OWN_BODY = /^\{Error:|[{,]\s*\\*["'](?:error|action)\\*["']\s*:/;
/** Keys of a record's fields (zap console `{"status": 429, "url": …, "error": "unexpected status"}`). */
const OWN_FIELDS = /[{,]\s*["'](?:status|statusCode|status_code|url|uri|method|msg|message|level|request_id|requestId)["']\s*:/;

function maskObjects(t: string, from: number, to: number, chars: string[], top: boolean): void {
  for (let i = t.indexOf('{', from); i >= 0 && i < to; ) {
    let end = balancedClose(t, i);
    if (end < 0 || end > to) {
      // Never closes (cut short): blank only the rest of its line (not searched again: linear).
      const nl = t.indexOf('\n', i);
      end = Math.max(i + 1, Math.min(to, nl < 0 ? t.length : nl));
      for (let k = i; k < end; k++) chars[k] = ' ';
      i = t.indexOf('{', end);
      continue;
    }
    maskObjects(t, i + 1, end - 1, chars, false);
    const own = chars.slice(i, end).join('');
    if (!top || (OWN_BODY.test(own) && !OWN_FIELDS.test(own))) for (let k = i; k < end; k++) chars[k] = ' ';
    i = t.indexOf('{', end);
  }
}

/** End (exclusive) of the `{…}` opened at i; -1 when it never closes. */
function balancedClose(t: string, i: number): number {
  let depth = 0;
  let inStr = false;
  const end = Math.min(t.length, i + MAX_MASK);
  for (let j = i; j < end; j++) {
    const c = t.charCodeAt(j);
    if (inStr) {
      if (c === 92) j++;
      else if (c === 34) inStr = false;
    } else if (c === 34) inStr = true;
    else if (c === 123) depth++;
    else if (c === 125 && --depth === 0) return j + 1;
  }
  return -1;
}

function leftmostStatus(t: string): { status: number; at: number } | null {
  let best: { status: number; at: number } | null = null;
  for (const re of STATUS_RES) {
    const m = re.exec(t);
    if (!m) continue;
    const n = +m[1];
    const at = m.index + m[0].indexOf(m[1]);
    if (okStatus(n) && (best === null || at < best.at)) best = { status: n, at };
  }
  return best;
}

// Words that say "what follows is the response" just before a body.
const RESPONSE_MARK = /(?:body|response|resp|res|error info|data|result|content|entity|reply|returned|answer(?:ed)?)\s*(?:[:=]|->|is)?\s*["'`(\[]?\s*$/i;
const MARK_WINDOW = 40;

/** Whether the body at `at` is positioned as the response of the call (see TextFinding). */
function bodyIsResponseAt(t: string, at: number, status: { status: number; at: number } | null): boolean {
  if (status !== null && status.status >= 400 && status.at < at) return true;
  return RESPONSE_MARK.test(t.slice(Math.max(0, at - MARK_WINDOW), at));
}

// logfmt / key=value fields of a response: `error="illegal_argument" error_description="…"`,
// `error=invalid_grant description=client_id does not match [rid=…]` (unquoted: to a last
// ` […]` tag, the next ` key=` or the end of the line).
const FIELD_ERROR = /(?:^|[\s,;(\[{])error=(?:"([A-Za-z][\w .\-]{0,63})"|([A-Za-z][\w.\-]{0,63}))(?=[\s,;)\]}]|$)/;
const FIELD_DESC = /(?:^|\s)(?:error_description|errorDescription|error_desc|description)=(?:"((?:[^"\\\n]|\\.){0,400})"|([^\n]*?)(?=\s+\[[^\]\n]*\](?:[;,]|\s*$)|;\s|\s+[\w.]+=|\s*$))/m;
const FIELD_EXC = /(?:^|\s)exception=(?:"([\w.$]{1,200})"|([\w.$]{1,200}))/;

function fieldsBody(t: string): { body: ErrBody; at: number } | null {
  if (t.indexOf('error=') < 0) return null;
  const e = FIELD_ERROR.exec(t);
  if (!e) return null;
  const code = e[1] ?? e[2];
  const rest = t.slice(e.index);
  const d = FIELD_DESC.exec(rest);
  const desc = d ? (d[1] !== undefined ? unescapeField(d[1]) : d[2].trim()) : null;
  const x = FIELD_EXC.exec(rest);
  const exception = x ? x[1] ?? x[2] : null;
  if (!desc && exception === null && !KNOWN_ERRORS.has(code)) return null;
  return { body: { error: code, errorDescription: desc || null, exception, signed: exception !== null }, at: e.index };
}

function unescapeField(v: string): string {
  return v.replace(/\\(["\\])/g, '$1').replace(/\\n/g, '\n');
}

function trimUrl(u: string): string {
  return u.replace(/[.,:;)\]}>'"`]+$/, '');
}

// Hosts named without a URL: "Connect to a1.easemob.com:443", "host='…'", "a1.easemob.com:443 failed to respond".
const EM_SUFFIXES = ['.easemob.com', '.easecdn.com', '.chat.agora.io'];
function emHost(t: string): string | null {
  for (const suf of EM_SUFFIXES) {
    const i = t.indexOf(suf);
    if (i <= 0) continue;
    let j = i;
    while (j > 0 && /[A-Za-z0-9.-]/.test(t[j - 1]) && i - j < 200) j--;
    if (j < i) return t.slice(j, i + suf.length).toLowerCase();
  }
  return null;
}
// Node util.inspect of an error (console.error(err)): unquoted keys, single-quoted values.
const INSPECT_ERR = /^\s*error: '([A-Za-z][\w .-]{0,63})',?$/m;
const INSPECT_DESC = /^\s*error_description: '((?:[^'\\]|\\.)*)',?$/m;
const INSPECT_EXC = /^\s*exception: '([^']*)',?$/m;

export function analyzeText(t: string): TextFinding {
  const f: TextFinding = {
    status: null, statusAt: -1, method: null, urls: [], host: null, body: null, bodyIsResponse: false, success: false,
    deep: false, exception: null, noResponse: null, sdk: null,
  };
  f.sdk = sdkShape(t);

  const tb = findBodyInText(t);
  f.body = tb.body;
  f.success = tb.success;
  f.deep = tb.deep;
  const st = statusFromText(t);
  if (st) {
    f.status = st.status;
    f.statusAt = st.at;
  }
  if (f.body) {
    // After the status line or a response word; or, in a record that failed with a status, a body
    // written as itself (not quoted inside text): loguru's "failed: {body}" above the HTTPError.
    f.bodyIsResponse = bodyIsResponseAt(t, tb.at, st) || (!tb.quoted && st !== null && st.status >= 400);
  } else {
    const fb = fieldsBody(t) ?? goStructBody(t);
    if (fb && st && st.status >= 400 && st.at < fb.at) {
      f.body = fb.body;
      f.bodyIsResponse = true;
    }
  }

  let m: RegExpExecArray | null;
  if ((m = REQUEST_FOR.exec(t))) {
    f.method = m[1];
    f.urls.push(m[2]);
  }
  if ((m = GO_URL.exec(t))) {
    f.method ??= m[1].toUpperCase();
    f.urls.push(m[2]);
  }
  METHOD_URL.lastIndex = 0;
  let n = 0;
  while ((m = METHOD_URL.exec(t)) !== null && n++ < 6) {
    const u = trimUrl(m[2]);
    if (u.length < 2) continue;
    if (f.status === null && u.startsWith('/')) {
      const s = AFTER_URL_STATUS.exec(t.slice(METHOD_URL.lastIndex, METHOD_URL.lastIndex + 24));
      if (s && okStatus(+s[1])) {
        f.status = +s[1];
        f.statusAt = METHOD_URL.lastIndex;
      }
    }
    f.method ??= m[1];
    f.urls.push(u);
  }
  ANY_URL.lastIndex = 0;
  n = 0;
  while ((m = ANY_URL.exec(t)) !== null && n++ < 8) {
    // OkHttp names its threads `OkHttp https://host/...`: an elided URL, never the call's.
    if (m[0].endsWith('/...')) continue;
    f.urls.push(trimUrl(m[0]));
    if (f.status === null) {
      const s = AFTER_URL_STATUS.exec(t.slice(ANY_URL.lastIndex, ANY_URL.lastIndex + 24));
      if (s && okStatus(+s[1])) {
        f.status = +s[1];
        f.statusAt = ANY_URL.lastIndex;
      }
    }
  }
  if ((m = PY_HOST.exec(t))) {
    f.host = m[1].toLowerCase();
    const p = PY_URL.exec(t);
    if (p) f.urls.push(p[1]);
  }
  // `url: '/o/a/users'`, `"url": "/o/a/users"`, `url=/o/a/users` (pino-pretty, util.inspect, logfmt).
  if ((m = URL_KV.exec(t))) f.urls.push(trimUrl(m[1]));
  if ((m = RUBY_URL.exec(t))) f.urls.push(m[1]);
  // urllib3 debug: `https://a1.easemob.com:443 "POST /acme/chat/users HTTP/1.1" 401` — a bare origin
  // plus a request line: join them so the endpoint is not lost.
  const origin = f.urls.find((u) => /^https?:\/\/[^/?#]+\/?$/i.test(u));
  const rel = f.urls.find((u) => u.startsWith('/') && u.length > 1);
  if (origin && rel) f.urls.unshift(origin.replace(/\/$/, '') + rel);
  if (!f.host && (m = ATTEMPTED.exec(t))) f.host = m[1].toLowerCase();
  if (!f.host && f.urls.length === 0) f.host = emHost(t);
  if (!f.method) {
    m = METHOD_KV.exec(t) ?? METHOD_ONLY.exec(t);
    if (m && METHOD_WORD.test(m[1])) f.method = m[1].toUpperCase();
  }
  m = EXC.exec(t) ?? EXC_SIMPLE.exec(t);
  if (m) f.exception = m[1].indexOf('\\\\') >= 0 ? m[1].replace(/\\\\/g, '\\') : m[1]; // PHP class in escaped JSON
  if (f.status === null) f.noResponse = noResponseFrom(t);
  if (!f.body && (m = INSPECT_ERR.exec(t))) {
    const d = INSPECT_DESC.exec(t);
    const x = INSPECT_EXC.exec(t);
    if (d || x) {
      f.body = { error: m[1], errorDescription: d ? d[1] : null, exception: x ? x[1] : null, signed: x !== null };
      f.bodyIsResponse = true; // util.inspect of the client's error: its response data
    }
  }
  // SDK 1.x puts only the description in its message: "… -> 400 Bad Request, \n error_description -> …"
  if (!f.body && f.sdk === 'sdk1') {
    const d = sdk1Description(t);
    if (d !== null) {
      f.body = { error: '', errorDescription: d, exception: null };
      f.bodyIsResponse = true;
    }
  }
  return f;
}
