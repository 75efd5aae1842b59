import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildDigest } from '../../src/digest/build.js';
import { tempDir } from '../helpers/tmp.js';
import { testConfig, testDb } from './helpers.js';
import { seedRealistic } from './fixtures.js';
import { launchBrowser, openPage } from '../helpers/browser.js';

test('the digest renders in headless Chromium at 600 px without horizontal overflow, with no network or scripts', async () => {
  const dir = tempDir();
  const cfg = testConfig(dir, 'digest:\n  timezone: Asia/Shanghai\n');
  const db = testDb(dir);
  const { now } = seedRealistic(db, '2026-11-27', 'Asia/Shanghai', { ackColumns: true });
  // A log line with no break opportunities must wrap too, not widen the page.
  db.prepare("UPDATE incidents SET last_description = ? WHERE ref = 'T01'").run('x'.repeat(400));
  const { html } = buildDigest(db, cfg, { fromDate: '2026-11-27', toDate: '2026-11-27' }, now);

  const browser = await launchBrowser();
  try {
    const { page, requests } = await openPage(browser, { width: 600, height: 900 });
    await page.setContent(html, { waitUntil: 'load' });
    // Runs in the page; the project compiles without DOM types, hence the loose `document`.
    const m = await page.evaluate(() => {
      const doc = (globalThis as any).document;
      return {
        scroll: doc.documentElement.scrollWidth as number,
        body: doc.body.scrollWidth as number,
        client: doc.documentElement.clientWidth as number,
        scripts: doc.scripts.length as number,
        images: doc.images.length as number,
        bars: doc.querySelectorAll('td[bgcolor="#cf222e"]').length as number,
        h2: [...doc.querySelectorAll('h2')].map((h: { textContent: string | null }) => h.textContent) as (string | null)[],
        text: doc.body.innerText as string,
      };
    });
    assert.equal(m.client, 600);
    assert.ok(m.scroll <= 600 && m.body <= 600, `overflow: scrollWidth ${m.scroll}, body ${m.body}`);
    assert.equal(m.scripts, 0);
    assert.equal(m.images, 0);
    assert.deepEqual(requests, []);
    assert.ok(m.bars >= 10, `bars drawn: ${m.bars}`);
    assert.deepEqual(m.h2.map((h) => h?.replace(/ \(.*\)$/, '')), [
      'Needs action', 'Causes of the period', 'New and regressed incidents', 'Resolved',
      'Top endpoints by failed calls', 'Failed calls per hour', 'Undelivered notifications', 'Active silences',
    ]);
    assert.match(m.text, /username \[<script>alert\(1\)<\/script>\] is not legal/, 'the escaped log text shows as text');
    // Narrow phone width too.
    await page.setViewport({ width: 360, height: 900 });
    const narrow = await page.evaluate(() => (globalThis as any).document.documentElement.scrollWidth as number);
    assert.ok(narrow <= 360, `overflow at 360 px: ${narrow}`);
  } finally {
    await browser.close();
  }
});
