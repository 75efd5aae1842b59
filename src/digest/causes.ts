import type { DB } from '../store/db.js';
import { severityRank, type Severity } from '../classify/types.js';
import type { DigestIncident } from './query.js';

/*
 * The digest's unit is the cause (the error-table row, `ref`), not the incident: one incident per
 * (ref, endpoint, app key) is right for paging and acks, but one expired token over twenty
 * endpoints and five apps is one thing to fix. Rows without a ref group by their rule id.
 */

/** SQL for an events/incidents row's cause key. */
export const CAUSE_SQL = (t: string) => `COALESCE(${t}.ref, ${t}.rule, '')`;

export function causeKey(i: { ref: string | null; rule: string | null }): string {
  return i.ref ?? i.rule ?? '';
}

/** What the reader sees as the cause's name: the ref, else the rule id, else "unclassified". */
export function causeName(key: string): string {
  return key || 'unclassified';
}

export interface Count<T> {
  item: T;
  count: number;
}

export interface CauseRow {
  key: string;
  title: string;
  category: string;
  /** Worst severity of the cause's failed calls in the period. */
  severity: Severity;
  calls: number;
  prev: number;
  apps: Count<string>[];
  endpoints: Count<{ method: string | null; endpoint: string | null }>[];
  incidents: number;
  hint: string;
  hintZh: string;
  /** The log's error text of the cause's most recent incident (shown escaped and clipped). */
  lastError: string | null;
}

/** Apps and endpoints listed per cause row (the rest are counted, not named). */
export const TOP_PER_CAUSE = 3;

interface Range {
  start: number;
  end: number;
}

/** Every cause with failed calls in the period, most failed calls first. */
export function queryCauses(db: DB, range: Range, prevRange: Range): CauseRow[] {
  const k = CAUSE_SQL('e');
  const rows = new Map<string, CauseRow>();
  const sev = db.prepare(
    `SELECT ${k} AS cause, severity, category, count(*) AS n, count(DISTINCT incident_id) AS inc
     FROM events e WHERE ts >= @start AND ts < @end GROUP BY cause, severity, category`,
  );
  for (const r of sev.all(range) as { cause: string; severity: Severity; category: string; n: number; inc: number }[]) {
    let row = rows.get(r.cause);
    if (!row) {
      row = { key: r.cause, title: '', category: r.category, severity: r.severity, calls: 0, prev: 0, apps: [], endpoints: [], incidents: 0, hint: '', hintZh: '', lastError: null };
      rows.set(r.cause, row);
    }
    row.calls += r.n;
    if (severityRank(r.severity) > severityRank(row.severity)) {
      row.severity = r.severity;
      row.category = r.category;
    }
  }
  for (const r of db
    .prepare(`SELECT ${k} AS cause, count(DISTINCT incident_id) AS inc FROM events e WHERE ts >= @start AND ts < @end GROUP BY cause`)
    .all(range) as { cause: string; inc: number }[]) {
    const row = rows.get(r.cause);
    if (row) row.incidents = r.inc;
  }
  for (const r of db
    .prepare(`SELECT ${k} AS cause, count(*) AS n FROM events e WHERE ts >= @start AND ts < @end GROUP BY cause`)
    .all(prevRange) as { cause: string; n: number }[]) {
    const row = rows.get(r.cause);
    if (row) row.prev = r.n;
  }
  // Title and hints: from the cause's most recently updated incident (the rule as loaded now).
  for (const r of db
    .prepare(
      `SELECT ${CAUSE_SQL('i')} AS cause, title, hint, hint_zh, error, last_description FROM incidents i
       WHERE id IN (SELECT max(id) FROM incidents GROUP BY ${CAUSE_SQL('incidents')})`,
    )
    .all() as { cause: string; title: string; hint: string; hint_zh: string; error: string | null; last_description: string | null }[]) {
    const row = rows.get(r.cause);
    const lastError = r.last_description ? `${r.error ? `${r.error}: ` : ''}${r.last_description}` : null;
    if (row) Object.assign(row, { title: r.title, hint: r.hint, hintZh: r.hint_zh, lastError });
  }
  for (const r of db
    .prepare(`SELECT ${k} AS cause, COALESCE(appkey, '') AS appkey, count(*) AS n FROM events e WHERE ts >= @start AND ts < @end GROUP BY cause, appkey ORDER BY n DESC, appkey`)
    .all(range) as { cause: string; appkey: string; n: number }[]) {
    rows.get(r.cause)?.apps.push({ item: r.appkey, count: r.n });
  }
  for (const r of db
    .prepare(`SELECT ${k} AS cause, method, endpoint, count(*) AS n FROM events e WHERE ts >= @start AND ts < @end GROUP BY cause, method, endpoint ORDER BY n DESC, endpoint`)
    .all(range) as { cause: string; method: string | null; endpoint: string | null; n: number }[]) {
    rows.get(r.cause)?.endpoints.push({ item: { method: r.method, endpoint: r.endpoint }, count: r.n });
  }
  return [...rows.values()].sort((a, b) => b.calls - a.calls || severityRank(b.severity) - severityRank(a.severity) || a.key.localeCompare(b.key));
}

