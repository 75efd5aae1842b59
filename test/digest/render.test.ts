import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildDigest } from '../../src/digest/build.js';
import { delta } from '../../src/digest/format.js';
import { tempDir } from '../helpers/tmp.js';
import { testConfig, testDb } from './helpers.js';
import { seedRealistic } from './fixtures.js';

const TZ = 'Asia/Shanghai';
const DAY = '2026-11-27';

function build(language: 'en' | 'zh' = 'en', opts: Parameters<typeof seedRealistic>[3] = {}) {
  const dir = tempDir();
  const cfg = testConfig(dir, `digest:\n  timezone: ${TZ}\n  language: ${language}\n`);
  const db = testDb(dir);
  const { now } = seedRealistic(db, DAY, TZ, opts);
  return buildDigest(db, cfg, { fromDate: DAY, toDate: DAY }, now);
}

test('delta: ▲/▼ with percent, "new" from zero, nothing when both are zero', () => {
  assert.deepEqual(delta(120, 80), { dir: 'up', text: '▲ 50%' });
  assert.deepEqual(delta(6, 12), { dir: 'down', text: '▼ 50%' });
  assert.deepEqual(delta(5, 0), { dir: 'up', text: '▲ new' });
  assert.deepEqual(delta(3, 3), { dir: 'same', text: '= 0%' });
  assert.equal(delta(0, 0).text, '');
});

test('subject: date, app keys, failed calls by severity worst first', () => {
  const r = build();
  assert.equal(r.subject, '[apiwatch] 2026-11-27 acme#chat, acme#support — 272 critical, 44 error, 146 warning');
});

test('summary counts severity × category and compares with the previous local day', () => {
  const { data, text, html } = build();
  const cell = (c: string, s: string) => data.matrix.find((m) => m.category === c && m.severity === s);
  assert.deepEqual(cell('rate_limit', 'warning'), { category: 'rate_limit', severity: 'warning', count: 120, prev: 80 });
  assert.deepEqual(cell('auth', 'critical'), { category: 'auth', severity: 'critical', count: 254, prev: 0 });
  assert.deepEqual(cell('server', 'critical'), { category: 'server', severity: 'critical', count: 18, prev: 40 });
  assert.match(text, /rate_limit\s+0\s+0\s+120 ▲ 50%/);
  assert.match(html, /120<br><span style="color:#b42318;font-size:11px;white-space:nowrap;">▲ 50%<\/span>/);
  assert.equal(data.total, 462);
  assert.equal(data.prevTotal, 126);
  // Hourly chart: 24 local hours, the 03:00 hour holds the token spike.
  assert.equal(data.chart.bars.length, 24);
  assert.equal(data.chart.bars.reduce((n, b) => n + b.count, 0), 462);
  const peak = data.chart.bars.reduce((p, b) => (b.count > p.count ? b : p));
  assert.equal(peak.label, '03');
  assert.match(html, /Peak hour 03:00 with/);
});

test('sections: new, regressions (derived from the quiet gap), still open with age and ack, resolved, endpoints', () => {
  const { data, text } = build('en', { ackColumns: true });
  const refs = (l: { ref: string | null }[]) => l.map((i) => i.ref).sort();
  assert.deepEqual(refs(data.newIncidents), ['E01', 'E21']);
  // Without a regression column: back after a quiet gap longer than resolve_after (30 min), as
  // the auto-resolve rule would have resolved it. E21 is new, not a regression.
  assert.deepEqual(refs(data.regressions), ['E09', 'E30', 'S429', 'T01']);
  assert.deepEqual(refs(data.resolved), ['E01', 'S503']);
  assert.deepEqual(refs(data.open), ['E09', 'E21', 'E30', 'S429', 'T01']);
  const e30 = data.open.find((i) => i.ref === 'E30')!;
  assert.equal(e30.acked_by, 'li.wei');
  assert.match(text, /open for 3 d, acknowledged by li\.wei at 2026-11-27 11:20/);
  assert.match(text, /open for \d+ h, not acknowledged/);
  assert.deepEqual(data.endpoints[0], { method: 'POST', endpoint: '/messages/users', count: 374, prev: 80 });
  assert.match(text, /374\s+▲ 368%\s+POST \/messages\/users/);
  // The new-incident entry carries ref, title, count, endpoint, first/last seen and the fix.
  assert.match(text, /\* \[CRITICAL\] E01 App token is invalid or expired \(#\d+, auth\)\n  POST \/messages\/users  acme#chat  HTTP 401\n  254 in period, 254 total; first 2026-11-27 03:05, last 2026-11-27 05:29/);
  assert.match(text, /fix: Refresh the app token with POST \/token/);
});

test('dead letters and active silences are listed, and say so when there are none', () => {
  const withTables = build();
  assert.equal(withTables.data.deadLetters?.length, 1);
  assert.match(withTables.text, /Undelivered notifications \(1\)\n.*\n\* slack -> oncall, firing, incident #\d+, 8 attempts/);
  assert.match(withTables.text, /HTTP 404 no_service/);
  assert.match(withTables.text, /Active silences \(1\)\n.*\n\* ref=S429, appkey=acme#chat until 2026-11-28 18:00 by zhang\.min: load test/);
  assert.match(withTables.html, /ref=S429, appkey=acme#chat/);

  const without = build('en', { sideTables: false });
  assert.deepEqual(without.data.deadLetters, []);
  assert.deepEqual(without.data.silences, []);
  assert.match(without.text, /Active silences \(0\)/);
  assert.match(without.text, /Undelivered notifications \(0\)/);
});

test('language zh uses the table\'s Chinese cause for hints', () => {
  const zh = build('zh');
  assert.match(zh.text, /fix: 应用 token 无效或已过期/);
  assert.match(zh.html, /<b>Fix:<\/b> 应用 token 无效或已过期/);
  assert.doesNotMatch(zh.text, /Refresh the app token/);
  const en = build('en');
  assert.doesNotMatch(en.html, /应用 token/);
});

test('HTML has no scripts, images, external CSS or event handlers; log text is escaped', () => {
  const { html } = build();
  assert.doesNotMatch(html, /<script|<img|<link|<style|\son[a-z]+=/i);
  assert.match(html, /username \[&lt;script&gt;alert\(1\)&lt;\/script&gt;\] is not legal/);
});

test('regressions recorded by the incidents engine join those derived from quiet gaps; resolved_at decides the resolved list', () => {
  const dir = tempDir();
  const cfg = testConfig(dir, `digest:\n  timezone: ${TZ}\n`);
  const db = testDb(dir);
  const { now } = seedRealistic(db, DAY, TZ);
  // E21 has no quiet gap in its events, but the engine reopened it (e.g. after a manual resolve).
  const e21 = db.prepare("SELECT id, last_seen FROM incidents WHERE ref = 'E21'").get() as { id: number; last_seen: number };
  db.prepare('UPDATE incidents SET regressions = 1, epoch_started_at = ? WHERE id = ?').run(e21.last_seen - 60_000, e21.id);
  // S503 was resolved the day before by resolved_at, though its row was touched in the period.
  db.prepare("UPDATE incidents SET resolved_at = resolved_at - 86400000 WHERE ref = 'S503'").run();
  const { data } = buildDigest(db, cfg, { fromDate: DAY, toDate: DAY }, now);
  assert.deepEqual(data.regressions.map((i) => i.ref).sort(), ['E09', 'E21', 'E30', 'S429', 'T01']);
  assert.deepEqual(data.resolved.map((i) => i.ref), ['E01']);
});
