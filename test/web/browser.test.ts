// The on-call page in a real headless Chromium (test/helpers/browser.ts), served by the daemon's own
// HTTP listener on 127.0.0.1:0 over a real SQLite file.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { launchBrowser, openPage } from '../helpers/browser.js';
import { apiwatch, ROOT } from '../helpers/cli.js';
import { tempDir } from '../helpers/tmp.js';
import { openDatabase } from '../../src/store/db.js';
import { IncidentStore } from '../../src/incidents/store.js';
import { startHttp } from '../../src/daemon/http.js';
import type { HealthReport } from '../../src/daemon/health.js';
import { createUi } from '../../src/web/server.js';
import { ev } from '../notify/helpers.js';

// Screenshots go to a temporary folder, so `npm test` never rewrites the repository; the README's
// docs/img/web-*.png are regenerated with APIWATCH_SCREENSHOTS=docs/img node scripts/run-tests.mjs test/web/browser.
const SHOTS = process.env.APIWATCH_SCREENSHOTS ? join(ROOT, process.env.APIWATCH_SCREENSHOTS) : tempDir();
const PNG_MAGIC = Buffer.from([0x89, 0x50, 0x4e, 0x47]);
async function shot(page: { screenshot(o: { path: string; fullPage: boolean }): Promise<unknown> }, name: string): Promise<void> {
  const path = join(SHOTS, name);
  await page.screenshot({ path, fullPage: true });
  assert.ok(readFileSync(path).subarray(0, 4).equals(PNG_MAGIC), `${name} is a PNG`);
}

const TOKEN = 'test-token-0123456789abcdef';
const XSS = [
  '<script>window.__pwned=1</script>',
  '"><img src=x onerror="window.__pwned=2">',
  "<svg onload=alert(1)>",
  'javascript:alert(1)',
  '</pre><iframe src="javascript:alert(1)"></iframe>',
];

const dir = tempDir();
const config = join(dir, 'apiwatch.yaml');
writeFileSync(config, `state_dir: ${dir}/state\nsources: []\n`);
const dbPath = join(dir, 'state', 'apiwatch.db');
const db = openDatabase(dbPath);
const store = new IncidentStore(db);
const now = Date.now();
db.transaction(() =>
  store.record(
    [
      ev(now - 3000, {}, { ref: 'E37', severity: 'error' }),
      ev(now - 2000, { endpoint: '/users', errorDescription: XSS.join(' '), raw: XSS.join('\n') }, { ref: 'E31', severity: 'critical', category: 'auth', title: XSS[0] }),
    ],
    now,
  ),
)();
const server = await startHttp('127.0.0.1:0', {
  metrics: async () => '',
  contentType: 'text/plain',
  health: () => ({ status: 'ok', ok: true, moving: true, dbWritable: true, problems: [], faults: [] }) as HealthReport,
  ui: createUi({ db, token: TOKEN, rules: () => [{ id: 'E37', ref: 'E37' }, { id: 'E31', ref: 'E31' }, { id: 'E32', ref: 'E32' }] }),
});
const base = `http://127.0.0.1:${server.boundPort}`;
const browser = await launchBrowser();
after(async () => {
  await browser.close();
  await new Promise<void>((ok) => server.close(() => ok()));
  db.close();
});

async function loggedIn(width: number) {
  const { page, requests } = await openPage(browser, { width, height: 900, javaScript: true });
  let dialogs = 0;
  page.on('dialog', (d) => {
    dialogs++;
    void d.dismiss();
  });
  // Pages share the browser's cookie jar: each test logs in afresh.
  await page.deleteCookie(...(await page.cookies(base)));
  await page.goto(`${base}/incidents`);
  assert.match(page.url(), /\/login$/, 'not logged in: sent to the login page');
  await page.type('input[name=name]', 'alice');
  await page.type('input[name=token]', TOKEN);
  await Promise.all([page.waitForNavigation(), page.click('button[type=submit]')]);
  assert.match(page.url(), /\/incidents$/);
  return { page, requests, dialogs: () => dialogs };
}

test('log in, find an incident, acknowledge it through the button: DB and incidents --json agree', async () => {
  const { page } = await loggedIn(1440);
  const cookies = await page.cookies();
  const sess = cookies.find((c) => c.name === 'apiwatch_session')!;
  assert.equal(sess.httpOnly, true);
  assert.equal(sess.sameSite, 'Strict');
  await page.type('input[name=ref]', 'E37');
  await Promise.all([page.waitForNavigation(), page.click('form.filters button[type=submit]')]);
  const ids = await page.$$eval('tr[data-id]', (rows) => rows.map((r) => r.getAttribute('data-id')));
  assert.deepEqual(ids, ['1']);
  await Promise.all([page.waitForNavigation(), page.click('a[href="/incidents/1"]')]);
  await page.type('form[action="/incidents/1/ack"] input[name=comment]', 'looking at the quota');
  await Promise.all([page.waitForNavigation(), page.click('#ack')]);
  assert.equal(await page.$eval('#state', (e) => e.textContent), 'acknowledged');
  assert.match(await page.$eval('#actions', (e) => e.textContent ?? ''), /acknowledge.*alice \(web\).*looking at the quota/);
  const row = db.prepare('SELECT state, acknowledged_by FROM incidents WHERE id = 1').get() as { state: string; acknowledged_by: string };
  assert.deepEqual(row, { state: 'acknowledged', acknowledged_by: 'alice' });
  const cli = apiwatch(['incidents', '--json', '--config', config], { cwd: ROOT, env: { APIWATCH_CONFIG: '' } });
  assert.equal(cli.status, 0, cli.stderr);
  const first = cli.stdout.trim().split('\n').map((l) => JSON.parse(l) as { id: number; state: string }).find((j) => j.id === 1);
  assert.equal(first?.state, 'acknowledged');
  const show = apiwatch(['incident', 'show', '1', '--config', config], { cwd: ROOT, env: { APIWATCH_CONFIG: '' } });
  assert.match(show.stdout, /acknowledge by alice \(web\): looking at the quota/);
  await shot(page, 'web-incident-1440.png');
  await page.close();
});

