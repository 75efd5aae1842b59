/**
 * Stage 1 of the parser: lines → records. A record is one log record as its logger wrote it: a
 * JSON line, an access-log line, or a text line with its continuation lines (stack frames and
 * `Caused by:`, a Python traceback, the Easemob SDK's two- and four-line messages, a body
 * pretty-printed over several lines, an HTML error page, OkHttp's response records under one
 * prefix). Records are built only from lines the prefilter passes (and what follows them), so the
 * bulk path, which hands over only those lines and the line before each, builds the same records.
 * Nothing here decides whether a record is an event (src/parse/evidence.ts does).
 */
import type { LineMeta } from './event.js';
import { MAX_RAW } from './event.js';
import { EXC_HEADER, isContinuation, isFrame } from './multiline.js';
import { parseAccess, type AccessFinding } from './access.js';

/** Longer lines are counted malformed and skipped (memory and time stay bounded). */
export const MAX_LINE = 1 << 20;
const MAX_RECORD_LINES = 1000;
const MAX_ANALYSIS = 64 * 1024;
const MAX_ANALYSIS_LINES = 400;
/** Text regexes see at most this much of one line (keeps worst-case regex time bounded). */
const LINE_ANALYSIS = 8 * 1024;
/** Context lines longer than this are not kept (a logger line before an exception is short). */
const MAX_PREV = 4096;
/** OkHttp: headers and body records that follow a `<-- 401 …` status line, at most. */
export const OK_FOLLOW_LINES = 20;
const RAW_KEEP = MAX_RAW + 1024;

// Character codes the assembler branches on.
const TAB = 9;
const SPACE = 32;
const COMMA = 44;
const SEMICOLON = 59;
const LT = 60;
const RPAREN = 41;
const COLON = 58;
const LBRACE = 123;
const LBRACKET = 91;
const DIGIT_0 = 48;
const DIGIT_9 = 57;
const HYPHEN = 45;
const CR = 13;
const BOM = 0xfeff;

export const clip = (s: string): string => (s.length > LINE_ANALYSIS ? clipLong(s) : s);

/**
 * A long line is analysed on its head — except Guzzle's MessageFormatter::DEBUG record on one line
 * (`>>>>>>>> {request} <<<<<<<< {response} -------- {error}`), where a big request body would push
 * the response out of the head: there the request's body is left out (its request line and headers
 * name the call; its body is never the response).
 */
function clipLong(s: string): string {
  const a = s.indexOf('>>>>>>>>');
  const b = a >= 0 && a < LINE_ANALYSIS ? s.indexOf('<<<<<<<<', a) : -1;
  if (b > 0) {
    let body = a;
    for (let i = a; i < b && i < a + LINE_ANALYSIS; i++) {
      const c = s.charCodeAt(i);
      if (c === LBRACE || c === LBRACKET) { body = i; break; }
    }
    if (body > a) {
      const t = s.slice(0, body) + s.slice(b);
      return t.length > LINE_ANALYSIS ? t.slice(0, LINE_ANALYSIS) : t;
    }
  }
  return s.slice(0, LINE_ANALYSIS);
}
const isDigit = (c: number): boolean => c >= DIGIT_0 && c <= DIGIT_9;

export interface TextRecord {
  kind: 'text';
  meta: LineMeta;
  /** The lines analysed (stack frames dropped, each clipped). */
  text: string[];
  /** Raw text of every line, capped. */
  raw: string;
  lines: number;
  /** The line before the record (the logger line before an exception carries URL and time). */
  prev: string | null;
  /** java.util.logging's date line, when the record is the `SEVERE:` line under it. */
  header: string | null;
  /** Time of the container wrapper (Docker/CRI) around the first line. */
  wrapTime: string | null;
}

export interface JsonRecord {
  kind: 'json';
  meta: LineMeta;
  raw: string;
  rec: Record<string, unknown>;
  /** Where the object starts in the line (>0: behind a syslog/CRI prefix). */
  start: number;
  wrapTime: string | null;
}

export interface AccessRecord {
  kind: 'access';
  meta: LineMeta;
  raw: string;
  access: AccessFinding;
  wrapTime: string | null;
}

export type LogRecord = TextRecord | JsonRecord | AccessRecord;

