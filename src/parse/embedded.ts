/**
 * Free-text analysis: status, method, URL, exception class and Easemob body from a log line
 * (or from a multi-line event's interesting lines). Shared by the text, SDK and client shapes
 * and by the message/stack fields of JSON records.
 */
import type { NoResponse } from './event.js';
import { findBodyInText, type ErrBody } from './body.js';
import { noResponseFrom } from './client.js';
import { SDK1_STATUS, SDK2_STATUS, sdk1Description, sdkShape } from './sdk.js';

export interface TextFinding {
  status: number | null;
  method: string | null;
  /** Every URL or REST path found, in order of reliability; the caller picks the Easemob one. */
  urls: string[];
  host: string | null;
  body: ErrBody | null;
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
  /\bdoes not indicate success: (\d{3})\b/, // .NET HttpRequestException
  /ClientResponseError: (\d{3}),/, // aiohttp
  new RegExp(`(?:^|[\\s\\[("':>\`])(\\d{3}) (?:${REASONS})\\b`), // "401 Unauthorized", Spring, Feign "[401 Unauthorized]", Guzzle
  /\b(\d{3}) : ["[{]/, // Spring 6 with empty reason: 401 : "{…}"
  /HTTP\/\d(?:\.\d)?"? (\d{3})\b/, // HTTP/1.1 401 / access-log "… HTTP/1.1" 401
  /\bHTTP (\d{3})\b/, // HTTP 401
  // App wording: "failed with 400: {…}", "returned 404", "responded with 429 Too Many…", "got 503 (…)".
  /\b(?:failed with|failed:|returned|responded with|got|received)(?: an?)?(?: HTTP| status(?: code)?| code)? (\d{3})(?=\s*[:,;)]|\s*$|\s+[A-Z{[(])/,
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
const METHOD_ONLY = new RegExp(`(?:^|[\\s\\[("'=:])(${METHODS})(?=[\\s\\]"',)])`);
const METHOD_WORD = new RegExp(`^(?:${METHODS})$`, 'i');
const METHOD_KV = /\bmethod["']?\s*[=:]\s*["']?([A-Za-z]{3,7})\b/i;
const EXC = /\b((?:[A-Za-z_$][\w$]{0,40}(?:\.|::)){1,12}[A-Z][\w$]{0,80}?(?:Exception|Error|Timeout|Refused|Reset|Failure)[\w$]{0,40}|(?:[A-Z]\w{0,40}\\{1,2}){1,8}[A-Z]\w{0,80}?(?:Exception|Error))\b/; // Java/Python/.NET FQCN, Ruby A::B, PHP namespace (also JSON-escaped)
const EXC_SIMPLE = /\b([A-Z][A-Za-z]{0,80}?(?:Exception|Error|Timeout))(?=:|\s|$|\(|\b)/;

const okStatus = (n: number): boolean => n >= 100 && n <= 599;

export function statusFromText(t: string): number | null {
  for (const re of STATUS_RES) {
    const m = re.exec(t);
    if (m) {
      const n = +m[1];
      if (okStatus(n)) return n;
    }
  }
  return null;
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
    status: null, method: null, urls: [], host: null, body: null, success: false, deep: false,
    exception: null, noResponse: null, sdk: null,
  };
  f.sdk = sdkShape(t);

  const tb = findBodyInText(t);
  f.body = tb.body;
  f.success = tb.success;
  f.deep = tb.deep;
  f.status = statusFromText(t);

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
      if (s && okStatus(+s[1])) f.status = +s[1];
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
      if (s && okStatus(+s[1])) f.status = +s[1];
    }
  }
  if ((m = PY_HOST.exec(t))) {
    f.host = m[1].toLowerCase();
    const p = PY_URL.exec(t);
    if (p) f.urls.push(p[1]);
  }
  // `url: '/o/a/users'`, `"url": "/o/a/users"`, `url=/o/a/users` (pino-pretty, util.inspect, logfmt).
  if ((m = URL_KV.exec(t))) f.urls.push(trimUrl(m[1]));
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
    if (d || x) f.body = { error: m[1], errorDescription: d ? d[1] : null, exception: x ? x[1] : null };
  }
  // SDK 1.x puts only the description in its message: "… -> 400 Bad Request, \n error_description -> …"
  if (!f.body && f.sdk === 'sdk1') {
    const d = sdk1Description(t);
    if (d !== null) f.body = { error: '', errorDescription: d, exception: null };
  }
  return f;
}
