import type { ApiErrorEvent } from '../parse/event.js';
import { fingerprint } from './fingerprint.js';
import type { CompiledMatch, CompiledRule, RuleSet } from './rule.js';
import { DEFAULT_GROUP_BY, type Classification } from './types.js';

/** One match alternative with its rule; the unit the index stores. */
interface Alt {
  rule: CompiledRule;
  m: CompiledMatch;
  rank: number;
}

interface StatusBucket {
  /** Alternatives with this status and an error condition, by lower-cased error. */
  byError: Map<string, Alt[]>;
  /** Alternatives with this status and no error condition (the S rows, user status rules). */
  any: Alt[];
}

export interface MatchResult {
  rule: CompiledRule;
  /** Index of the match alternative that won. */
  alternative: number;
}

const UNKNOWN_HINT =
  'No rule matches this response. Read the error and error_description in the raw line, check the call ' +
  'against the Easemob REST documentation, and if it recurs add a rule for it in your rules file ' +
  '(check it with `apiwatch rules lint`).';

function unknownCls(title: string): Readonly<Classification> {
  return Object.freeze({
    ref: null,
    rule: null,
    category: 'unknown',
    severity: 'warning',
    title,
    hint: UNKNOWN_HINT,
    hintZh: '',
    retryable: false,
    groupBy: Object.freeze([...DEFAULT_GROUP_BY]) as string[],
  } satisfies Classification);
}

const UNRECOGNISED = unknownCls('Unrecognised Easemob error');
const NO_RESPONSE = unknownCls('No response from Easemob');

/**
 * Classifies events against compiled rules. Rules are indexed by status and error code at
 * construction, so a lookup only tests the few alternatives filed under the event's status/error
 * (plus the rare rules that name neither). Each candidate list is sorted by rank, so the first
 * hit in a list is that list's best and the scan stops there.
 */
export class RuleEngine {
  readonly rules: CompiledRule[];
  private readonly byStatus = new Map<number, StatusBucket>();
  /** Alternatives with an error but no status condition. */
  private readonly byErrorOnly = new Map<string, Alt[]>();
  /** Every alternative with an error condition, for events that carry an error but no status. */
  private readonly byErrorAll = new Map<string, Alt[]>();
  private readonly noResponse: Alt[] = [];
  /** Alternatives with neither status nor error (description / method / endpoint only). */
  private readonly rest: Alt[] = [];
  private readonly unknownByStatus = new Map<number, Readonly<Classification>>();
  /** Every alternative in the order they are tried (for lint). */
  readonly ranked: readonly { readonly rule: CompiledRule; readonly m: CompiledMatch; readonly rank: number }[];

  constructor(rules: RuleSet | readonly CompiledRule[]) {
    this.rules = Array.isArray(rules) ? [...(rules as CompiledRule[])] : [...(rules as RuleSet).rules];
    const alts: Alt[] = [];
    this.rules.forEach((rule) => {
      for (const m of rule.matches) alts.push({ rule, m, rank: 0 });
    });
    // Order: explicit priority, then more conditions first; on a tie a user rule beats a bundled
    // one (so users can add a sharper rule next to ours), then load order.
    const order = new Map(this.rules.map((r, i) => [r, i]));
    alts.sort(
      (a, b) =>
        b.rule.priority - a.rule.priority ||
        b.m.specificity - a.m.specificity ||
        Number(a.rule.origin.builtin) - Number(b.rule.origin.builtin) ||
        order.get(a.rule)! - order.get(b.rule)! ||
        a.m.index - b.m.index,
    );
    alts.forEach((a, i) => (a.rank = i));
    this.ranked = alts;
    const push = <K>(map: Map<K, Alt[]>, k: K, a: Alt) => {
      const list = map.get(k);
      if (list) list.push(a);
      else map.set(k, [a]);
    };
    // Pushed in rank order, so every list is already sorted.
    for (const a of alts) {
      const { m } = a;
      if (m.noResponse) {
        this.noResponse.push(a);
        continue;
      }
      if (m.error) for (const e of m.error) push(this.byErrorAll, e, a);
      if (m.status) {
        for (const s of m.status) {
          let b = this.byStatus.get(s);
          if (!b) this.byStatus.set(s, (b = { byError: new Map(), any: [] }));
          if (m.error) for (const e of m.error) push(b.byError, e, a);
          else b.any.push(a);
        }
      } else if (m.error) {
        for (const e of m.error) push(this.byErrorOnly, e, a);
      } else {
        this.rest.push(a);
      }
    }
  }

  /** The winning rule and alternative, or null. */
  match(ev: ApiErrorEvent): MatchResult | null {
    const best = this.best(ev);
    return best ? { rule: best.rule, alternative: best.m.index } : null;
  }

