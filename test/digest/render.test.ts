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

test('subject: the day, the worst cause (severity, then calls) and the totals', () => {
  const r = build();
  assert.equal(r.subject, '[apiwatch] 2026-11-27: E01 App token is invalid or expired (critical, 254 calls) + 6 more causes, 462 failed calls');
  assert.equal(build('zh').subject, '[apiwatch] 2026-11-27：E01 App token is invalid or expired（严重，254 次） + 另外 6 个原因，共 462 次调用失败');
});

test('causes count failed calls per ref and compare with the previous local day', () => {
  const { data, text, html } = build();
  const s429 = data.causes.find((c) => c.key === 'S429')!;
  assert.equal(s429.calls, 120);
  assert.equal(s429.prev, 80);
  assert.deepEqual(data.causes.map((c) => c.key), ['E01', 'S429', 'T01', 'S503', 'E21', 'E09', 'E30']);
  const cell = (c: string, s: string) => data.matrix.find((m) => m.category === c && m.severity === s);
  assert.deepEqual(cell('rate_limit', 'warning'), { category: 'rate_limit', severity: 'warning', count: 120, prev: 80 });
  assert.deepEqual(cell('auth', 'critical'), { category: 'auth', severity: 'critical', count: 254, prev: 0 });
  assert.deepEqual(cell('server', 'critical'), { category: 'server', severity: 'critical', count: 18, prev: 40 });
  assert.match(text, /   120 ▲ 50%    S429 Rate limit exceeded \(429\) \[warning, rate_limit, 1 incidents\]/);
  assert.match(html, /<b>120<\/b><br><span style="color:#b42318;font-size:11px;white-space:nowrap;">▲ 50%<\/span>/);
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
  // Actions: only the open, unacknowledged critical/error causes (E30 is acked, S429/E21 are warnings).
  assert.deepEqual(data.actions.map((g) => g.key), ['T01', 'E09']);
  assert.match(text, /1\. \[ERROR\] T01 No response from Easemob \(read time-out\): 31 calls, 1 open incident\(s\), open for \d+ h\n   Apps: acme#chat\n   Endpoints: GET \/chatgroups\/\{group_id\}\n   Fix: Check egress/);
  assert.match(text, /   Acknowledge: apiwatch incident ack \d+\n/);
  assert.deepEqual(data.endpoints[0], { method: 'POST', endpoint: '/messages/users', count: 374, prev: 80, causes: [{ item: 'E01', count: 254 }, { item: 'S429', count: 120 }] });
  assert.match(text, /374  ▲ 368%   POST \/messages\/users\n\s+causes: E01 254, S429 120/);
  // New and regressed, grouped by cause with the incident's endpoint and app key.
  assert.match(text, /\* \[CRITICAL\] E01 App token is invalid or expired: 1 new, 0 regressed, 254 calls\n    #\d+ POST \/messages\/users acme#chat \(254\)/);
  assert.match(text, /Fix: Refresh the app token with POST \/token/);
});

test('dead letters and active silences are listed, and say so when there are none', () => {
  const withTables = build();
  assert.equal(withTables.data.deadLetters?.length, 1);
  assert.match(withTables.text, /Undelivered notifications \(1\)\n.*\n\* E01: slack -> oncall, firing, #\d+, 8 attempts/);
  assert.match(withTables.text, /HTTP 404 no_service/);
  assert.match(withTables.text, /Active silences \(1\)\n.*\n\* ref=S429, appkey=acme#chat until 2026-11-28 18:00, by zhang\.min: load test/);
  assert.match(withTables.html, /ref=S429, appkey=acme#chat/);

  const without = build('en', { sideTables: false });
  assert.deepEqual(without.data.deadLetters, []);
  assert.deepEqual(without.data.silences, []);
  assert.match(without.text, /Active silences \(0\)/);
  assert.match(without.text, /Undelivered notifications \(0\)/);
});

test('language zh translates headings and labels and uses the Chinese hint', () => {
  const zh = build('zh');
  assert.match(zh.text, /处理方法: 应用 token 无效或已过期/);
  assert.match(zh.html, /<b>处理方法:<\/b> 应用 token 无效或已过期/);
  assert.doesNotMatch(zh.text, /Refresh the app token/);
  for (const h of ['需要处理', '本期失败原因', '新增和复发的事件', '已恢复', '失败最多的接口', '每小时失败次数', '未送达的通知', '生效中的静默']) {
    assert.ok(zh.text.includes(h) && zh.html.includes(h), h);
  }
  for (const en of ['Needs action', 'Causes of the period', 'Resolved (', 'Top endpoints', 'Failed calls per hour', 'Acknowledge:', 'Apps:', 'Endpoints:', 'Fix:']) {
    assert.ok(!zh.text.includes(en) && !zh.html.includes(en), `English label left in zh: ${en}`);
  }
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

test('bidi controls are dropped and markup in log text stays text in both parts', () => {
  const dir = tempDir();
  const cfg = testConfig(dir, `digest:\n  timezone: ${TZ}\n`);
  const db = testDb(dir);
  const { now } = seedRealistic(db, DAY, TZ);
  // Trojan-Source style: RLO reverses what follows; an isolate and a mark too.
  db.prepare("UPDATE incidents SET last_description = ?, appkey = ? WHERE ref = 'T01'").run(
    'user \u202Eexe.lmth\u202C <b>bold</b> \u2066x\u2069 \u200F',
    'acme#\u202Echat',
  );
  const { text, html } = buildDigest(db, cfg, { fromDate: DAY, toDate: DAY }, now);
  for (const part of [text, html]) assert.doesNotMatch(part, /[\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c]/);
  assert.match(text, /Last error: .*user exe\.lmth <b>bold<\/b> x /);
  assert.match(html, /user exe\.lmth &lt;b&gt;bold&lt;\/b&gt; x /);
  assert.match(text, /Apps: acme#chat/);
});