test('a silence with =~: preview, save, and a matching new incident is muted', async () => {
  const { page } = await loggedIn(1440);
  await page.goto(`${base}/silences`);
  await page.type('#matchers', 'ref=~E3[12]');
  await page.type('input[name=comment]', 'auth rollout');
  await Promise.all([page.waitForNavigation(), page.click('#preview')]);
  assert.equal(await page.$eval('#preview-count', (e) => e.textContent), '1');
  assert.match(await page.$eval('#preview-list', (e) => e.textContent ?? ''), /#2/);
  assert.equal((db.prepare('SELECT COUNT(*) AS n FROM silences').get() as { n: number }).n, 0, 'preview saves nothing');
  await Promise.all([page.waitForNavigation(), page.click('#create')]);
  const saved = db.prepare('SELECT matchers, created_by FROM silences').get() as { matchers: string; created_by: string };
  assert.deepEqual(JSON.parse(saved.matchers), [{ name: 'ref', op: '=~', value: 'E3[12]' }]);
  assert.equal(saved.created_by, 'alice');
  const t = Date.now();
  db.transaction(() => store.record([ev(t, { endpoint: '/chatgroups' }, { ref: 'E32', severity: 'error' })], t))();
  await page.goto(`${base}/incidents`);
  assert.match(await page.$eval('tr[data-id="3"]', (e) => e.textContent ?? ''), /muted: silence #1/);
  // A value naming nothing is refused with the valid ones listed.
  await page.goto(`${base}/silences`);
  await page.type('#matchers', 'severity=crit');
  await Promise.all([page.waitForNavigation(), page.click('#preview')]);
  assert.match(await page.$eval('#error', (e) => e.textContent ?? ''), /unknown severity "crit"; valid values: critical, error, info, warning/);
  await page.close();
});

test('an XSS corpus in log lines renders as text: no dialog, no script, no outside request', async () => {
  const { page, requests, dialogs } = await loggedIn(375);
  await page.goto(`${base}/incidents/2`);
  const text = await page.$eval('#samples', (e) => e.textContent ?? '');
  for (const x of XSS) assert.ok(text.includes(x), `shown as text: ${x}`);
  assert.equal(await page.evaluate('window.__pwned ?? 0'), 0);
  assert.equal(await page.$$eval('#samples script, #samples img, #samples svg, #samples iframe', (l) => l.length), 0);
  assert.equal(dialogs(), 0);
  assert.deepEqual(requests.filter((u) => !u.startsWith(base)), []);
  await shot(page, 'web-incident-375.png');
  await page.goto(`${base}/incidents?state=any`);
  await shot(page, 'web-incidents-375.png');
  await page.setViewport({ width: 1440, height: 900 });
  await page.reload();
  await shot(page, 'web-incidents-1440.png');
  await page.close();
});

test('CSRF: a post without the token is refused; wrong tokens are rate-limited; headers set CSP', async () => {
  const { page } = await loggedIn(1440);
  const cookie = (await page.cookies()).map((c) => `${c.name}=${c.value}`).join('; ');
  const noCsrf = await fetch(`${base}/incidents/2/resolve`, { method: 'POST', headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' }, body: 'name=mallory', redirect: 'manual' });
  assert.equal(noCsrf.status, 403);
  assert.equal((db.prepare('SELECT state FROM incidents WHERE id = 2').get() as { state: string }).state, 'firing');
  const noSession = await fetch(`${base}/incidents/2/resolve`, { method: 'POST', body: 'name=x', redirect: 'manual' });
  assert.equal(noSession.status, 401);
  const res = await fetch(`${base}/login`);
  const csp = res.headers.get('content-security-policy') ?? '';
  assert.match(csp, /script-src 'self'/);
  assert.doesNotMatch(csp, /unsafe-inline/);
  const statuses: number[] = [];
  for (let i = 0; i < 7; i++) {
    const r = await fetch(`${base}/login`, { method: 'POST', body: 'name=eve&token=wrong', headers: { 'content-type': 'application/x-www-form-urlencoded' }, redirect: 'manual' });
    statuses.push(r.status);
  }
  assert.deepEqual(statuses, [401, 401, 401, 401, 401, 429, 429]);
  await page.close();
});
