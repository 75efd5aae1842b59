import { after, test } from 'node:test';
import { join } from 'node:path';
import { openDatabase } from '../../src/store/db.js';
import assert from 'node:assert/strict';
import { buildDigest, type RenderedDigest } from '../../src/digest/build.js';
import { causeName } from '../../src/digest/causes.js';
import { createMailer } from '../../src/notify/email/transport.js';
import { tempDir } from '../helpers/tmp.js';
import { launchBrowser, openPage } from '../helpers/browser.js';
import type { DB } from '../../src/store/db.js';
import type { LoadedConfig } from '../../src/config/load.js';
import { startSmtp, testConfig } from './helpers.js';
import { seedRealisticDay, type RealisticDay } from './realistic-day.js';

// A day of realistic traffic (the shared corpus through the real parser, rules and incident store).
const DAY = '2026-12-01';
const TZ = 'Asia/Shanghai';

// Replayed once for the file (a few seconds); each test renders it with its own config (reads only).
let seeded: { db: DB; seed: RealisticDay } | null = null;
function seededDay(): { db: DB; seed: RealisticDay } {
  if (!seeded) {
    const db = openDatabase(join(tempDir(), 'apiwatch.db'));
    seeded = { db, seed: seedRealisticDay(db, DAY, TZ) };
  }
  return seeded;
}
after(() => seeded?.db.close());

function day(language: 'en' | 'zh' = 'en', yaml = ''): { r: RenderedDigest; seed: RealisticDay; cfg: LoadedConfig } {
  const { db, seed } = seededDay();
  const cfg = testConfig(tempDir(), `digest:\n  timezone: ${TZ}\n  language: ${language}\n${yaml}`);
  return { r: buildDigest(db, cfg, { fromDate: DAY, toDate: DAY }, seed.now), seed, cfg };
}

const EN_HEADINGS = [
  'Needs action', 'Causes of the period', 'Expected outcomes', 'New and regressed incidents', 'Resolved',
  'Top endpoints by failed calls', 'Failed calls per hour', 'Undelivered notifications', 'Active silences',
];
const ZH_HEADINGS = ['需要处理 (', '本期失败原因', '预期内的结果', '新增和复发的事件', '已恢复', '失败最多的接口', '每小时失败次数', '未送达的通知', '生效中的静默'];

/** Where each heading starts, asserting they come in this order. */
function sectionsIn(text: string, headings: string[]): number[] {
  const at: number[] = [];
  let from = 0;
  for (const h of headings) {
    const i = text.indexOf(h, from);
    assert.ok(i >= 0, `heading "${h}" missing or out of order`);
    at.push(i);
    from = i + h.length;
  }
  return at;
}

/** Text between a section's heading and the next one. */
function section(text: string, headings: string[], name: string): string {
  const at = sectionsIn(text, headings);
  const k = headings.indexOf(name);
  return text.slice(at[k], k + 1 < at.length ? at[k + 1] : undefined);
}

/** The page text of the HTML part as a browser would show it (tags dropped, entities decoded). */
function htmlText(html: string): string {
  return html.replace(/<[^>]+>/g, ' ').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&amp;/g, '&');
}

test('a realistic day: the actions come first, then every cause by failed calls, in both parts, in the same order', () => {
  const { r, seed } = day();
  const { data, text } = r;
  const html = htmlText(r.html);
  assert.ok(seed.calls.size >= 30, `causes: ${seed.calls.size}`);
  assert.ok(seed.incidents >= 400, `incidents: ${seed.incidents}`);
  assert.equal(data.total, [...seed.calls.values()].reduce((a, b) => a + b, 0));

  for (const part of [text, html]) {
    const at = sectionsIn(part, EN_HEADINGS);
    // Nothing but the header and the headline before the actions.
    assert.ok(at[0] < part.indexOf('Apps: ') + 2000, 'actions right after the headline');
    const actions = section(part, EN_HEADINGS, 'Needs action');
    assert.ok(data.actions.length >= 3, `actions: ${data.actions.length}`);
    for (const g of data.actions) {
      assert.ok(actions.includes(`${causeName(g.key)} `), `action ${g.key}`);
      assert.ok(g.incidents.every((i) => i.state === 'firing' && (i.severity === 'critical' || i.severity === 'error')));
    }
    assert.match(actions, /apiwatch incident ack \d+/);
    // Every cause with failed calls is named in the causes section (or, info, in the expected one).
    const causes = section(part, EN_HEADINGS, 'Causes of the period');
    const expected = section(part, EN_HEADINGS, 'Expected outcomes');
    for (const c of data.causes) {
      const where = c.severity === 'info' ? expected : causes;
      assert.ok(where.includes(`${causeName(c.key)} `), `cause ${c.key} (${c.calls} calls) not named`);
    }
    // ...ordered by failed calls.
    const order = data.causes.filter((c) => c.severity !== 'info').map((c) => causes.indexOf(` ${causeName(c.key)} `));
    assert.ok(order.every((p, i) => p >= 0 && (i === 0 || p > order[i - 1])), 'causes in order of failed calls');
    assert.match(causes, /\d+ other causes, \d+ calls/);
  }
  // The causes are counted from events, not incidents: the rows add up to the day.
  assert.equal(data.causes.reduce((n, c) => n + c.calls, 0), data.total);
  assert.deepEqual(new Map(data.causes.map((c) => [c.key || '(unclassified)', c.calls])), seed.calls);
  const sorted = [...data.causes].sort((a, b) => b.calls - a.calls);
  assert.deepEqual(data.causes.map((c) => c.calls), sorted.map((c) => c.calls));
  // Later sections are grouped by cause and capped with a pointer to the full list.
  assert.match(text, /…and \d+ more: apiwatch incidents --ref [A-Z0-9]+/);
  assert.match(r.subject, /^\[apiwatch\] 2026-12-01: [A-Z]\d+ .+ \(critical, \d+ calls?\) \+ \d+ more causes, \d+ failed calls$/);
});

