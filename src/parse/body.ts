/**
 * Easemob error bodies: `{"error":"…","exception":"…","timestamp":…,"duration":…,"error_description":"…"}`
 * (any field may be missing), found as objects, as JSON strings, or embedded in free text
 * (bare, quoted, backslash-escaped, in brackets, Python dict repr).
 */
import { KNOWN_ERRORS } from './templates.js';

export interface ErrBody {
  error: string;
  errorDescription: string | null;
  exception: string | null;
  /** Carries a field only Easemob writes (see isEasemobSignature). */
  signed?: boolean;
}

export const MAX_DEPTH = 20;
// 3.x also answers with a Chinese `error` (404 "请求路径不存在" on the push-template API).
const ERROR_CODE = /^[A-Za-z\u4e00-\u9fff][A-Za-z0-9_ .\-\u4e00-\u9fff]{0,63}$/;

const str = (v: unknown): string | null => (typeof v === 'string' ? v : null);

/** The object as an Easemob error body, or null. */
export function asErrorBody(o: Record<string, unknown>): ErrBody | null {
  const e = o.error;
  // Easemob 3.x answers some calls (chat-room/user metadata) with an empty `error` and only an
  // `error_description` ("exceed allowed batch size 10"): still its error body.
  if (e === '') {
    const d0 = str(o.error_description);
    return d0 ? { error: '', errorDescription: d0, exception: str(o.exception), signed: isEasemobSignature(o) } : null;
  }
  if (typeof e !== 'string' || !ERROR_CODE.test(e)) return null;
  const d = str(o.error_description);
  const x = str(o.exception);
  // `error` alone is too common in logs (zap's "error":"…"); demand an Easemob companion field
  // or a documented code.
  if (d === null && x === null && !KNOWN_ERRORS.has(e) && !(typeof o.timestamp === 'number' && 'duration' in o)) return null;
  return { error: e, errorDescription: d, exception: x, signed: isEasemobSignature(o) };
}

/**
 * Easemob success envelope (`action`, `uri`/`application`/`entities`/`data`): its data may echo
 * user text such as `{"error":"reach_limit"}` and must never be read as an error.
 */
export function isSuccessEnvelope(o: Record<string, unknown>): boolean {
  return typeof o.action === 'string' && ('uri' in o || 'application' in o || 'entities' in o || 'applicationName' in o);
}

/** Keys whose subtree is chat payload (message text, extensions), never a response body. */
export const PAYLOAD_KEYS = new Set(['msg', 'msgs', 'ext', 'bodies', 'customexts', 'payload', 'target', 'entities']);

/** Depth-capped search of a parsed value for an error body. Returns 'deep' when too deep. */
export function findBodyIn(v: unknown, depth = 0): ErrBody | null | 'deep' {
  if (depth > MAX_DEPTH) return 'deep';
  if (v === null || typeof v !== 'object') return null;
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length && i < 20; i++) {
      const r = findBodyIn(v[i], depth + 1);
      if (r) return r;
    }
    return null;
  }
  const o = v as Record<string, unknown>;
  const b = asErrorBody(o);
  if (b) return b;
  if (isSuccessEnvelope(o)) return null;
  for (const k in o) {
    if (PAYLOAD_KEYS.has(k.toLowerCase())) continue;
    const r = findBodyIn(o[k], depth + 1);
    if (r) return r;
  }
  return null;
}

/** End index (exclusive) of the balanced `{…}`/`[…]` starting at i, honouring JSON strings. */
function balancedEnd(s: string, i: number, limit: number): number {
  let depth = 0;
  let inStr = false;
  const end = Math.min(s.length, i + limit);
  for (let j = i; j < end; j++) {
    const c = s.charCodeAt(j);
    if (inStr) {
      if (c === 92) j++; // backslash
      else if (c === 34) inStr = false;
    } else if (c === 34) inStr = true;
    else if (c === 123 || c === 91) {
      if (++depth > MAX_DEPTH + 5) return -2;
    } else if (c === 125 || c === 93) {
      if (--depth === 0) return j + 1;
    }
  }
  return -1;
}

