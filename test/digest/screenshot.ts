// Regenerates the README screenshots of the realistic day (the shared corpus replayed into one day):
//   node --import tsx test/digest/screenshot.ts [docs/img] [docs/digest-example.html]
// Writes digest-600.png and digest-1000.png (the first screens, 1,400 px tall) and digest-600-full.png.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseConfig } from '../../src/config/load.js';
import { openDatabase } from '../../src/store/db.js';
import { buildDigest } from '../../src/digest/build.js';
import { seedRealisticDay } from './realistic-day.js';
import { launchBrowser, openPage } from '../helpers/browser.js';

const outDir = resolve(process.argv[2] ?? 'docs/img');
const htmlOut = process.argv[3] ? resolve(process.argv[3]) : null;
const FIRST_SCREEN = 1400;
const dir = mkdtempSync(join(tmpdir(), 'apiwatch-shot-'));
try {
  mkdirSync(outDir, { recursive: true });
  const text = 'state_dir: ./state\ndigest:\n  timezone: Asia/Shanghai\n';
  const cfg = parseConfig(text, join(dir, 'apiwatch.yaml'), {});
  const db = openDatabase(cfg.dbPath);
  const { now } = seedRealisticDay(db, '2026-12-01', 'Asia/Shanghai');
  const r = buildDigest(db, cfg, { fromDate: '2026-12-01', toDate: '2026-12-01' }, now);
  db.close();
  if (htmlOut) writeFileSync(htmlOut, r.html);
  const browser = await launchBrowser();
  for (const width of [600, 1000]) {
    const { page } = await openPage(browser, { width, height: FIRST_SCREEN });
    await page.setContent(r.html, { waitUntil: 'load' });
    await page.screenshot({ path: join(outDir, `digest-${width}.png`) as `${string}.png` });
    if (width === 600) await page.screenshot({ path: join(outDir, 'digest-600-full.png') as `${string}.png`, fullPage: true });
    await page.close();
  }
  await browser.close();
  process.stdout.write(`${outDir}\nSubject: ${r.subject}\n`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
