/**
 * Byte-level pre-scan for bulk reads (replay, the daemon's catch-up): picks the lines worth decoding
 * and parsing from a latin1 view of the raw bytes (one char per byte, no UTF-8 decoding), on the
 * scan workers.
 *
 * CONTRACT: a strict superset of the parser's own prefilter (`candidatePattern()` in src/parse/prefilter.ts, which it includes).
 * Every line the parser would accept as the start of an event is accepted here; a line rejected
 * here is one the parser would have rejected too, so skipping it changes no event (the bulk path
 * still feeds the line before each accepted line, as context, and every line after one while an
 * event is pending). test/ingest/prescan.test.ts holds it to that on the realistic corpus, the
 * parser fixtures and the error-table corpus, by comparing with what the real parser does.
 *
 * It mirrors the parser's decision, and is conservative wherever the byte view could differ from
 * the decoded text: a line with non-ASCII bytes that would be rejected is accepted instead (char
 * indices differ there), and the SDK's `HTTP response code:` line is accepted anywhere in a line.
 *
 * Why it pays: in real app-server logs about a quarter of the lines are *successful* Easemob calls
 * (host, URL, `status: 200`). A plain alternation of words (src/ingest/candidates.ts) accepts them
 * all, and decoding and parsing them on the main thread was most of a replay's time.
 */

import { candidatePattern, isCandidate } from '../parse/prefilter.js';

/** What decides acceptance besides the built-in words; serialisable (workers rebuild the prescan). */
export interface PrescanSpec {
  /** Extra API hosts from config (`api_hosts`); a leading `*.` is dropped. */
  apiHosts?: string[];
  /** The parser's `includeOtherApis`: any URL (`://`) may name the API. */
  includeOtherApis?: boolean;
}

export interface Prescan {
  /** Global regex: a line without a match is rejected without a look. */
  readonly trigger: RegExp;
  /** Decides a line holding a trigger: text[start, end) (no newline; a trailing CR may remain). */
  accept(text: string, start: number, end: number, ascii: boolean): boolean;
}

// The parser's words (its FIRST regex) plus what else can make it accept a line: the SDK line and
// configured hosts (and `://` with includeOtherApis).
const WORDS = ['rror', 'RROR', 'xception', 'imeout', 'imed out', 'tatus', 'asemob', 'agora', 'HTTP'];
// Decisions within a line, as the parser makes them.
const FIRST = /rror|RROR|xception|imeout|imed out|tatus|asemob|agora|HTTP\//g;
const NET = /refused|reset by|such host|deadline ex|ECONN|TIMEDOUT|ENOTFOUND|EAI_AGAIN|hang up|UND_ERR|": EOF/;
const ERR_TOKEN = /[ "=:>\[(][45]\d\d\b/;
const NON_ASCII = /[^\x00-\x7f]/;

function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

const isDigit = (c: number): boolean => c >= 48 && c <= 57;

/** As the parser: 1 for a 4xx/5xx a few separator chars on, -1 for 1xx–3xx, 0 for none. */
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

/** The parser's decision on one (unwrapped) line. */
function decide(line: string, hostMarks: string[], others: boolean): boolean {
  FIRST.lastIndex = 0;
  let named = false;
  let ok = false;
  while (FIRST.test(line)) {
    const end = FIRST.lastIndex;
    const c = line.charCodeAt(end - 1);
    if (c === 115) {
      const st = statusAt(line, end);
      if (st > 0) return true;
      if (st < 0) ok = true;
    } else if (c === 47) {
      const q = line.indexOf('" ', end);
      const at = q > 0 && q - end < 8 ? q + 2 : line.indexOf(' ', end) + 1;
      const st = statusAt(line, at);
      if (st > 0) return true;
      if (st < 0) ok = true;
    } else if (c === 98 || c === 97) named = true;
    else return true;
  }
  if (ok) return false;
  for (let i = 0; !named && i < hostMarks.length; i++) named = line.indexOf(hostMarks[i]) >= 0;
  if (named || (others && line.indexOf('://') >= 0)) return ERR_TOKEN.test(line) || NET.test(line);
  return false;
}

/** The app's own line inside a CRI wrapper (`<time> stdout F <line>`), as the parser unwraps it. */
function unwrapCri(line: string): string {
  const w0 = line.charCodeAt(0);
  if (w0 >= 48 && w0 <= 57 && line.charCodeAt(4) === 45) {
    const sp = line.indexOf(' ', 19);
    if (sp > 0 && sp < 40 && (line.startsWith(' stdout ', sp) || line.startsWith(' stderr ', sp)) && line.charCodeAt(sp + 9) === 32) {
      return line.slice(sp + 10);
    }
  }
  return line;
}

export function createPrescan(spec: PrescanSpec = {}): Prescan {
  // Hosts as the parser lowercases them, then as their UTF-8 bytes look in the latin1 view.
  const hostMarks = (spec.apiHosts ?? [])
    .map((h) => h.replace(/^\*\./, '').toLowerCase())
    .filter((h) => h.length > 2)
    .map((h) => Buffer.from(h, 'utf8').toString('latin1'));
  const others = spec.includeOtherApis === true;
  const words = [...WORDS, ...hostMarks, ...(others ? ['://'] : [])].map(escape);
  // The parser's own prefilter (records start on its lines): the prescan keeps whatever it keeps,
  // so the stricter byte test below can never drop a line the line-by-line parse would use.
  const parserPrefilter = candidatePattern(spec.apiHosts ?? []);
  return {
    trigger: new RegExp([...words, parserPrefilter.source].join('|'), 'g'),
    accept(text, start, end, ascii) {
      let line = text.slice(start, end > start && text.charCodeAt(end - 1) === 13 ? end - 1 : end);
      if (line.indexOf('HTTP response code:') >= 0) return true;
      // Docker json-file lines are judged whole by the parser; CRI lines by the app's line.
      if (line.charCodeAt(0) !== 123) line = unwrapCri(line);
      if (decide(line, hostMarks, others) || isCandidate(line, parserPrefilter)) return true;
      return !ascii && NON_ASCII.test(line);
    },
  };
}

/** Does the prescan keep this line (given as text; judged on its UTF-8 bytes, as in a scan)? */
export function acceptsLine(p: Prescan, line: string): boolean {
  const bytes = Buffer.from(line, 'utf8');
  const text = bytes.toString('latin1');
  p.trigger.lastIndex = 0;
  return p.trigger.test(text) && p.accept(text, 0, text.length, bytes.length === line.length);
}

/** A prescan that accepts every line its regex matches (the plain word list of candidates.ts). */
export function regexPrescan(re: RegExp): Prescan {
  return { trigger: re, accept: () => true };
}

/** A prescan as sent to a scan worker (regexes and closures do not cross threads). */
export type PrescanWire = { spec: PrescanSpec } | { source: string; flags: string };

export function prescanWire(p: { spec: PrescanSpec } | { re: RegExp }): PrescanWire {
  return 'spec' in p ? { spec: p.spec } : { source: p.re.source, flags: p.re.flags };
}

export function prescanFrom(w: PrescanWire): Prescan {
  return 'spec' in w ? createPrescan(w.spec) : regexPrescan(new RegExp(w.source, w.flags));
}
