import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { openDatabase, type DB } from '../../src/store/db.js';
import { dayFormatter, ensureIncrementalVacuum, purgeOldEvents } from '../../src/daemon/retention.js';
import { tempDir } from '../helpers/tmp.js';

const DAY = 86_400_000;
const NOW_FIXED = Date.UTC(2026, 10, 28, 12, 0, 0);
const NOW = NOW_FIXED;

function seed(db: DB, NOW = NOW_FIXED) {
  const inc = db.prepare(
    `INSERT INTO incidents (fingerprint, ref, category, severity, title, first_seen, last_seen, created_at, updated_at, count)
     VALUES (?, ?, ?, ?, 't', ?, ?, ?, ?, 0) RETURNING id`,
  );
  const ev = db.prepare(
    `INSERT INTO events (ts, source, line, endpoint, appkey, parser, ref, category, severity, fingerprint, incident_id, raw)
     VALUES (?, '/var/log/app.log', ?, ?, ?, 'json', ?, ?, ?, ?, ?, '{}')`,
  );
  const a = (inc.get('fa', 'E429', 'rate_limit', 'warning', NOW - 30 * DAY, NOW, NOW, NOW) as { id: number }).id;
  const b = (inc.get('fb', null, 'auth', 'error', NOW - 30 * DAY, NOW, NOW, NOW) as { id: number }).id;
  let line = 0;
  db.transaction(() => {
    // 20 days ago (UTC 23:30 = next day in Shanghai): 250 rate-limit events, 60 auth events with no ref/appkey.
    const old = NOW - 20 * DAY + 11.5 * 3_600_000;
    for (let i = 0; i < 250; i++) ev.run(old, ++line, 'messages/users', 'acme#chat', 'E429', 'rate_limit', 'warning', 'fa', a);
    for (let i = 0; i < 60; i++) ev.run(old, ++line, 'users', null, null, 'auth', 'error', 'fb', b);
    // 15 days ago: 40 more rate-limit events. Recent (1 day ago): 25 that must stay.
    for (let i = 0; i < 40; i++) ev.run(NOW - 15 * DAY, ++line, 'messages/users', 'acme#chat', 'E429', 'rate_limit', 'warning', 'fa', a);
    for (let i = 0; i < 25; i++) ev.run(NOW - DAY, ++line, 'messages/users', 'acme#chat', 'E429', 'rate_limit', 'warning', 'fa', a);
  })();
}

test('retention folds old events into event_daily in small batches, keeps incidents and recent events, and is idempotent', async () => {
  const db = openDatabase(join(tempDir(), 'apiwatch.db'));
  seed(db);
  let pauses = 0;
  const r = await purgeOldEvents(db, { eventsDays: 14, batchSize: 100, timezone: 'Asia/Shanghai', now: NOW, pause: async () => void pauses++ });
  assert.equal(r.purged, 350);
  assert.equal(r.batches, 4, '350 events in batches of 100');
  assert.equal(pauses, 3, 'yields between batches so ingestion can commit');
  assert.equal((db.prepare('SELECT count(*) AS n FROM events').get() as { n: number }).n, 25);
  assert.equal((db.prepare('SELECT min(ts) AS t FROM events').get() as { t: number }).t, NOW - DAY);
  assert.equal((db.prepare('SELECT count(*) AS n FROM incidents').get() as { n: number }).n, 2, 'incidents kept');
  const daily = db.prepare('SELECT day, appkey, ref, category, severity, endpoint, count FROM event_daily ORDER BY day, ref').all();
  const oldDay = dayFormatter('Asia/Shanghai')(NOW - 20 * DAY + 11.5 * 3_600_000);
  assert.equal(oldDay, '2026-11-09', 'the day is the local (digest) day, not UTC');
  assert.deepEqual(daily, [
    { day: '2026-11-09', appkey: '', ref: '', category: 'auth', severity: 'error', endpoint: 'users', count: 60 },
    { day: '2026-11-09', appkey: 'acme#chat', ref: 'E429', category: 'rate_limit', severity: 'warning', endpoint: 'messages/users', count: 250 },
    { day: '2026-11-13', appkey: 'acme#chat', ref: 'E429', category: 'rate_limit', severity: 'warning', endpoint: 'messages/users', count: 40 },
  ]);
  const again = await purgeOldEvents(db, { eventsDays: 14, batchSize: 100, timezone: 'Asia/Shanghai', now: NOW });
  assert.equal(again.purged, 0);
  assert.equal((db.prepare('SELECT sum(count) AS n FROM event_daily').get() as { n: number }).n, 350, 'nothing counted twice');
  // Later purges add to an existing day's row instead of failing on the primary key.
  const later = await purgeOldEvents(db, { eventsDays: 1, batchSize: 100, timezone: 'Asia/Shanghai', now: NOW + DAY });
  assert.equal(later.purged, 25);
  assert.equal((db.prepare('SELECT sum(count) AS n FROM event_daily').get() as { n: number }).n, 375);
  db.close();
});

test('the database switches to incremental auto-vacuum once, and purges give the pages back', async () => {
  const db = openDatabase(join(tempDir(), 'apiwatch.db'));
  assert.equal(ensureIncrementalVacuum(db), 'converted');
  assert.equal(ensureIncrementalVacuum(db), 'already');
  assert.equal(db.pragma('auto_vacuum', { simple: true }), 2);
  seed(db);
  // Make the events heavy so the purge frees a measurable number of pages.
  db.prepare("UPDATE events SET raw = printf('%.2000c', 'x')").run();
  const pagesBefore = Number(db.pragma('page_count', { simple: true }));
  const r = await purgeOldEvents(db, { eventsDays: 14, batchSize: 1000, now: NOW });
  assert.equal(r.purged, 350);
  assert.ok(r.freedPages > 100, `freed ${r.freedPages} pages`);
  assert.equal(Number(db.pragma('freelist_count', { simple: true })), 0);
  assert.ok(Number(db.pragma('page_count', { simple: true })) < pagesBefore - 100, 'the file shrank');
  db.close();
});

test('the daemon runs retention by itself soon after start and on its interval', async () => {
  const { loadConfig } = await import('../../src/config/load.js');
  const { startDaemon } = await import('../../src/daemon/index.js');
  const { silentLogger } = await import('../../src/util/log.js');
  const { writeConfig, until } = await import('./harness.js');
  const dir = tempDir('apiwatch-ret-');
  const d = await startDaemon(loadConfig(writeConfig(dir, { extra: 'retention:\n  events_days: 14\n  interval: 300ms\n' })), silentLogger);
  try {
    seed(d.db, Date.now());
    // Seeded after start: the first run may already have passed; the interval picks them up.
    await until('old events purged', () => (d.db.prepare('SELECT count(*) AS n FROM events').get() as { n: number }).n === 25, 5000);
    assert.equal((d.db.prepare('SELECT sum(count) AS n FROM event_daily').get() as { n: number }).n, 350);
    const text = await d.metrics.render();
    assert.match(text, /^apiwatch_retention_purged_events_total 350$/m);
  } finally {
    await d.stop();
  }
});
