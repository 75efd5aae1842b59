/**
 * Request bodies of the common log shippers → records (origin + line + optional byte offset).
 * Knows nothing of events: what a line means is the parser's business.
 *
 * Shapes accepted (see README "Running for many app servers" for the shipper configs):
 * - Vector `http` sink, `encoding.codec: json`, framing `newline_delimited` or a JSON array:
 *   `{"message": …, "host": …, "file": …, "offset": …, "timestamp": …, "source_type": "file"}`
 * - Fluent Bit `http` output, `Format json_lines` (one object a line) or `json` (an array):
 *   `{"date": 1764690000.5, "log": …}` plus whatever `Path_Key` / `Offset_Key` / record_modifier add
 * - journald JSON (`journalctl -o json`, Vector's journald source): `MESSAGE`, `_HOSTNAME`, `_SYSTEMD_UNIT`
 * - an app's own JSON record shipped as-is: no line field, so the record itself is the line
 * - `text/plain`: one line per line, the origin from `?host=&file=`
 * - syslog-ng `http()`: either of the above, depending on its `body()` template
 */

export interface IngestRecord {
  host: string;
  file: string;
  text: string;
  /** Byte offset of the record in the shipper's file, when the shipper sends one. */
  offset?: number;
}

/** A body we cannot read; the message names what is wrong (it becomes the 400's text). */
export class MalformedBody extends Error {}

/** Fields the line is taken from, in order (Vector, Fluent Bit/Docker, journald). */
const LINE_KEYS = ['message', 'log', 'MESSAGE'] as const;
const HOST_KEYS = ['host', 'hostname', '_HOSTNAME'] as const;
const FILE_KEYS = ['file', 'path', 'source', '_SYSTEMD_UNIT'] as const;
/** Shown when a shipper sends no origin at all: still one stream, never mixed with a named one. */
export const UNKNOWN_HOST = 'unknown';
export const UNKNOWN_FILE = '-';
/** A malformed record is reported by its 1-based number; the message quotes this much of it. */
const QUOTE_CHARS = 60;

export interface DecodeOptions {
  /** The record field holding the byte offset (Vector `offset_key`, Fluent Bit `Offset_Key`). */
  offsetKey: string;
  /** `?host=` / `?file=` of the request: the origin for text bodies and records without one. */
  query: URLSearchParams;
}

/** Keys only shippers add: a record with one of them is a shipper's envelope, its line in LINE_KEYS. */
const SHIPPER_MARKERS = ['source_type', 'date', '__CURSOR', '__REALTIME_TIMESTAMP', 'log', 'MESSAGE'] as const;
/** Envelope keys besides the line (origin, time, syslog fields): `{message, host, file}` is an envelope too. */
const ENVELOPE_KEYS = new Set([...HOST_KEYS, ...FILE_KEYS, 'message', 'timestamp', 'time', 'stream', 'tag', 'program', 'pid', 'priority', 'facility', 'severity', 'level']);

/**
 * An app's own JSON record (`{"level":"error","message":"Easemob API error","status":404,…}`) has a
 * `message` too; it is an envelope only when a shipper marked it or nothing but envelope keys are there.
 */
function isEnvelope(r: Record<string, unknown>, offsetKey: string): boolean {
  if (SHIPPER_MARKERS.some((k) => k in r)) return true;
  return Object.keys(r).every((k) => ENVELOPE_KEYS.has(k) || k === offsetKey);
}

function firstString(rec: Record<string, unknown>, keys: readonly string[]): string | undefined {
  for (const k of keys) {
    const v = rec[k];
    if (typeof v === 'string' && v !== '') return v;
  }
  return undefined;
}

function quote(s: string): string {
  const one = s.replace(/\s+/g, ' ');
  return JSON.stringify(one.length > QUOTE_CHARS ? `${one.slice(0, QUOTE_CHARS)}…` : one);
}

function fromObject(rec: unknown, n: number, o: DecodeOptions): IngestRecord {
  if (!rec || typeof rec !== 'object' || Array.isArray(rec)) {
    throw new MalformedBody(`record ${n}: expected a JSON object, got ${Array.isArray(rec) ? 'an array' : rec === null ? 'null' : typeof rec}`);
  }
  const r = rec as Record<string, unknown>;
  let text: string | undefined;
  for (const k of isEnvelope(r, o.offsetKey) ? LINE_KEYS : []) {
    const v = r[k];
    if (typeof v === 'string') {
      text = v;
      break;
    }
    // A shipper that parsed the app's JSON into the message field: the object is the line again.
    if (v && typeof v === 'object') {
      text = JSON.stringify(v);
      break;
    }
  }
  // No line field: an app's own JSON record shipped as-is is itself the line.
  if (text === undefined) text = JSON.stringify(r);
  const host = firstString(r, HOST_KEYS) ?? o.query.get('host') ?? UNKNOWN_HOST;
  const file = firstString(r, FILE_KEYS) ?? o.query.get('file') ?? UNKNOWN_FILE;
  const raw = r[o.offsetKey];
  let offset: number | undefined;
  if (raw !== undefined && raw !== null) {
    const v = typeof raw === 'string' && /^\d+$/.test(raw) ? Number(raw) : raw;
    if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0) {
      throw new MalformedBody(`record ${n}: "${o.offsetKey}" must be a non-negative integer byte offset, got ${quote(JSON.stringify(raw))}`);
    }
    offset = v;
  }
  return { host, file, text: text.replace(/\r?\n$/, ''), offset };
}

function parseJson(s: string, where: string): unknown {
  try {
    return JSON.parse(s);
  } catch (err) {
    throw new MalformedBody(`${where}: not valid JSON (${(err as Error).message.split('\n')[0]}): ${quote(s)}`);
  }
}

/** True for the content types we read as plain text lines. */
export function isTextType(contentType: string): boolean {
  const t = contentType.split(';')[0].trim().toLowerCase();
  return t === 'text/plain';
}

export function decodeBody(body: string, contentType: string, o: DecodeOptions): IngestRecord[] {
  if (isTextType(contentType)) {
    const host = o.query.get('host') || UNKNOWN_HOST;
    const file = o.query.get('file') || UNKNOWN_FILE;
    const lines = body.split('\n');
    if (lines.at(-1) === '') lines.pop();
    return lines.map((l) => ({ host, file, text: l.replace(/\r$/, '') }));
  }
  const trimmed = body.trimStart();
  if (trimmed === '') return [];
  if (trimmed.startsWith('[')) {
    const all = parseJson(body, 'body');
    if (!Array.isArray(all)) throw new MalformedBody('body: expected a JSON array of records');
    return all.map((r, i) => fromObject(r, i + 1, o));
  }
  // Newline-delimited JSON (Vector newline_delimited, Fluent Bit json_lines, syslog-ng with delimiter("\n")).
  const out: IngestRecord[] = [];
  let n = 0;
  for (const line of body.split('\n')) {
    if (line.trim() === '') continue;
    n++;
    out.push(fromObject(parseJson(line, `record ${n}`), n, o));
  }
  return out;
}
