// The one headless browser every rendering test uses (the digest now, the web UI later).
// It comes from npm, never from the system: @sparticuz/chromium ships a Chromium build inside
// the package (brotli-compressed) and puppeteer-core drives it, so `npm ci && npm test` needs no
// apt package and no download outside the npm registry.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import chromium from '@sparticuz/chromium';
import puppeteer, { type Browser, type Page } from 'puppeteer-core';

const require = createRequire(import.meta.url);
const PKG_VERSION = (JSON.parse(
  readFileSync(join(dirname(require.resolve('@sparticuz/chromium')), '..', 'package.json'), 'utf8'),
) as { version: string }).version;

/** Where the unpacked browser is kept between runs (unpacking takes a few seconds). */
const CACHE = join(tmpdir(), `apiwatch-chromium-${PKG_VERSION}-${process.getuid?.() ?? 0}`);
const FONTS_CONF = 'apiwatch-fonts.conf';
/** Rendering tests need no WebGL: skips unpacking SwiftShader and adds --disable-webgl. */
chromium.setGraphicsMode = false;

/**
 * The package unpacks into os.tmpdir() and treats an existing file as done, so two test runs
 * unpacking at once could launch a half-written binary. Unpack into a private folder (TMPDIR
 * pointed there for the call) and rename it into place: the rename is atomic, the loser of a
 * race discards its copy.
 */
async function unpackedBrowser(): Promise<string> {
  const binary = join(CACHE, 'chromium');
  if (existsSync(binary) && existsSync(join(CACHE, FONTS_CONF))) return binary;
  rmSync(CACHE, { recursive: true, force: true }); // an older helper's layout
  mkdirSync(dirname(CACHE), { recursive: true });
  const staging = mkdtempSync(`${CACHE}.staging-`);
  const saved = process.env.TMPDIR;
  process.env.TMPDIR = staging;
  try {
    await chromium.executablePath();
  } finally {
    if (saved === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = saved;
  }
  // The package's fonts.conf names /tmp/fonts; ours names the bundled faces where they end up, and
  // only those, so text measures the same on every machine (with or without system fonts).
  writeFileSync(join(staging, FONTS_CONF), [
    '<?xml version="1.0"?>', '<!DOCTYPE fontconfig SYSTEM "fonts.dtd">', '<fontconfig>',
    `  <dir>${join(CACHE, 'fonts', 'fonts')}</dir>`, `  <cachedir>${join(CACHE, 'fonts-cache')}</cachedir>`, '</fontconfig>', '',
  ].join('\n'));
  try {
    renameSync(staging, CACHE);
  } catch {
    rmSync(staging, { recursive: true, force: true }); // another run got there first
  }
  if (!existsSync(binary)) throw new Error(`@sparticuz/chromium did not unpack a browser into ${CACHE}`);
  return binary;
}

/** Headless Chromium. A browser that fails to start is a test failure, never a skip. */
export async function launchBrowser(): Promise<Browser> {
  const executablePath = await unpackedBrowser();
  return puppeteer.launch({
    executablePath,
    headless: 'shell',
    args: [...chromium.args, '--disable-background-networking', '--disable-component-update', '--disable-sync',
      '--no-first-run', '--disable-quic'],
    // The bundled fonts (fonts.conf + faces) so text measures the same on a machine without any.
    env: { ...process.env, FONTCONFIG_FILE: join(CACHE, FONTS_CONF) },
  });
}

export interface PageOptions {
  width: number;
  height: number;
  /** Off by default: mail and static pages must work without scripts. */
  javaScript?: boolean;
}

/** A page at the given viewport; `requests` records every URL the page asks for (data: and about:blank aside). */
export async function openPage(browser: Browser, opts: PageOptions): Promise<{ page: Page; requests: string[] }> {
  const page = await browser.newPage();
  await page.setViewport({ width: opts.width, height: opts.height });
  await page.setJavaScriptEnabled(opts.javaScript ?? false);
  const requests: string[] = [];
  page.on('request', (r) => {
    const url = r.url();
    if (!url.startsWith('data:') && url !== 'about:blank') requests.push(url);
  });
  return { page, requests };
}
