/**
 * The parser: lines → records (records.ts) → evidence and verdict (evidence.ts) → events
 * (build.ts). Only lines the shared prefilter (prefilter.ts) passes start a record, so the bulk
 * path that hands over only those lines builds the same events as a line-by-line read.
 */
import type { ApiErrorEvent, EventParser, Explanation, LineMeta, ParserOptions, ParserStats } from './event.js';
import { isEasemobHost, looksLikeEasemobPath, parseEndpoint } from './endpoint.js';
import { hostZone } from './time.js';
import { candidatePattern, isCandidate } from './prefilter.js';
import { RecordAssembler, type LogRecord } from './records.js';
import { fromAccess, fromJson, fromText, judge, judgeFailure, lacksOnlyTheCall, type Call, type Found, type Scope, type Verdict } from './evidence.js';
import { buildEvent } from './build.js';
import { FAILURE_EVIDENCE, REQUEST_ID_WORD } from './failure-words.js';

/**
 * A record's analysis done ahead of time, on another thread (src/ingest/bulk-analyse.ts): what
 * the gate and the analysis below would decide about it, for records that cannot change parser
 * state (k 0–2, 4) with no more than that, and with the evidence and verdict for the rest (k 3).
 * `lines` (and for analysed text records `prev`/`header`) say which record it was made from: the
 * parser uses it only for a record that is the same (see `sameRecord`), else analyses itself.
 */
export type Precomputed =
  | { k: 0; lines: number; kind: LogRecord['kind'] } // no failure evidence, no request id: skip
  | { k: 1; lines: number; kind: LogRecord['kind']; a?: DeferredAnalysis } // no failure evidence, a request id: defer
  | { k: 2 | 4; lines: number; kind: LogRecord['kind']; prev: string | null; header: string | null } // 2 no event, nothing to remember or look up; 4 too deep
  | { k: 3; lines: number; kind: LogRecord['kind']; prev: string | null; header: string | null; f: Found; v: Verdict };

/**
 * What a deferred record's analysis yields when it is done (undefer): too deep, or the call to
 * remember by its request id (or none). Valid for the record with this context line and header.
 */
export interface DeferredAnalysis { prev: string | null; header: string | null; deep: boolean; call: Call | null; method: string | null }

/** Where precomputed analyses come from: by the record's first byte offset (null: none). */
export type PrecomputedLookup = (offset: number) => Precomputed | undefined;

/** What an analysis depends on besides the record: the same key, the same verdicts. */
export function analysisKey(opts: Pick<ParserOptions, 'apiHosts' | 'includeOtherApis' | 'timezone'>): string {
  return JSON.stringify([opts.apiHosts ?? [], opts.includeOtherApis === true, opts.timezone ?? hostZone()]);
}

function scopeOf(opts: ParserOptions): Scope {
  return { apiHosts: opts.apiHosts ?? [], others: opts.includeOtherApis === true, tz: opts.timezone ?? hostZone(), now: opts.now ?? Date.now };
}

function pickerFor(scope: Scope): (urls: string[]) => number {
  const easemobUrl = (u: string): boolean => {
    const pe = parseEndpoint(u);
    return pe.host ? isEasemobHost(pe.host, scope.apiHosts as string[]) : looksLikeEasemobPath(pe.path);
  };
  return (urls: string[]): number => {
    const i = urls.findIndex(easemobUrl);
    return i >= 0 ? i : 0;
  };
}

function analyseWith(r: LogRecord, scope: Scope, pick: (urls: string[]) => number): { f: Found; v: Verdict } {
  let f: Found;
  if (r.kind === 'json') f = fromJson(r, scope, pick);
  else if (r.kind === 'access') f = fromAccess(r, scope);
  else f = fromText(r, scope);
  return { f, v: f.deep ? { event: false, missing: '', call: null } : judge(f, scope, pick) };
}

/**
 * The gate and the analysis of one record, as the parser's `evaluate` makes them, without its
 * state: for another thread to run ahead (it throws where the analysis throws).
 */
