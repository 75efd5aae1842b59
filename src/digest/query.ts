import type { DB } from '../store/db.js';
import { CATEGORIES, SEVERITIES, severityRank, type Category, type Severity } from '../classify/types.js';
import type { Incident } from '../incidents/types.js';
import { buckets, previousPeriod, type Bucket, type Period } from './period.js';
import { CAUSE_SQL, groupByCause, queryCauses, queryEndpointCauses, type CauseGroup, type CauseRow, type Count } from './causes.js';

export interface DigestIncident extends Incident {
  /** Failed calls of this incident inside the period. */
  periodCount: number;
  acked_by: string | null;
  acked_at: number | null;
  resolved_at: number | null;
}

export interface MatrixCell {
  category: Category;
  severity: Severity;
  count: number;
  prev: number;
}

export interface EndpointRow {
  method: string | null;
  endpoint: string | null;
  count: number;
  prev: number;
  /** Causes that failed on this endpoint, most calls first. */
  causes: Count<string>[];
}

export interface DeadLetter {
  id: number;
  channel: string;
  target: string;
  kind: string;
  incident_id: number | null;
  /** Cause of the incident the notification was about ('' when unknown). */
  cause: string;
  attempts: number;
  last_error: string | null;
  created_at: number;
}

export interface Silence {
  id: number;
  matchers: { name: string; value: string }[];
  ends_at: number;
  comment: string | null;
  created_by: string | null;
}

export interface DigestData {
  period: Period;
  previous: Period;
  /** When the data was read (open incidents and silences are as of this instant). */
  generatedAt: number;
  total: number;
  prevTotal: number;
  bySeverity: Record<Severity, { count: number; prev: number }>;
  /** Non-empty (this or previous period) category × severity cells. */
  matrix: MatrixCell[];
  appkeys: { appkey: string; count: number }[];
  newIncidents: DigestIncident[];
  open: DigestIncident[];
  resolved: DigestIncident[];
  regressions: DigestIncident[];
  endpoints: EndpointRow[];
  chart: { unit: 'hour' | 'day'; bars: (Bucket & { count: number })[] };
  /** null: the outbox table does not exist (yet) in this database. */
  deadLetters: DeadLetter[] | null;
  silences: Silence[] | null;
  /** Full sizes of the lists above, which are capped at `limit`. */
  counts: { newIncidents: number; open: number; resolved: number; regressions: number };
  /** Every cause with failed calls in the period, most failed calls first (info ones included). */
  causes: CauseRow[];
  /** Open, unacknowledged critical and error incidents, grouped by cause: what needs the reader. */
  actions: CauseGroup[];
  /** New and regressed incidents of the period, grouped by cause (uncapped; renderers cap). */
  changed: { group: CauseGroup; newIds: Set<number>; regressedIds: Set<number> }[];
  resolvedByCause: CauseGroup[];
  /** The period ends in the future: a preview of today so far, data up to generatedAt. */
  partial: boolean;
}

export interface QueryOptions {
  /** Quiet gap after which an incident counts as resolved (config incidents.resolve_after). */
  resolveAfterMs: number;
  now: number;
  /** Top-N cap for lists. */
  limit?: number;
}

function hasTable(db: DB, name: string): boolean {
  return !!db.prepare("SELECT 1 FROM sqlite_master WHERE type='table' AND name=?").get(name);
}

function columns(db: DB, table: string): Set<string> {
  return new Set((db.prepare(`PRAGMA table_info(${table})`).all() as { name: string }[]).map((c) => c.name));
}

/** Other areas may store times as epoch ms or ISO text; accept both. */
function toMs(v: unknown): number | null {
  if (typeof v === 'number') return v;
  if (typeof v === 'bigint') return Number(v);
  if (typeof v === 'string' && v) {
    const n = Number(v);
    if (Number.isFinite(n)) return n;
    const t = Date.parse(v);
    return Number.isNaN(t) ? null : t;
  }
  return null;
}