/** Undo one level of JSON string escaping (`\"` → `"`, `\\` → `\`, `\n` → newline). */
export function unescapeOnce(s: string): string {
  try {
    return JSON.parse('"' + s.replace(/"/g, '\\"').replace(/\\\\"/g, '\\"') + '"') as string;
  } catch {
    return s.replace(/\\(["\\/])/g, '$1').replace(/\\n/g, '\n').replace(/\\t/g, '\t');
  }
}

export interface TextBody {
  body: ErrBody | null;
  /** Where the body's `{` is in the text (-1: no body). */
  at: number;
  /** The body was written as a quoted string (`"{\"error\"…}"`, `'{…}'`): text quoting it. */
  quoted: boolean;
  /** Text carried an Easemob success envelope (and no error body outside it). */
  success: boolean;
  /** A JSON object in the text was too deeply nested. */
  deep: boolean;
}

const SIGNED_TEXT = /["']timestamp\\*["']\s*:\s*\d{10,}[\s\S]{0,400}["']duration\\*["']\s*:|["']duration\\*["']\s*:\s*\d+[\s\S]{0,400}["']timestamp\\*["']\s*:\s*\d{10,}/;
const ERR_KEY = /(\\*)["']error\1["']\s*:/g;
const FIELD_RE = (name: string, q: string): RegExp => new RegExp(`${q}${name}${q}\\s*:\\s*${q}((?:[^${q}\\\\\\n]|\\\\.){0,400})${q}`);
/**
 * A field of a Python dict repr (`{'error': 'x', …}`): repr quotes a string that holds `'` with
 * `"` instead (`'error_description': "group member bob doesn't exist"`).
 */
const PY_FIELD_RE = (name: string): RegExp => new RegExp(`'${name}'\\s*:\\s*"((?:[^"\\\\\\n]|\\\\.){0,400})"`);
const field = (name: string, q: string, src: string): RegExpExecArray | null =>
  FIELD_RE(name, q).exec(src) ?? (q === "'" ? PY_FIELD_RE(name).exec(src) : null);

// Truncation markers: Guzzle's ` (truncated...)`, Feign's `... (1234 bytes)` (400-char body
// preview), and the usual `... truncated`/`[truncated]` caps.
const TRUNC = / \(truncated\.\.\.\)|\.\.\.\s*\(?truncated|\[truncated|<truncated|\(truncated\)|\.\.\. \(\d+ bytes\)/;

function truncatedAt(s: string): number {
  if (s.indexOf('truncated') < 0 && s.indexOf('... (') < 0) return -1;
  const m = TRUNC.exec(s);
  return m ? m.index : -1;
}

/**
 * A string field whose value was cut off: it runs to the end of the (cut) text, or of its
 * line, with no closing quote. The partial value is kept (a description's start is what rules
 * match on); an ellipsis left by the cap is dropped.
 */
function openField(name: string, q: string, src: string): RegExpExecArray | null {
  const m = new RegExp(`${q}${name}${q}\\s*:\\s*${q}((?:[^${q}\\\\\\n]|\\\\.){1,400})(?:\\\\)?$`, 'm').exec(src);
  if (!m) return null;
  m[1] = m[1].replace(/\s*(?:\.\.\.|…)$/, '').trimEnd();
  return m[1] ? m : null;
}

/** Search free text for an Easemob error body. */
export function findBodyInText(text: string): TextBody {
  const out: TextBody = { body: null, at: -1, quoted: false, success: false, deep: false };
  if (text.indexOf('error') < 0) return out;
  ERR_KEY.lastIndex = 0;
  let m: RegExpExecArray | null;
  let tries = 0;
  while ((m = ERR_KEY.exec(text)) !== null && tries++ < 8) {
    const esc = m[1].length;
    // Walk back to the `{` that opens the object holding this key (bodies are flat).
    const open = text.lastIndexOf('{', m.index);
    if (open < 0) continue;
    let seg: string;
    if (esc > 0 && isChatText(text, open)) continue;
    if (esc > 0) {
      // Escaped body: take the run up to the matching `}` of the escaped text, then unescape.
      const close = text.indexOf('}', m.index);
      if (close < 0) continue;
      seg = text.slice(open, close + 1);
      for (let k = 0; k < esc && seg.includes('\\'); k++) seg = unescapeOnce(seg);
    } else {
      const end = balancedEnd(text, open, 65536);
      if (end === -2) { out.deep = true; return out; }
      seg = end > 0 ? text.slice(open, end) : text.slice(open);
    }
    let parsed: unknown;
    // A body with a truncation marker inside may still "parse" by borrowing a later quote and
    // brace (Monolog's JSON context): only the field salvage below reads it.
    if (truncatedAt(seg) < 0) {
      try { parsed = JSON.parse(seg); } catch { parsed = undefined; }
    }
    if (parsed && typeof parsed === 'object') {
      const b = asErrorBody(parsed as Record<string, unknown>);
      if (b) {
        // Inside an Easemob success envelope (echoed chat text)? Then it is not an error.
        if (insideSuccessEnvelope(text, open)) { out.success = true; continue; }
        out.body = b;
        out.at = open;
        out.quoted = esc > 0 || quoteBefore(text, open);
        return out;
      }
      continue;
    }
    // Truncated/odd JSON or Python repr: pick the fields out with regexes. A body cut short
    // (Guzzle's 120-char summary ending ` (truncated...)`, a logger's line-length cap) ends at
    // its truncation marker: nothing after it belongs to the body.
    const q = text[m.index + esc] === "'" ? "'" : '"';
    let region = text.slice(open, open + 2000);
    const cut = truncatedAt(region);
    if (cut >= 0) region = region.slice(0, cut);
    const src = esc > 0 ? unescapeOnce(region) : region;
    const e = FIELD_RE('error', q).exec(src);
    if (e && (ERROR_CODE.test(e[1]) || e[1] === '')) {
      if (insideSuccessEnvelope(text, open)) { out.success = true; continue; }
      const d = field('error_description', q, src) ?? openField('error_description', q, src);
      const x = FIELD_RE('exception', q).exec(src); // half a class name is no use: only whole
      const b: ErrBody = { error: e[1], errorDescription: d ? d[1] : null, exception: x ? x[1] : null, signed: x !== null || SIGNED_TEXT.test(src) };
      if (b.error === '' ? !!b.errorDescription : b.errorDescription !== null || b.exception !== null || KNOWN_ERRORS.has(b.error)) {
        out.body = b;
        out.at = open;
        out.quoted = esc > 0 || quoteBefore(text, open);
        return out;
      }
    }
  }
  if (!out.body && /["']action\\*["']\s*:/.test(text) && /\\*["'](?:uri|application|entities)\\*["']\s*:/.test(text)) out.success = true;
  return out;
}

/** The char before `{` (spaces skipped) opens a string: the body is quoted inside text. */
function quoteBefore(text: string, open: number): boolean {
  let i = open - 1;
  while (i >= 0 && text.charCodeAt(i) === 32) i--;
  const c = text.charCodeAt(i);
  return c === 34 || c === 39 || c === 96; // " ' `
}

/**
 * Go's `%+v` of a response struct: `{Error:forbidden_op Exception:EasemobForbiddenOpException
 * Timestamp:1796… Duration:0 ErrorDescription:users [x] are not members of this group!}`. Values
 * are unquoted; each runs to the next known ` Field:`.
 */
const GO_FIELDS = /(?:^|\s)(Error|Exception|Timestamp|Duration|ErrorDescription|Description):/g;
export function goStructBody(text: string): { body: ErrBody; at: number } | null {
  const at = text.indexOf('{Error:');
  if (at < 0) return null;
  let end = text.indexOf('}', at);
  if (end < 0) end = text.length;
  // A description may hold `}`: the struct ends at the last `}` of its line.
  const nl = text.indexOf('\n', at);
  const lineEnd = nl < 0 ? text.length : nl;
  const last = text.lastIndexOf('}', lineEnd);
  if (last > end) end = last;
  const seg = text.slice(at + 1, end);
  const f: Record<string, string> = {};
  const keys: { k: string; from: number; to: number }[] = [];
  GO_FIELDS.lastIndex = 0;
  let m: RegExpExecArray | null;
  while ((m = GO_FIELDS.exec(seg)) !== null) keys.push({ k: m[1], from: m.index + m[0].length, to: m.index });
  for (let i = 0; i < keys.length; i++) f[keys[i].k] = seg.slice(keys[i].from, i + 1 < keys.length ? keys[i + 1].to : seg.length).trim();
  const e = f.Error;
  if (e === undefined || !(e === '' || ERROR_CODE.test(e))) return null;
  const d = f.ErrorDescription ?? f.Description ?? null;
  const x = f.Exception || null;
  if (e === '' ? !d : d === null && x === null && !KNOWN_ERRORS.has(e)) return null;
  const signed = x !== null || (f.Timestamp !== undefined && f.Duration !== undefined);
  return { body: { error: e, errorDescription: d || null, exception: x, signed }, at };
}

/**
 * An escaped body that is the text of a chat message (`"msg":{"type":"txt","msg":"{\"error\"…"}`
 * or `"type":"txt","body":{"msg":"…"}`): payload echoed in a log, not a response.
 */
function isChatText(text: string, open: number): boolean {
  const before = text.slice(Math.max(0, open - 200), open);
  return /["'](?:msg|text)\\?["']\s*:\s*\\?["']\\*$/.test(before) && /["']type\\?["']\s*:\s*\\?["']txt/.test(before);
}

/** Whether position `pos` lies inside a JSON object that is an Easemob success envelope. */
function insideSuccessEnvelope(text: string, pos: number): boolean {
  const before = text.slice(0, pos);
  const a = before.search(/\\*["']action\\*["']\s*:/);
  if (a < 0) return false;
  return /\\*["'](?:uri|application|entities|applicationName)\\*["']\s*:/.test(text);
}

/**
 * A body only Easemob writes: its `exception` class, or `timestamp` + `duration` (its envelope's
 * bookkeeping). `{"error":…,"error_description":…}` alone is OAuth's standard error shape too, so
 * it never names the service by itself.
 */
export function isEasemobSignature(o: Record<string, unknown>): boolean {
  return typeof o.exception === 'string' || (typeof o.timestamp === 'number' && 'duration' in o);
}
