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
  const scope: Scope = {
    apiHosts: opts.apiHosts ?? [],
    others: opts.includeOtherApis === true,
    tz: opts.timezone ?? hostZone(),
    now: opts.now ?? Date.now,
  };
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

  const easemobUrl = (u: string): boolean => {
    const pe = parseEndpoint(u);
    return pe.host ? isEasemobHost(pe.host, scope.apiHosts as string[]) : looksLikeEasemobPath(pe.path);
  };
  const pick = (urls: string[]): number => {
    const i = urls.findIndex(easemobUrl);
    return i >= 0 ? i : 0;
  };

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
  const deferred: LogRecord[] = [];

  function analyse(r: LogRecord): { f: Found; v: Verdict } {
    let f: Found;
    if (r.kind === 'json') f = fromJson(r, scope, pick);
    else if (r.kind === 'access') f = fromAccess(r, scope);
    else f = fromText(r, scope);
    return { f, v: f.deep ? { event: false, missing: '', call: null } : judge(f, scope, pick) };
  }

  /** Analyse the deferred call records (none is an event: only their request ids count). */
  function undefer(): void {
    for (let i = 0; i < deferred.length; i++) {
      const r = deferred[i];
      try {
        const { f, v } = analyse(r);
        if (f.deep) stats.malformed++;
        else if (!v.event && v.call && !f.noResponse && f.status === null) remember(v.call, f.method, r.raw, r.meta.lineNo);
      } catch {
        stats.malformed++;
      }
    }
    deferred.length = 0;
  }

  function evaluate(r: LogRecord, out: ApiErrorEvent[]): void {
    if (gate && !FAILURE_EVIDENCE.test(r.kind === 'text' ? r.text.join('\n') : r.raw)) {
      if (!REQUEST_ID_WORD.test(r.raw)) return;
      // Calls older than REQUEST_LINES can never be looked up again.
      while (deferred.length && r.meta.lineNo - deferred[0].meta.lineNo > REQUEST_LINES) deferred.shift();
      deferred.push(r);
      return;
    }
    const { f, v: v0 } = analyse(r);
    let v = v0;
    if (f.deep) {
      stats.malformed++;
      explain(r.meta, r.raw, f.parser, { event: false, missing: 'too deeply nested to read' });
      return;
    }
    const call = v.event ? null : v.call;
    const remembers = call !== null && !f.noResponse && f.status === null;
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
  };
}