function bySeverityThenCount(a: DigestIncident, b: DigestIncident): number {
  return severityRank(b.severity) - severityRank(a.severity) || b.periodCount - a.periodCount || b.count - a.count || a.id - b.id;
}

/** Reads everything a digest shows. Pure reads; tables owned by other areas are optional. */
export function queryDigest(db: DB, period: Period, opts: QueryOptions): DigestData {
  const prev = previousPeriod(period);
  const limit = opts.limit ?? 20;
  // A period that has not ended (preview of today) compares with the same stretch of the day before.
  const partial = opts.now < period.end;
  const end = partial ? Math.max(period.start, opts.now) : period.end;
  const range = { start: period.start, end };
  const prevRange = { start: prev.start, end: partial ? prev.start + (end - period.start) : prev.end };

  const sevCat = db.prepare(
    'SELECT severity, category, count(*) AS n FROM events WHERE ts >= @start AND ts < @end GROUP BY severity, category',
  );
  const cells = new Map<string, MatrixCell>();
  const cell = (severity: Severity, category: Category) => {
    const k = `${severity}|${category}`;
    let c = cells.get(k);
    if (!c) cells.set(k, (c = { severity, category, count: 0, prev: 0 }));
    return c;
  };
  for (const r of sevCat.all(range) as { severity: Severity; category: Category; n: number }[]) cell(r.severity, r.category).count = r.n;
  for (const r of sevCat.all(prevRange) as { severity: Severity; category: Category; n: number }[]) cell(r.severity, r.category).prev = r.n;
  const matrix = [...cells.values()].sort(
    (a, b) => CATEGORIES.indexOf(a.category) - CATEGORIES.indexOf(b.category) || SEVERITIES.indexOf(a.severity) - SEVERITIES.indexOf(b.severity),
  );
  const bySeverity = Object.fromEntries(SEVERITIES.map((s) => [s, { count: 0, prev: 0 }])) as DigestData['bySeverity'];
  for (const c of matrix) {
    // Unknown severities written by a newer rule set still count in the total.
    const s = bySeverity[c.severity];
    if (s) {
      s.count += c.count;
      s.prev += c.prev;
    }
  }
  const total = matrix.reduce((n, c) => n + c.count, 0);
  const prevTotal = matrix.reduce((n, c) => n + c.prev, 0);

  const appkeys = db
    .prepare(
      `SELECT COALESCE(appkey, '') AS appkey, count(*) AS count FROM events WHERE ts >= @start AND ts < @end
       GROUP BY appkey ORDER BY count DESC, appkey LIMIT 10`,
    )
    .all(range) as { appkey: string; count: number }[];

  const incCols = columns(db, 'incidents');
  const opt = (c: string) => (incCols.has(c) ? `i.${c}` : 'NULL');
  // The incidents engine records acknowledgements as acknowledged_by / acknowledged_at.
  const ackBy = incCols.has('acknowledged_by') ? 'i.acknowledged_by' : opt('acked_by');
  const ackAt = incCols.has('acknowledged_at') ? 'i.acknowledged_at' : opt('acked_at');
  const incidentSelect = `SELECT i.*, ${ackBy} AS acked_by, ${ackAt} AS acked_at, ${opt('resolved_at')} AS resolved_at,
      (SELECT count(*) FROM events e WHERE e.incident_id = i.id AND e.ts >= @start AND e.ts < @end) AS periodCount
    FROM incidents i`;
  const incidents = (where: string, params: Record<string, unknown> = {}) =>
    (db.prepare(`${incidentSelect} WHERE ${where}`).all({ ...range, ...params }) as DigestIncident[])
      .map((i) => ({ ...i, acked_at: toMs(i.acked_at), resolved_at: toMs(i.resolved_at) }))
      .sort(bySeverityThenCount);

  const newIncidents = incidents('i.first_seen >= @start AND i.first_seen < @end');
  const open = incidents("i.state != 'resolved'");
  // Resolution time: resolved_at when the incidents engine records it, else the last update of a resolved row.
  const resolvedAt = incCols.has('resolved_at') ? 'i.resolved_at' : 'i.updated_at';
  const resolved = incidents(`i.state = 'resolved' AND ${resolvedAt} >= @start AND ${resolvedAt} < @end`);
  // Regressions: events that resumed after a quiet gap longer than resolve_after (event time, so
  // replayed logs count too), plus reopenings the incidents engine recorded in the period (a new
  // paging cycle starts at epoch_started_at, e.g. after a manual resolve).
  const derived = derivedRegressions(db, range, opts.resolveAfterMs, incidents);
  const recorded = incCols.has('regressions') && incCols.has('epoch_started_at')
    ? incidents('i.regressions > 0 AND i.epoch_started_at >= @start AND i.epoch_started_at < @end')
    : [];
  const seen = new Set(derived.map((i) => i.id));
  const regressions = [...derived, ...recorded.filter((i) => !seen.has(i.id))].sort(bySeverityThenCount);

  const epSql = db.prepare(
    `SELECT method, endpoint, count(*) AS n FROM events WHERE ts >= @start AND ts < @end GROUP BY method, endpoint`,
  );
  const prevEp = new Map<string, number>();
  for (const r of epSql.all(prevRange) as { method: string | null; endpoint: string | null; n: number }[]) {
    prevEp.set(`${r.method} ${r.endpoint}`, r.n);
  }
  const epCauses = queryEndpointCauses(db, range);
  const endpoints = (epSql.all(range) as { method: string | null; endpoint: string | null; n: number }[])
    .map((r) => {
      const k = `${r.method} ${r.endpoint}`;
      return { method: r.method, endpoint: r.endpoint, count: r.n, prev: prevEp.get(k) ?? 0, causes: epCauses.get(k) ?? [] };
    })
    .sort((a, b) => b.count - a.count || String(a.endpoint).localeCompare(String(b.endpoint)))
    .slice(0, 10);

  const { unit, buckets: bs } = buckets(period);
  // Per-minute counts, then local buckets: exact for zones with :30/:45 offsets too.
  const perMinute = db
    .prepare('SELECT ts / 60000 AS m, count(*) AS n FROM events WHERE ts >= @start AND ts < @end GROUP BY m ORDER BY m')
    .all(range) as { m: number; n: number }[];
  const bars = bs.map((b) => ({ ...b, count: 0 }));
  let j = 0;
  for (const r of perMinute) {
    const t = r.m * 60000;
    while (j < bars.length - 1 && t >= bars[j].end) j++;
    bars[j].count += r.n;
  }

  return {
    period,
    previous: prev,
    generatedAt: opts.now,
    total,
    prevTotal,
    bySeverity,
    matrix,
    appkeys,
    newIncidents: newIncidents.slice(0, limit),
    open: open.slice(0, limit),
    resolved: resolved.slice(0, limit),
    regressions: regressions.slice(0, limit),
    endpoints,
    chart: { unit, bars },
    deadLetters: queryDeadLetters(db, range, limit),
    silences: querySilences(db, opts.now),
    counts: { newIncidents: newIncidents.length, open: open.length, resolved: resolved.length, regressions: regressions.length },
    causes: queryCauses(db, range, prevRange),
    actions: groupByCause(open.filter((i) => i.state === 'firing' && (i.severity === 'critical' || i.severity === 'error'))),
    changed: changedByCause(newIncidents, regressions),
    resolvedByCause: groupByCause(resolved),
    partial,
  };
}