  /** Lookup without allocating a result object (classify runs for every event). */
  private best(ev: ApiErrorEvent): Alt | null {
    const desc = ev.errorDescription === null ? null : clip(ev.errorDescription).trim();
    const err = ev.error === null ? null : ev.error.trim().toLowerCase();
    const method = ev.method === null ? null : ev.method.toUpperCase();
    let best: Alt | null = null;
    if (ev.noResponse) {
      best = scan(this.noResponse, best, ev, err, desc, method);
    } else if (ev.status !== null) {
      const b = this.byStatus.get(ev.status);
      if (err !== null) {
        best = scan(b?.byError.get(err), best, ev, err, desc, method);
        best = scan(this.byErrorOnly.get(err), best, ev, err, desc, method);
      } else if (b && desc !== null) {
        // No error code (the Java SDK 1.x message carries only status and description): rows
        // whose description pattern vouches for them still apply; see test().
        for (const list of b.byError.values()) best = scan(list, best, ev, err, desc, method);
      }
      best = scan(b?.any, best, ev, err, desc, method);
      best = scan(this.rest, best, ev, err, desc, method);
    } else {
      // No status (e.g. an SDK line logging only the body): classify by error code.
      if (err !== null) best = scan(this.byErrorAll.get(err), best, ev, err, desc, method);
      best = scan(this.rest, best, ev, err, desc, method);
    }
    return best;
  }

  /**
   * How many alternatives a lookup for this event may test at most (the sizes of the index lists
   * it consults). For diagnostics and tests of the index; classify() does not call it.
   */
  candidateCount(ev: ApiErrorEvent): number {
    const err = ev.error === null ? null : ev.error.trim().toLowerCase();
    if (ev.noResponse) return this.noResponse.length;
    let n = this.rest.length;
    if (ev.status !== null) {
      const b = this.byStatus.get(ev.status);
      n += b?.any.length ?? 0;
      if (err !== null) n += (b?.byError.get(err)?.length ?? 0) + (this.byErrorOnly.get(err)?.length ?? 0);
    } else if (err !== null) {
      n += this.byErrorAll.get(err)?.length ?? 0;
    }
    return n;
  }

  classify(ev: ApiErrorEvent): Classification {
    const hit = this.best(ev);
    if (hit) return hit.rule.classification;
    if (ev.noResponse) return NO_RESPONSE;
    if (ev.status !== null) {
      let c = this.unknownByStatus.get(ev.status);
      if (!c) {
        c = unknownCls(`HTTP ${ev.status} from Easemob`);
        // Cache only real statuses, so garbage input cannot grow the map.
        if (Number.isInteger(ev.status) && ev.status >= 100 && ev.status <= 599) this.unknownByStatus.set(ev.status, c);
      }
      return c;
    }
    return UNRECOGNISED;
  }

  fingerprint(ev: ApiErrorEvent, cls: Classification): string {
    return fingerprint(ev, cls);
  }
}

/** Descriptions are short; a huge one (an HTML page, a dumped body) is only tested on its head. */
export const MAX_DESCRIPTION = 4096;
function clip(s: string): string {
  return s.length > MAX_DESCRIPTION ? s.slice(0, MAX_DESCRIPTION) : s;
}

/** First hit in a rank-sorted list that beats `best`, else `best`. A plain function: no closure per event. */
function scan(
  list: Alt[] | undefined,
  best: Alt | null,
  ev: ApiErrorEvent,
  err: string | null,
  desc: string | null,
  method: string | null,
): Alt | null {
  if (!list) return best;
  for (const a of list) {
    if (best && a.rank >= best.rank) return best;
    if (test(a.m, ev, err, desc, method)) return a;
  }
  return best;
}

/** Whether one alternative's conditions hold for the event (ignores ranking). */
export function matchesAlternative(m: CompiledMatch, ev: ApiErrorEvent): boolean {
  return test(
    m,
    ev,
    ev.error === null ? null : ev.error.trim().toLowerCase(),
    ev.errorDescription === null ? null : clip(ev.errorDescription).trim(),
    ev.method === null ? null : ev.method.toUpperCase(),
  );
}

function test(m: CompiledMatch, ev: ApiErrorEvent, err: string | null, desc: string | null, method: string | null): boolean {
  if (m.noResponse) {
    if (!ev.noResponse) return false;
    if (m.noResponse !== true && !m.noResponse.includes(ev.noResponse.kind)) return false;
  }
  if (m.status) {
    // An unknown status is tolerated only when the rule's error code vouches for the row.
    if (ev.status === null ? !m.error : !m.status.includes(ev.status)) return false;
  }
  // A missing error code is tolerated only when the rule's description pattern vouches for the row.
  if (m.error && (err === null ? !m.description || m.errorRequired : !m.error.includes(err))) return false;
  if (m.method && (method === null || !m.method.includes(method))) return false;
  if (m.endpoint && (ev.endpoint === null || !m.endpoint.includes(ev.endpoint))) return false;
  if (m.description && (desc === null || !m.description.test(desc))) return false;
  if (m.descriptionAbsent && desc !== null && desc !== '') return false;
  return true;
}
