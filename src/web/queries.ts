// What the pages read from the database. Read-only except through Lifecycle, SilenceStore and OutboxStore.
import type { DB } from '../store/db.js';
import type { Incident } from '../incidents/types.js';

export interface IncidentFilter {
  state: string;
  severity: string;
  category: string;
  ref: string;
  appkey: string;
  q: string;
}

/** The list shows this many rows; the counts above it are over all matches. */
export const LIST_LIMIT = 200;

export function filterFrom(p: URLSearchParams): IncidentFilter {
  const g = (k: string) => (p.get(k) ?? '').trim().slice(0, 200);
  return { state: g('state') || 'open', severity: g('severity'), category: g('category'), ref: g('ref'), appkey: g('appkey'), q: g('q') };
}

function where(f: IncidentFilter): { sql: string; args: Record<string, string> } {
  const c: string[] = [];
  const args: Record<string, string> = {};
  if (f.state === 'open') c.push("state != 'resolved'");
  else if (f.state && f.state !== 'any') (c.push('state = @state'), (args.state = f.state));
  for (const k of ['severity', 'category', 'ref', 'appkey'] as const) if (f[k]) (c.push(`${k} = @${k}`), (args[k] = f[k]));
  if (f.q) {
    c.push("(title LIKE @q ESCAPE '\\' OR last_description LIKE @q ESCAPE '\\' OR endpoint LIKE @q ESCAPE '\\' OR error LIKE @q ESCAPE '\\')");
    args.q = `%${f.q.replace(/[\\%_]/g, (x) => '\\' + x)}%`;
  }
  return { sql: c.length ? `WHERE ${c.join(' AND ')}` : '', args };
}

export function listIncidents(db: DB, f: IncidentFilter): { rows: Incident[]; total: number; events: number } {
  const w = where(f);
  const rows = db
    .prepare(`SELECT * FROM incidents ${w.sql} ORDER BY CASE state WHEN 'resolved' THEN 1 ELSE 0 END, last_seen DESC LIMIT ${LIST_LIMIT}`)
    .all(w.args) as Incident[];
  const agg = db.prepare(`SELECT COUNT(*) AS n, COALESCE(SUM(count), 0) AS events FROM incidents ${w.sql}`).get(w.args) as { n: number; events: number };
  return { rows, total: agg.n, events: agg.events };
}

export interface CauseRow {
  ref: string | null;
  title: string;
  severity: string;
  incidents: number;
  events: number;
}

/** Open incidents per cause, worst first (the digest's summary, for now). */
const RANKED = ['info', 'warning', 'error', 'critical'];

export function causeSummary(db: DB): CauseRow[] {
  const rows = db
    .prepare(
      `SELECT ref, title, MAX(CASE severity WHEN 'critical' THEN 3 WHEN 'error' THEN 2 WHEN 'warning' THEN 1 ELSE 0 END) AS rank,
              COUNT(*) AS incidents, SUM(count) AS events
       FROM incidents WHERE state != 'resolved' GROUP BY ref, title ORDER BY rank DESC, events DESC LIMIT 20`,
    )
    .all() as (Omit<CauseRow, 'severity'> & { rank: number })[];
  return rows.map(({ rank, ...r }) => ({ ...r, severity: RANKED[rank] }));
}

/** Events per minute over the last hour, oldest first, zero-filled. */
export function timeline(db: DB, id: number, now: number, minutes = 60): number[] {
  const from = Math.floor(now / 60_000) - minutes + 1;
  const rows = db
    .prepare('SELECT ts / 60000 AS m, COUNT(*) AS n FROM events WHERE incident_id = ? AND ts >= ? GROUP BY m')
    .all(id, from * 60_000) as { m: number; n: number }[];
  const out = new Array<number>(minutes).fill(0);
  for (const r of rows) {
    const i = Math.floor(r.m) - from;
    if (i >= 0 && i < minutes) out[i] += r.n;
  }
  return out;
}

export interface OutboxView {
  id: number;
  channel: string;
  target: string;
  kind: string;
  state: string;
  attempts: number;
  last_status: number | null;
  last_error: string | null;
  created_at: number;
  sent_at: number | null;
}

export function notificationsFor(db: DB, id: number): OutboxView[] {
  return db
    .prepare('SELECT id, channel, target, kind, state, attempts, last_status, last_error, created_at, sent_at FROM outbox WHERE incident_id = ? ORDER BY id DESC LIMIT 50')
    .all(id) as OutboxView[];
}

export function deadLetters(db: DB): OutboxView[] {
  return db
    .prepare("SELECT id, channel, target, kind, state, attempts, last_status, last_error, created_at, sent_at FROM outbox WHERE state = 'dead' ORDER BY id DESC LIMIT 100")
    .all() as OutboxView[];
}

export function sourcePositions(db: DB): { path: string; offset: number; line: number; updated_at: number }[] {
  return db.prepare('SELECT path, offset, line, updated_at FROM source_positions ORDER BY path').all() as { path: string; offset: number; line: number; updated_at: number }[];
}