/**
 * Without a regression column: an incident regressed in the period when one of its events there
 * follows a quiet gap longer than resolve_after (the auto-resolve rule), i.e. it had resolved.
 */
function derivedRegressions(
  db: DB,
  range: { start: number; end: number },
  gap: number,
  incidents: (where: string, params?: Record<string, unknown>) => DigestIncident[],
): DigestIncident[] {
  const ids = db
    .prepare(
      `WITH e AS (
         SELECT incident_id, ts, LAG(ts) OVER (PARTITION BY incident_id ORDER BY ts) AS prev
         FROM events WHERE ts >= @from AND ts < @end AND incident_id IS NOT NULL)
       SELECT DISTINCT e.incident_id AS id FROM e JOIN incidents i ON i.id = e.incident_id
       WHERE e.ts >= @start AND ((e.prev IS NULL AND i.first_seen < @from) OR e.ts - e.prev > @gap)`,
    )
    .all({ ...range, from: range.start - gap, gap }) as { id: number }[];
  if (!ids.length) return [];
  return incidents(`i.id IN (${ids.map((r) => Number(r.id)).join(',')})`);
}

function changedByCause(created: DigestIncident[], regressed: DigestIncident[]): DigestData['changed'] {
  const newIds = new Set(created.map((i) => i.id));
  const regressedIds = new Set(regressed.map((i) => i.id));
  const all = [...created, ...regressed.filter((i) => !newIds.has(i.id))];
  return groupByCause(all).map((group) => ({
    group,
    newIds: new Set(group.incidents.filter((i) => newIds.has(i.id)).map((i) => i.id)),
    regressedIds: new Set(group.incidents.filter((i) => regressedIds.has(i.id)).map((i) => i.id)),
  }));
}