test('the realistic day in zh: every heading and label translated, a full Chinese fix for every row', () => {
  const { r } = day('zh');
  for (const part of [r.text, htmlText(r.html)]) {
    sectionsIn(part, ZH_HEADINGS);
    for (const en of [...EN_HEADINGS, 'Acknowledge:', 'Apps:', 'Endpoints:', 'Fix:', 'other causes']) {
      assert.ok(!part.includes(en), `English label in zh: ${en}`);
    }
  }
  // The fix of each action and cause row is Chinese text (composed when the rule's zh hint is only the cause).
  const fixes = r.text.split('\n').filter((l) => l.trim().startsWith('处理方法: '));
  assert.ok(fixes.length >= r.data.actions.length + 12, `fix lines: ${fixes.length}`);
  for (const f of fixes) assert.ok(/[\u4e00-\u9fff]{8,}/.test(f) && f.length > 40, f);
});

test('with http.public_url the actions link to the incident pages instead of printing the ack command', () => {
  const { r } = day('en');
  const withUrl = buildDigestWithUrl();
  assert.match(r.text, /Acknowledge: /);
  assert.match(withUrl.text, /Open: https:\/\/apiwatch\.example\.com\/incidents\/\d+/);
  assert.match(withUrl.html, /<a href="https:\/\/apiwatch\.example\.com\/incidents\/\d+"/);
  assert.doesNotMatch(withUrl.text, /Acknowledge: /);
});

function buildDigestWithUrl(): RenderedDigest {
  const { db, seed } = seededDay();
  const { cfg } = day();
  // The web UI's key, as the web area adds it to the config (read loosely until then).
  const withUrl = { ...cfg, http: { ...cfg.http, public_url: 'https://apiwatch.example.com/' } };
  return buildDigest(db, withUrl, { fromDate: DAY, toDate: DAY }, seed.now);
}

test('the realistic day goes through a real SMTP server with both parts intact', async () => {
  const smtp = await startSmtp();
  const { r, cfg } = day('en', `notify:\n  email:\n    smtp: { host: 127.0.0.1, port: ${smtp.port} }\n    to: [ops@example.com]\n`);
  const mailer = createMailer(cfg, { env: {} });
  try {
    await mailer.send({ subject: r.subject, html: r.html, text: r.text, fileBase: DAY });
  } finally {
    mailer.close();
  }
  assert.equal(smtp.messages.length, 1);
  const m = smtp.messages[0];
  assert.equal(m.subject, r.subject);
  const text = m.text ?? '';
  const html = htmlText(typeof m.html === 'string' ? m.html : '');
  for (const part of [text, html]) {
    sectionsIn(part, EN_HEADINGS);
    for (const c of r.data.causes) assert.ok(part.includes(`${causeName(c.key)} `), `${c.key} in the received mail`);
  }
});

test('the realistic day in headless Chromium at 600 px and 1,000 px: no horizontal overflow, no scripts or requests', async () => {
  const { r } = day();
  const browser = await launchBrowser();
  try {
    for (const width of [600, 1000]) {
      const { page, requests } = await openPage(browser, { width, height: 900 });
      await page.setContent(r.html, { waitUntil: 'load' });
      const m = await page.evaluate(() => {
        const doc = (globalThis as any).document;
        return {
          scroll: doc.documentElement.scrollWidth as number,
          client: doc.documentElement.clientWidth as number,
          widest: Math.max(...[...doc.querySelectorAll('*')].map((e: any) => e.getBoundingClientRect().right as number)),
          scripts: doc.scripts.length as number,
          h2: [...doc.querySelectorAll('h2')].map((h: { textContent: string | null }) => (h.textContent ?? '').replace(/ \(.*$/, '')),
        };
      });
      assert.equal(m.client, width);
      assert.ok(m.scroll <= width && m.widest <= width + 0.5, `overflow at ${width} px: scrollWidth ${m.scroll}, widest element ends at ${m.widest}`);
      assert.equal(m.scripts, 0);
      assert.deepEqual(requests, []);
      assert.deepEqual(m.h2, EN_HEADINGS.filter((h) => h !== 'Expected outcomes'), 'expected outcomes are a small note, not a section heading');
      await page.close();
    }
  } finally {
    await browser.close();
  }
});