export function createPrecomputer(opts: ParserOptions): (r: LogRecord) => Precomputed {
  const scope = scopeOf(opts);
  const pick = pickerFor(scope);
  return (r) => {
    const kind = r.kind;
    const lines = r.kind === 'text' ? r.lines : 1;
    const prev = r.kind === 'text' ? r.prev : null;
    const header = r.kind === 'text' ? r.header : null;
    if (!hasFailureEvidence(r)) {
      if (!REQUEST_ID_WORD.test(r.raw)) return { k: 0, lines, kind };
      let a: DeferredAnalysis | undefined;
      try {
        const { f, v } = analyseWith(r, scope, pick);
        const call = f.deep ? null : callToRemember(f, v);
        a = { prev, header, deep: f.deep, call, method: call ? f.method : null };
      } catch {
        a = undefined; // the parser analyses it (and counts what it throws)
      }
      return { k: 1, lines, kind, a };
    }
    const { f, v } = analyseWith(r, scope, pick);
    if (f.deep) return { k: 4, lines, kind, prev, header };
    const matters = v.event || callToRemember(f, v) !== null || lacksOnlyTheCall(f, scope, pick);
    return matters ? { k: 3, lines, kind, prev, header, f, v } : { k: 2, lines, kind, prev, header };
  };
}

/** Whether a precomputed analysis was made from this very record. */
function sameRecord(p: Precomputed, r: LogRecord): boolean {
  if (p.kind !== r.kind) return false;
  if (r.kind !== 'text') return true; // one line, wrapper and all: the offset says which
  if (p.lines !== r.lines) return false;
  if (!('prev' in p)) return true; // k 0/1: the gate reads the record's own lines only
  return sameContext(p, r);
}

/** A text record's analysis also reads the line before it and its header line: the same ones? */
function sameContext(x: { prev: string | null; header: string | null }, r: LogRecord): boolean {
  return r.kind !== 'text' || (x.prev === r.prev && x.header === r.header);
}

/** The evidence gate (failure-words.ts) on what the analysis reads of a record. */
function hasFailureEvidence(r: LogRecord): boolean {
  return FAILURE_EVIDENCE.test(r.kind === 'text' ? r.text.join('\n') : r.raw);
}

/** The call a record that did not fail makes (to remember by its request id), or null. */
function callToRemember(f: Found, v: Verdict): Call | null {
  return !v.event && v.call !== null && !f.noResponse && f.status === null ? v.call : null;
}

export type { ApiErrorEvent, EventParser, Explanation, LineMeta, NoResponse, ParserOptions, ParserStats, FailureKind } from './event.js';
export { MAX_RAW } from './event.js';
export { MAX_LINE } from './records.js';
export { redact } from './redact.js';
export { parseEndpoint, isEasemobHost, looksLikeEasemobPath } from './endpoint.js';
export { isContinuation } from './multiline.js';
export { candidatePattern, isCandidate } from './prefilter.js';

/**
 * OkHttp/requests-style logging writes `<-- 401 https://…` and, a few records later, the body: a
 * body-only record this close after such a status-only event is that same attempt's body.
 */
const BODY_FOLLOWS = 20;
/**
 * Middleware logs write the request (URL, headers with its request id) and the failure as
 * separate records (Faraday's :logger then the app's exception, Guzzle's debug record then the
 * app's line). A failing record with no call of its own that quotes the request id of a recent
 * call record is that call's attempt. Bounded: the last REQUESTS_KEPT calls, REQUEST_LINES lines.
 */