function queryDeadLetters(db: DB, range: { start: number; end: number }, limit: number): DeadLetter[] | null {
  if (!hasTable(db, 'outbox')) return null;
  const rows = db
    .prepare(`SELECT o.*, ${CAUSE_SQL('i')} AS cause FROM outbox o LEFT JOIN incidents i ON i.id = o.incident_id WHERE o.state = 'dead' ORDER BY o.id DESC`)
    .all() as Record<string, unknown>[];
  return rows
    .map((r) => ({
      id: Number(r.id),
      channel: String(r.channel ?? ''),
      target: String(r.target ?? ''),
      kind: String(r.kind ?? ''),
      incident_id: r.incident_id == null ? null : Number(r.incident_id),
      cause: String(r.cause ?? ''),
      attempts: Number(r.attempts ?? 0),
      last_error: r.last_error == null ? null : String(r.last_error),
      created_at: toMs(r.created_at) ?? 0,
    }))
    .filter((d) => d.created_at >= range.start && d.created_at < range.end)
    // Grouped by cause: a dead channel fails every cause's notifications alike.
    .sort((a, b) => a.cause.localeCompare(b.cause) || b.id - a.id)
    .slice(0, limit);
}

function querySilences(db: DB, now: number): Silence[] | null {
  if (!hasTable(db, 'silences')) return null;
  const rows = db.prepare('SELECT * FROM silences WHERE expired_at IS NULL').all() as Record<string, unknown>[];
  const out: Silence[] = [];
  for (const r of rows) {
    const starts = toMs(r.starts_at);
    const ends = toMs(r.ends_at);
    if (starts === null || ends === null || starts > now || ends <= now) continue;
    let matchers: Silence['matchers'] = [];
    try {
      const m = JSON.parse(String(r.matchers ?? '[]'));
      if (Array.isArray(m)) matchers = m.map((x) => ({ name: String(x?.name ?? ''), value: String(x?.value ?? '') }));
    } catch {
      matchers = [{ name: '?', value: String(r.matchers) }];
    }
    out.push({
      id: Number(r.id),
      matchers,
      ends_at: ends,
      comment: r.comment == null ? null : String(r.comment),
      created_by: r.created_by == null ? null : String(r.created_by),
    });
  }
  return out.sort((a, b) => a.ends_at - b.ends_at);
}