interface Draft extends TextRecord {
  analysisLen: number;
  /** Last line ended with ':' — a body on the next line belongs here (Guzzle, "Response body:"). */
  colon: boolean;
  /** Open brackets of a pretty-printed body still to be closed (OPENING: its first line is next). */
  depth: number;
  /** An HTML error page is open (`<html>` seen, `</html>` not yet). */
  html: boolean;
  /** The first line starts with a record header (RECORD_START): lines without one continue it. */
  stamped: boolean;
  /**
   * OkHttp HttpLoggingInterceptor status line `<-- 401 … url (12ms)`: its logger prefix (digits
   * dropped, so timestamps still compare) — the headers and body records that follow under the
   * same prefix join this record, up to `<-- END HTTP`.
   */
  okPrefix: string | null;
  /**
   * Faraday's :logger middleware (Faraday::Logging::Formatter): one call is written as separate
   * Logger records under the prognames `request` (the request line, its headers, its body) and
   * `response` (`Status 4xx`, headers, body). They join the record of the request line, so the
   * call, its request id, its status and its body are one record. 0: not such a record;
   * REQ_PART: in the request's headers/body (kept raw only: the request body is not the
   * response); RESP_PART: in the response's records (analysed).
   */
  faraday: number;
  /** The last line appended was empty (in an HTTP message dump: the end of the headers). */
  blank: boolean;
}

const REQ_PART = 1;
const RESP_PART = 2;
/** Ruby Logger's default format up to its progname: `I, [time #pid]  INFO -- ` (then `progname: msg`). */
export const RUBY_LOGGER_HEAD = String.raw`^[DIWEFA], \[[^\]]{1,80}\] {1,2}[A-Z]{4,5} -- `;
/** That format with Faraday's prognames: `I, [time #pid]  INFO -- request: …`. */
const FARADAY_LINE = new RegExp(`${RUBY_LOGGER_HEAD}(request|response): `);
const FARADAY_REQUEST = /^(?:GET|POST|PUT|DELETE|PATCH|HEAD|OPTIONS) https?:\/\/\S+$/;

const OPENING = -1;
const OK_STATUS = /^<-- [45]\d\d\b/;
/** A log record's own keys: a JSON object behind a prefix is a record only with one of them. */
const RECORD_KEY = /"(?:level|msg|message|time|@timestamp|severity|log\.level|ts)"\s*:/;
const ANSI = /\u001b\[[0-9;]*m/g;
const DIGITS = /\d/g;
// java.util.logging SimpleFormatter: `Dec 02, 2026 1:00:51 PM class method`, then `SEVERE: msg`.
const JUL_DATE = /^[A-Z][a-z]{2} \d{1,2}, \d{4} \d{1,2}:\d{2}:\d{2} [AP]M /;
const JUL_LEVEL = /^(?:SEVERE|WARNING|INFO|CONFIG|FINE|FINER|FINEST): /;
const HTML_OPEN = /<html[\s>]/i;
const HTML_CLOSE = /<\/html>/i;
const SYSLOG_PRI = /^<\d{1,3}>/;

/** Net `[`/`{` opened minus closed in a line, outside JSON strings. */
function bracketDelta(s: string): number {
  let d = 0;
  let inStr = false;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (inStr) {
      if (c === 92) i++; // backslash escapes the next char
      else if (c === 34) inStr = false;
    } else if (c === 34) inStr = true;
    else if (c === LBRACE || c === LBRACKET) d++;
    else if (c === 125 || c === 93) d--;
  }
  return d;
}

/** A line that opens a pretty-printed body: `{` or `[` alone (Jackson, JSON.stringify(x, null, 2)). */
function opensPretty(line: string): boolean {
  const t = line.trimEnd();
  if (t === '{' || t === '[') return true;
  // `{ "error": "…",` — the first line of a body printed one key per line.
  const c0 = t.charCodeAt(0);
  const last = t.charCodeAt(t.length - 1);
  return (c0 === LBRACE || c0 === LBRACKET) && (last === COMMA || last === LBRACE || last === LBRACKET) && bracketDelta(t) > 0 && !RECORD_KEY.test(t);
}

/** A line that is plainly a new log record (ends an HTML page that never closed). */
/**
 * The head of a text log record: a timestamp (ISO, Go's `2006/01/02`, `[2026-…]`, pino-pretty's
 * clock, JUL's and syslog's month names), Ruby Logger's `E, [`, logfmt's `time=`/`level=`,
 * a syslog priority, an access log's client address.
 */