const REQUESTS_KEPT = 64;
const REQUEST_LINES = 200;
const REQUEST_ID = /(?:x-request-id|request[_-]?id|req[_-]?id|correlation[_-]?id|trace[_-]?id)["']?\s*(?:[:=]|=>)\s*["']?([A-Za-z0-9][\w.:-]{5,63})/gi;

interface Requested { id: string; call: Call; method: string | null; line: number }

export function createParser(opts: ParserOptions): EventParser {
  const scope = scopeOf(opts);
  const key = analysisKey(opts);
  let lookup: PrecomputedLookup | null = null;
  const stats: ParserStats = { lines: 0, events: 0, malformed: 0, clockSkew: 0 };
  const re = candidatePattern(scope.apiHosts);
  const records = new RecordAssembler((line) => isCandidate(line, re), stats);
  let lastStatusOnly = 0;
  const requests: Requested[] = [];
  /** Request ids of recent events (explain only): a later line quoting one is the same attempt. */
  const reported: { id: string; line: number }[] = [];

  function remember(call: Call, method: string | null, raw: string, line: number): void {
    REQUEST_ID.lastIndex = 0;
    let m: RegExpExecArray | null;
    let n = 0;
    while ((m = REQUEST_ID.exec(raw)) !== null && n++ < 4) {
      requests.push({ id: m[1], call, method, line });
      if (requests.length > REQUESTS_KEPT) requests.shift();
    }
  }

  /** The recent call whose request id this record quotes (and forget it: one attempt, one event). */
  function requested(raw: string, line: number): Requested | null {
    for (let i = requests.length - 1; i >= 0; i--) {
      const q = requests[i];
      if (line - q.line > REQUEST_LINES) break;
      if (raw.indexOf(q.id) >= 0) {
        requests.splice(i, 1);
        return q;
      }
    }
    return null;
  }

  const pick = pickerFor(scope);

  function explain(meta: LineMeta, raw: string, parser: string, x: Omit<Explanation, 'line' | 'text' | 'parser'>): void {
    if (!opts.explain) return;
    const nl = raw.indexOf('\n');
    opts.explain({ line: meta.lineNo, parser, text: nl >= 0 ? raw.slice(0, nl) : raw, ...x });
  }

  // Explaining needs every record's verdict; otherwise a record without failure evidence
  // (failure-words.ts) is no event. It matters only as a call record to remember by request id,
  // and only if a later failure record looks one up: such records wait in `deferred` and are
  // analysed when that happens (in order, so `requests` ends up as if each had been analysed).
  const gate = opts.evidenceGate !== false && !opts.explain;
  /** Each with its analysis made ahead (Precomputed k 1), when it was made from that record. */
  const deferred: { r: LogRecord; a: DeferredAnalysis | undefined }[] = [];

  const analyse = (r: LogRecord): { f: Found; v: Verdict } => analyseWith(r, scope, pick);

  /** Analyse the deferred call records (none is an event: only their request ids count). */
  function undefer(): void {
    for (const { r, a } of deferred) {
      if (a !== undefined) {
        if (a.deep) stats.malformed++;
        else if (a.call) remember(a.call, a.method, r.raw, r.meta.lineNo);
        continue;
      }
      try {
        const { f, v } = analyse(r);
        if (f.deep) stats.malformed++;
        else {
          const call = callToRemember(f, v);
          if (call) remember(call, f.method, r.raw, r.meta.lineNo);
        }
      } catch {
        stats.malformed++;
      }
    }
    deferred.length = 0;
  }

  function evaluate(r: LogRecord, out: ApiErrorEvent[]): void {
    let pre = lookup !== null && gate ? lookup(r.meta.offset) : undefined;
    if (pre !== undefined && !sameRecord(pre, r)) pre = undefined;
    if (pre !== undefined ? pre.k <= 1 : gate && !hasFailureEvidence(r)) {
      if (pre !== undefined ? pre.k === 0 : !REQUEST_ID_WORD.test(r.raw)) return;
      // Calls older than REQUEST_LINES can never be looked up again.
      while (deferred.length && r.meta.lineNo - deferred[0].r.meta.lineNo > REQUEST_LINES) deferred.shift();
      const a = pre?.k === 1 ? pre.a : undefined;
      deferred.push({ r, a: a !== undefined && sameContext(a, r) ? a : undefined });
      return;
    }
    // Precomputed (the gate is on, so nothing is explained): no event and no state to change.
    if (pre !== undefined && pre.k === 2) return;
    if (pre !== undefined && pre.k === 4) {
      stats.malformed++;
      return;
    }
    const { f, v: v0 } = pre !== undefined && pre.k === 3 ? pre : analyse(r);
    let v = v0;
    if (f.deep) {
      stats.malformed++;
      explain(r.meta, r.raw, f.parser, { event: false, missing: 'too deeply nested to read' });
      return;
    }
    const call = callToRemember(f, v);
    const remembers = call !== null;
    const looksUp = !v.event && lacksOnlyTheCall(f, scope, pick);
    if ((remembers || looksUp) && deferred.length) undefer();
    if (remembers) remember(call, f.method, r.raw, r.meta.lineNo);
    if (looksUp && requests.length) {
      const q = requested(r.raw, r.meta.lineNo);
      if (q) {
        f.method ??= q.method;
        v = { event: true, url: q.call.url, endpoint: q.call.endpoint, easemob: true, call: `${q.call.why} (request ${q.id}, line ${q.line})`, failure: judgeFailure(f) };
      }
    }
    if (!v.event) {
      // An app's failure line after a middleware's record of the whole exchange (Faraday :logger):
      // that record already was the attempt's event.
      const same = looksUp && opts.explain ? reported.find((x) => r.raw.indexOf(x.id) >= 0 && r.meta.lineNo - x.line <= REQUEST_LINES) : undefined;
      const missing = same ? `the failure of the attempt already reported at line ${same.line} (request ${same.id})` : v.missing;
      explain(r.meta, r.raw, f.parser, { event: false, missing });
      return;
    }
    // One failed attempt is one event: the body record that follows a status-only record.
    if (f.status === null && !v.url && !f.noResponse && lastStatusOnly > 0 && r.meta.lineNo - lastStatusOnly <= BODY_FOLLOWS) {
      lastStatusOnly = 0;
      explain(r.meta, r.raw, f.parser, { event: false, missing: 'the body of the status record just before (same attempt)' });
      return;
    }
    lastStatusOnly = f.status !== null && !f.body && r.raw.includes('<-- ') ? r.meta.lineNo : 0;
    if (opts.explain) {
      REQUEST_ID.lastIndex = 0;
      const m = REQUEST_ID.exec(r.raw);
      if (m) {
        reported.push({ id: m[1], line: r.meta.lineNo });
        if (reported.length > REQUESTS_KEPT) reported.shift();
      }
    }
    const ev = buildEvent(f, v, r.meta, r.raw, opts.source, scope.now(), stats);
    stats.events++;
    explain(r.meta, r.raw, f.parser, { event: true, call: v.call, failure: v.failure });
    out.push(ev);
  }

  function drain(recs: LogRecord[], out: ApiErrorEvent[]): void {
    for (const r of recs) {
      try {
        evaluate(r, out);
      } catch {
        stats.malformed++;
      }
    }
  }

  return {
    stats,
    push(line: string, meta: LineMeta): ApiErrorEvent[] {
      const out: ApiErrorEvent[] = [];
      const recs: LogRecord[] = [];
      stats.lines++;
      try {
        if (typeof line !== 'string') {
          stats.malformed++;
          return out;
        }
        records.push(line, meta, recs);
      } catch {
        stats.malformed++;
        records.reset();
      }
      drain(recs, out);
      return out;
    },
    flush(): ApiErrorEvent[] {
      const out: ApiErrorEvent[] = [];
      const recs: LogRecord[] = [];
      records.flush(recs);
      drain(recs, out);
      return out;
    },
    pending(): LineMeta | null {
      return records.pending();
    },
    useAnalyses(from: PrecomputedLookup | null, forKey: string): void {
      lookup = forKey === key ? from : null;
    },
  };
}
