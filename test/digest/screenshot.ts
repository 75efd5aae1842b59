// Regenerates the README screenshot of a realistic digest:
//   node --import tsx test/digest/screenshot.ts docs/digest-screenshot.png [docs/digest-example.html]
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseConfig } from '../../src/config/load.js';
import { openDatabase } from '../../src/store/db.js';
import { buildDigest } from '../../src/digest/build.js';
import { seedRealistic } from './fixtures.js';
import { launchBrowser, openPage } from '../helpers/browser.js';

const out = resolve(process.argv[2] ?? 'docs/digest-screenshot.png');
const htmlOut = process.argv[3] ? resolve(process.argv[3]) : null;
const dir = mkdtempSync(join(tmpdir(), 'apiwatch-shot-'));
try {
  const text = 'state_dir: ./state\ndigest:\n  timezone: Asia/Shanghai\n';
  const cfg = parseConfig(text, join(dir, 'apiwatch.yaml'), {});
  const db = openDatabase(cfg.dbPath);
  const { now } = seedRealistic(db, '2026-11-27', 'Asia/Shanghai', { ackColumns: true });
  const r = buildDigest(db, cfg, { fromDate: '2026-11-27', toDate: '2026-11-27' }, now);
  db.close();
  if (htmlOut) writeFileSync(htmlOut, r.html);
  const browser = await launchBrowser();
  const { page } = await openPage(browser, { width: 600, height: 800 });
  await page.setContent(r.html, { waitUntil: 'load' });
  await page.screenshot({ path: out as `${string}.png`, fullPage: true });
  await browser.close();
  process.stdout.write(`${out}\nSubject: ${r.subject}\n`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