const RECORD_START = /^(?:\d{4}[-/]\d{2}[-/]\d{2}[T ]|\[\d{4}-\d{2}-\d{2}|\[?\d{2}:\d{2}:\d{2}|[A-Z][a-z]{2} [ \d]?\d,? |[DIWEFA], \[\d{4}-|(?:time|ts|level)=|<\d{1,3}>|\d{1,3}(?:\.\d{1,3}){3} )/;
/** A JSON log record (not a body printed inside a message): `{"` with a record's own key. */
function jsonRecordLine(line: string): boolean {
  return line.charCodeAt(0) === LBRACE && LOG_KEY.test(line.slice(0, 400));
}
/** Keys only a log record (not a response body) carries: time, level, message, template, wrapper. */
const LOG_KEY = /^\{"(?:@t|@mt|@timestamp|instant|log|version|time_local|time_iso8601|sequenceNumber)"\s*:|"(?:level|msg|message|time|@timestamp|severity|log\.level|ts|short_message)"\s*:/;
/** Lines a stamped record may absorb this way (a message printed over many lines, headers and body). */
const MAX_STAMPED_LINES = 200;

export interface AssemblerStats {
  malformed: number;
}

/**
 * Line → record assembly for one source. `candidate` is the shared prefilter: a record starts
 * only on a line it passes (or on the `SEVERE:` line under a JUL date line).
 */
export class RecordAssembler {
  private draft: Draft | null = null;
  private prev: string | null = null;
  /** Time of the container wrapper around the current line (Docker/CRI), if any. */
  private wrapTime: string | null = null;

  constructor(
    private readonly candidate: (line: string) => boolean,
    private readonly stats: AssemblerStats,
  ) {}

  pending(): LineMeta | null {
    return this.draft ? this.draft.meta : null;
  }

  /** Drop what is being assembled (after an internal error). */
  reset(): void {
    this.draft = null;
  }

  flush(out: LogRecord[]): void {
    const d = this.draft;
    this.draft = null;
    if (d) out.push(toRecord(d));
  }

  push(line: string, meta: LineMeta, out: LogRecord[]): void {
    if (line.charCodeAt(line.length - 1) === CR) line = line.slice(0, -1); // CRLF logs
    if (line.charCodeAt(0) === BOM) line = line.slice(1); // BOM on a file's first line
    if (line.length > MAX_LINE) {
      this.stats.malformed++;
      this.flush(out);
      this.prev = null;
      return;
    }
    const unwrapped = this.unwrap(line);
    if (unwrapped === null) return;
    line = unwrapped;
    const d = this.draft;
    if (d && d.okPrefix !== null) {
      const r = okFollows(d, line);
      if (r > 0) {
        append(d, line);
        if (r === 2) this.flush(out);
        this.prev = null;
        return;
      }
    }
    if (d && d.faraday !== 0 && d.lines < MAX_STAMPED_LINES) {
      const r = faradayFollows(d, line);
      if (r > 0) {
        append(d, line, r === RESP_PART);
        return;
      }
    }
    if (d) {
      if (d.lines < MAX_RECORD_LINES && continues(d, line)) {
        append(d, line);
        return;
      }
      this.flush(out);
    }
    // Binary junk / undecodable bytes: counted, skipped.
    if (garbage(line)) {
      this.stats.malformed++;
      this.prev = null;
      return;
    }
    if (!this.candidate(line)) {
      this.prev = line.length > MAX_PREV ? null : line; // context for a record that may follow
      return;
    }
    if (isContinuation(line) && !line.startsWith('HTTP response code:') && !EXC_HEADER.test(line)) {
      this.prev = null;
      return; // an orphan frame/caused-by never starts a record
    }
    // Colourised console output (winston colorize, pino-pretty, Spring Boot ANSI).
    if (line.indexOf('\u001b[') >= 0) line = line.replace(ANSI, '');
    let i = 0;
    while (i < line.length && (line.charCodeAt(i) === SPACE || line.charCodeAt(i) === TAB)) i++;
    if (line.charCodeAt(i) === LBRACE) {
      const rec = parseObject(line, i);
      if (rec) out.push({ kind: 'json', meta, raw: line, rec, start: i, wrapTime: this.wrapTime });
      else this.stats.malformed++; // truncated/invalid JSON record
      this.prev = null;
      return;
    }
    // A JSON record behind a prefix (syslog, CRI "… stdout F {…}").
    const brace = line.indexOf('{"');
    if (brace > 0 && line.charCodeAt(line.length - 1) === 125 && RECORD_KEY.test(line.slice(brace, brace + 400))) {
      const rec = parseObject(line, brace);
      if (rec) {
        out.push({ kind: 'json', meta, raw: line, rec, start: brace, wrapTime: this.wrapTime });
        this.prev = null;
        return;
      }
    }
    const access = line.indexOf('] "') > 0 ? parseAccess(line) : null;
    if (access) {
      out.push({ kind: 'access', meta, raw: line, access, wrapTime: this.wrapTime });
      this.prev = null;
      return;
    }
    this.draft = startDraft(line, meta, this.prev, this.wrapTime);
    this.prev = null;
  }

  /**
   * Container log wrappers: Docker json-file `{"log":"…\n","stream":…,"time":…}` and CRI
   * `<time> stdout F <line>` carry the app's own line — unwrap it so multi-line records and every
   * shape work as on the host. Docker lines are decoded only when it can matter. Returns null
   * when the line was consumed as context.
   */
  private unwrap(line: string): string | null {
    this.wrapTime = null;
    const w0 = line.charCodeAt(0);
    if (w0 === LBRACE && line.startsWith('{"log":')) {
      if (!this.draft && !this.candidate(line)) {
        this.prev = line.length > MAX_PREV ? null : line;
        return null;
      }
      const u = unwrapDocker(line);
      if (u) {
        this.wrapTime = u.time;
        return u.text;
      }
    } else if (isDigit(w0) && line.charCodeAt(4) === HYPHEN) {
      const sp = line.indexOf(' ', 19);
      if (sp > 0 && sp < 40 && (line.startsWith(' stdout ', sp) || line.startsWith(' stderr ', sp)) && line.charCodeAt(sp + 9) === SPACE) {
        this.wrapTime = line.slice(0, sp);
        return line.slice(sp + 10);
      }
    }
    return line;
  }
}

function parseObject(line: string, start: number): Record<string, unknown> | null {
  let rec: unknown;
  try {
    rec = JSON.parse(start === 0 ? line : line.slice(start));
  } catch {
    return null;
  }
  return rec !== null && typeof rec === 'object' && !Array.isArray(rec) ? (rec as Record<string, unknown>) : null;
}

function startDraft(line: string, meta: LineMeta, prev: string | null, wrapTime: string | null): Draft {
  const header = prev !== null && JUL_LEVEL.test(line) && JUL_DATE.test(prev) ? prev : null;
  const d: Draft = {
    kind: 'text', meta, raw: line.length > RAW_KEEP ? line.slice(0, RAW_KEEP) : line, text: [clip(line)],
    analysisLen: line.length, lines: 1, prev: header ? null : prev, header, wrapTime,
    colon: line.charCodeAt(line.length - 1) === COLON, depth: 0, html: false, okPrefix: null,
    stamped: RECORD_START.test(header ?? line), faraday: 0, blank: false,
  };
  const fm = FARADAY_LINE.exec(line);
  if (fm && fm[1] === 'request' && FARADAY_REQUEST.test(line.slice(fm[0].length))) d.faraday = REQ_PART;
  track(d, line);
  const k = line.indexOf('<-- ');
  if (k >= 0 && k < 300 && OK_STATUS.test(line.slice(k, k + 12))) d.okPrefix = line.slice(0, k).replace(DIGITS, '');
  return d;
}

/** Follow the open structures a line leaves: an HTML page, a pretty-printed body. */
function track(d: Draft, line: string): void {
  if (d.html) {
    if (HTML_CLOSE.test(line)) d.html = false;
  } else if (HTML_OPEN.test(line) && !HTML_CLOSE.test(line)) d.html = true;
  if (d.depth === OPENING) d.depth = Math.max(1, bracketDelta(line));
  else if (d.depth > 0) d.depth = Math.max(0, d.depth + bracketDelta(line));
}

/** Whether `line` continues the record being assembled. */
function continues(d: Draft, line: string): boolean {
  const c0 = line.charCodeAt(0);
  // Inside a pretty-printed body (its lines are indented or brackets) or an HTML page — unless
  // the line is plainly the next log record (a body cut short never closes).
  if (d.depth > 0 && (c0 === SPACE || c0 === TAB || c0 === 125 || c0 === 93 || c0 === LBRACE || c0 === LBRACKET)) return true;
  if (d.html && !RECORD_START.test(line) && !jsonRecordLine(line)) return true;
  d.depth = 0;
  d.html = false;
  if (isContinuation(line)) return true;
  // A body printed whole on the line after its status line (Guzzle, "Response body:"), or after
  // the empty line that ends the headers of an HTTP message dump (Guzzle's MessageFormatter::DEBUG
  // with inline line breaks) — even a request body with a `"msg"` key, which a JSON log record has too.
  if ((d.colon || (d.blank && d.stamped)) && (c0 === LBRACE || c0 === LBRACKET)) return true;
  // A body pretty-printed over the lines after its status line.
  if (opensPretty(line)) {
    d.depth = OPENING; // append() → track() counts this line's brackets
    return true;
  }
  // HTML/XML body lines; the rest of a message printed after a multi-line body (`; retrying …`).
  if (c0 === LT && !SYSLOG_PRI.test(line)) return true;
  if (c0 === SEMICOLON || c0 === COMMA || c0 === RPAREN) return true;
  // The JUL date line read as a record of its own (it named a failure): its `SEVERE:` line.
  if (d.lines === 1 && d.header === null && JUL_LEVEL.test(line) && JUL_DATE.test(d.text[0])) return true;
  // In a log whose records start with a header (a time, a level), a line without one is part of
  // the record before it — a message printed over several lines (Monolog with inline line breaks,
  // Guzzle's debug format, Faraday's logged headers), as log shippers' multiline rules read it.
  if (d.stamped && d.lines < MAX_STAMPED_LINES && !RECORD_START.test(line) && !JUL_LEVEL.test(line) && !jsonRecordLine(line)) return true;
  return false;
}

function append(d: Draft, line: string, analysed = true): void {
  d.lines++;
  if (d.raw.length < RAW_KEEP) d.raw += '\n' + (line.length > MAX_RAW ? line.slice(0, MAX_RAW) : line);
  d.colon = line.charCodeAt(line.length - 1) === COLON;
  d.blank = line.length === 0;
  track(d, line);
  if (analysed && !isFrame(line) && d.analysisLen < MAX_ANALYSIS && d.text.length < MAX_ANALYSIS_LINES) {
    const c = clip(line);
    d.text.push(c);
    d.analysisLen += c.length;
  }
}

function toRecord(d: Draft): TextRecord {
  return { kind: 'text', meta: d.meta, text: d.text, raw: d.raw, lines: d.lines, prev: d.prev, header: d.header, wrapTime: d.wrapTime };
}

function garbage(line: string): boolean {
  if (line.indexOf('\u0000') >= 0) return true;
  let i = line.indexOf('\uFFFD');
  if (i < 0) return false;
  let n = 0;
  while (i >= 0 && n <= 3) { n++; i = line.indexOf('\uFFFD', i + 1); }
  return n > 3 && n * 20 > Math.min(line.length, 2000) / 10;
}

/**
 * Whether a line continues an OkHttp response log: 1 = a header/body record under the same
 * logger prefix, 2 = its `<-- END HTTP` / `<-- HTTP FAILED` (the record is complete), 0 = not.
 * Another request's `-->`/`<--` line ends it.
 */
function okFollows(d: Draft, line: string): number {
  const head = d.okPrefix as string;
  if (d.lines >= OK_FOLLOW_LINES) return 0;
  let n = 0;
  let i = 0;
  // Walk the line's prefix, skipping digits, until it has as many non-digits as the status line's.
  for (; i < line.length && n < head.length; i++) {
    const c = line.charCodeAt(i);
    if (isDigit(c)) continue;
    if (c !== head.charCodeAt(n)) return 0;
    n++;
  }
  if (n < head.length) return 0;
  while (i < line.length && isDigit(line.charCodeAt(i))) i++;
  if (line.startsWith('<-- END HTTP', i) || line.startsWith('<-- HTTP FAILED', i)) return 2;
  if (line.startsWith('<--', i) || line.startsWith('-->', i)) return 0;
  return 1;
}

/**
 * Whether a line continues a Faraday :logger exchange: REQ_PART / RESP_PART for one of its
 * `request:` / `response:` records or their continuation lines (headers are one per line), 0 for
 * anything else — another record, or the next call's request line.
 */
function faradayFollows(d: Draft, line: string): number {
  const m = FARADAY_LINE.exec(line);
  if (m) {
    if (m[1] === 'response') return (d.faraday = RESP_PART);
    if (d.faraday === RESP_PART || FARADAY_REQUEST.test(line.slice(m[0].length))) return 0;
    return REQ_PART;
  }
  if (RECORD_START.test(line) || jsonRecordLine(line)) return 0;
  return d.faraday;
}

/** Docker json-file record → the app's line (trailing newline dropped) and the record's time. */
function unwrapDocker(line: string): { text: string; time: string | null } | null {
  const r = parseObject(line, 0);
  if (!r || typeof r.log !== 'string') return null;
  const text = r.log.endsWith('\n') ? r.log.slice(0, r.log.endsWith('\r\n') ? -2 : -1) : r.log;
  return { text, time: typeof r.time === 'string' ? r.time : null };
}
