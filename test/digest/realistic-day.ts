import { readdirSync, readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { DateTime } from 'luxon';
import type { DB } from '../../src/store/db.js';
import { createParser, type ApiErrorEvent } from '../../src/parse/index.js';
import { loadRules, RuleEngine, type ClassifiedEvent } from '../../src/classify/index.js';
import { IncidentStore } from '../../src/incidents/store.js';
import { Lifecycle } from '../../src/incidents/lifecycle.js';
import { ensureOutboxAndSilences } from './fixtures.js';

/*
 * A realistic day built through the real pipeline: the shared realistic corpus (seven app servers'
 * logs, gzipped in test/fixtures/realistic/) goes through the real parser, the bundled rules and
 * the incident store; only the event times are moved into the day under test (the logs were
 * written in minutes, a day spreads them out). Every other event is replayed into the day before
 * too, so "change against the previous period" has something to compare with.
 */

const CORPUS = new URL('../fixtures/realistic/seed-20240611/logs/', import.meta.url);
const HOUR = 3_600_000;
/** Events recorded per batch: the store and the auto-resolve see the day in hour-sized steps. */
const BATCH_MS = HOUR;

/** Every failed call in the corpus, parsed by the real parser, in file and line order. */
export function corpusEvents(): ApiErrorEvent[] {
  const out: ApiErrorEvent[] = [];
  for (const name of readdirSync(CORPUS).filter((f) => f.endsWith('.log.gz')).sort()) {
    const text = gunzipSync(readFileSync(new URL(name, CORPUS))).toString('utf8');
    const p = createParser({ source: `/var/log/${name.replace(/\.gz$/, '')}`, timezone: 'UTC' });
    let offset = 0;
    text.split('\n').forEach((line, i) => {
      out.push(...p.push(line, { lineNo: i + 1, offset, readTime: 0 }));
      offset += Buffer.byteLength(line) + 1;
    });
    out.push(...p.flush());
  }
  return out;
}

/**
 * Local time of day for the k-th of n events: a quiet night, a busy day, a token outage burst
 * around 03:00 for the first tenth (so the chart and "open for" have shape).
 */
function timeOfDay(k: number, n: number): number {
  const f = (k + 0.5) / n;
  if (f < 0.1) return 3 * HOUR + (f / 0.1) * HOUR;
  return 7 * HOUR + ((f - 0.1) / 0.9) * 16.5 * HOUR;
}

function replay(db: DB, engine: RuleEngine, events: ApiErrorEvent[], dayStart: number): void {
  const store = new IncidentStore(db);
  const life = new Lifecycle(db);
  // Order by original time (then file order) so bursts in the logs stay bursts.
  const order = events.map((ev, i) => ({ ev, i })).sort((a, b) => a.ev.ts - b.ev.ts || a.i - b.i);
  const shifted: ClassifiedEvent[] = order.map(({ ev }, k) => {
    const moved = { ...ev, ts: Math.round(dayStart + timeOfDay(k, order.length)) };
    const cls = engine.classify(moved);
    return { ...moved, cls, fingerprint: engine.fingerprint(moved, cls) };
  });
  for (let t = dayStart; t < dayStart + 24 * HOUR; t += BATCH_MS) {
    const batch = shifted.filter((e) => e.ts >= t && e.ts < t + BATCH_MS);
    const now = t + BATCH_MS;
    db.transaction(() => {
      if (batch.length) store.record(batch, now);
    })();
    life.resolveQuiet(now);
  }
}

export interface RealisticDay {
  /** The next morning 09:00 local: when the digest is read. */
  now: number;
  /** Failed calls of the day per cause (ref, or rule when the row has no ref). */
  calls: Map<string, number>;
  incidents: number;
}

/** Replays the corpus into `day` (and half of it into the day before) in `tz`. */
export function seedRealisticDay(db: DB, day: string, tz: string): RealisticDay {
  const engine = new RuleEngine(loadRules({ builtin: true }));
  const events = corpusEvents();
  const start = DateTime.fromISO(day, { zone: tz }).startOf('day');
  replay(db, engine, events.filter((_, i) => i % 2 === 0), start.minus({ days: 1 }).toMillis());
  replay(db, engine, events, start.toMillis());
  const end = start.plus({ days: 1 }).toMillis();
  const calls = new Map<string, number>();
  for (const r of db
    .prepare('SELECT COALESCE(ref, rule, ?) AS cause, count(*) AS n FROM events WHERE ts >= ? AND ts < ? GROUP BY cause')
    .all('(unclassified)', start.toMillis(), end) as { cause: string; n: number }[]) calls.set(r.cause, r.n);
  const incidents = (db.prepare('SELECT count(DISTINCT incident_id) AS n FROM events WHERE ts >= ? AND ts < ?').get(start.toMillis(), end) as { n: number }).n;
  // The on-call engineer acknowledged one of the open critical incidents; a Slack page went dead.
  const life = new Lifecycle(db);
  const crit = db.prepare("SELECT id FROM incidents WHERE severity = 'critical' AND state = 'firing' ORDER BY id LIMIT 1").all() as { id: number }[];
  for (const c of crit) life.acknowledge(c.id, 'li.wei', start.plus({ hours: 10 }).toMillis());
  ensureOutboxAndSilences(db);
  const dead = db.prepare("SELECT id FROM incidents WHERE severity = 'critical' ORDER BY id LIMIT 1").get() as { id: number } | undefined;
  db.prepare(
    `INSERT INTO outbox (channel, target, incident_id, kind, payload, state, attempts, next_attempt_at, last_error, created_at)
     VALUES ('slack', 'oncall', ?, 'firing', '{}', 'dead', 8, ?, 'HTTP 404 no_service: the webhook was deleted', ?)`,
  ).run(dead?.id ?? null, start.plus({ hours: 3 }).toMillis(), start.plus({ hours: 3 }).toMillis());
  db.prepare(
    `INSERT INTO silences (matchers, starts_at, ends_at, comment, created_by, created_at, expired_at)
     VALUES (?, ?, ?, 'load test of the broadcast service', 'zhang.min', ?, NULL)`,
  ).run(JSON.stringify([{ name: 'ref', value: 'S429' }]), start.plus({ hours: 9 }).toMillis(), start.plus({ days: 1, hours: 18 }).toMillis(), start.plus({ hours: 9 }).toMillis());
  return { now: start.plus({ days: 1, hours: 9 }).toMillis(), calls, incidents };
}