/** Endpoint × cause counts, for "which causes hit this endpoint". */
export function queryEndpointCauses(db: DB, range: Range): Map<string, Count<string>[]> {
  const out = new Map<string, Count<string>[]>();
  for (const r of db
    .prepare(`SELECT method, endpoint, ${CAUSE_SQL('e')} AS cause, count(*) AS n FROM events e WHERE ts >= @start AND ts < @end GROUP BY method, endpoint, cause ORDER BY n DESC, cause`)
    .all(range) as { method: string | null; endpoint: string | null; cause: string; n: number }[]) {
    const key = `${r.method} ${r.endpoint}`;
    const list = out.get(key) ?? [];
    list.push({ item: r.cause, count: r.n });
    out.set(key, list);
  }
  return out;
}

/** Incidents of one cause, as a section shows them. */
export interface CauseGroup {
  key: string;
  title: string;
  category: string;
  severity: Severity;
  hint: string;
  hintZh: string;
  /** Worst first, then most failed calls in the period. */
  incidents: DigestIncident[];
  /** Failed calls of these incidents in the period. */
  calls: number;
  apps: string[];
  endpoints: { method: string | null; endpoint: string | null }[];
  /** Earliest start of the incidents' current cycle (for "open for"). */
  since: number;
}

function bySeverityThenCalls(a: DigestIncident, b: DigestIncident): number {
  return severityRank(b.severity) - severityRank(a.severity) || b.periodCount - a.periodCount || a.id - b.id;
}

/** Groups incidents by cause: worst cause first, then most failed calls. */
export function groupByCause(list: DigestIncident[]): CauseGroup[] {
  const groups = new Map<string, CauseGroup>();
  for (const i of [...list].sort(bySeverityThenCalls)) {
    const key = causeKey(i);
    let g = groups.get(key);
    if (!g) {
      g = { key, title: i.title, category: i.category, severity: i.severity, hint: i.hint, hintZh: i.hint_zh, incidents: [], calls: 0, apps: [], endpoints: [], since: Infinity };
      groups.set(key, g);
    }
    g.incidents.push(i);
    g.calls += i.periodCount;
    const app = i.appkey ?? '';
    if (!g.apps.includes(app)) g.apps.push(app);
    if (!g.endpoints.some((e) => e.method === i.method && e.endpoint === i.endpoint)) g.endpoints.push({ method: i.method, endpoint: i.endpoint });
    g.since = Math.min(g.since, i.epoch_started_at ?? i.first_seen);
  }
  return [...groups.values()].sort(
    (a, b) => severityRank(b.severity) - severityRank(a.severity) || b.calls - a.calls || b.incidents.length - a.incidents.length || a.key.localeCompare(b.key),
  );
}
