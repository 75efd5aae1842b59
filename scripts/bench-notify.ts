// Latency from a failing-call line's write() to the Slack POST arriving at a local webhook.
//
//   npm run bench:notify -- [samples=40]
//
// Part 1 drives the real daemon (`apiwatch run`) on a temp log file with group_wait 0. Every
// sample is a NEW incident (a distinct endpoint, app key and status per line), so each one
// exercises the first-page path: tail → parse → classify → commit → dispatch → outbox → POST.
// Samples are 1.1 s apart because one webhook gets at most one message per second.
// Part 2 measures the notify side alone, in process: from the batch's commit to the POST.
import { spawn } from 'node:child_process';
import { appendFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { openDatabase } from '../src/store/db.js';
import { IncidentStore } from '../src/incidents/store.js';
import { Muter, SilenceStore } from '../src/incidents/silences.js';
import { Dispatcher } from '../src/notify/dispatch.js';
import { OutboxStore } from '../src/notify/outbox/store.js';
import { OutboxWorker } from '../src/notify/outbox/worker.js';
import { SlackClient } from '../src/notify/slack/client.js';
import { SlackNotifier, SlackRouter } from '../src/notify/slack/index.js';
import { silentLogger } from '../src/util/log.js';
import type { ClassifiedEvent } from '../src/classify/types.js';

const N = Number(process.argv[2] ?? 40);
const dir = mkdtempSync(join(tmpdir(), 'apiwatch-bench-notify-'));
const arrivals: { at: number; body: string }[] = [];
let waiter: (() => void) | null = null;

const server = createServer((req, res) => {
  let body = '';
  req.on('data', (c) => (body += c));
  req.on('end', () => {
    arrivals.push({ at: performance.now(), body });
    res.writeHead(200).end('ok');
    waiter?.();
  });
});
await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;

function waitFor(n: number, ms: number): Promise<boolean> {
  return new Promise((ok) => {
    const t = setTimeout(() => ok(false), ms);
    const check = () => {
      if (arrivals.length >= n) {
        clearTimeout(t);
        waiter = null;
        ok(true);
      }
    };
    waiter = check;
    check();
  });
}

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)];
};
const report = (name: string, xs: number[]) =>
  console.log(`${name}: n=${xs.length}  p50 ${pct(xs, 50).toFixed(1)} ms  p99 ${pct(xs, 99).toFixed(1)} ms  max ${Math.max(...xs).toFixed(1)} ms`);

// --- Part 1: the real daemon ---
const log = join(dir, 'app.log');
writeFileSync(log, '');
const config = join(dir, 'apiwatch.yaml');
writeFileSync(
  config,
  `state_dir: ${dir}/state
sources:
  - path: ${log}
    start_at: beginning
notify:
  console: { enabled: false }
  slack:
    webhook_url: ${url}
    min_severity: info
    group_wait: 0s
`,
);
const daemon = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'run', '--config', config], {
  stdio: ['ignore', 'ignore', 'inherit'],
  env: { ...process.env, APIWATCH_LOG_LEVEL: 'warn' },
});
await new Promise((r) => setTimeout(r, 2500)); // start-up
const e2e: number[] = [];
for (let i = 0; i < N; i++) {
  const status = 400 + (i % 100) + (i >= 100 ? 100 : 0);
  const line = JSON.stringify({
    level: 50, time: Date.now(), msg: 'easemob call failed', method: 'POST',
    url: `https://a1.easemob.com/org${i}/app${i}/messages/users${i}`, status,
    body: { error: 'reach_limit', error_description: 'This request has reached api limit' },
  });
  const before = arrivals.length;
  const t0 = performance.now();
  appendFileSync(log, line + '\n');
  if (!(await waitFor(before + 1, 5000))) {
    console.error(`sample ${i}: no POST within 5 s`);
    continue;
  }
  e2e.push(arrivals[before].at - t0);
  await new Promise((r) => setTimeout(r, 1100 - Math.min(1000, arrivals[before].at - t0)));
}
daemon.kill('SIGTERM');
await new Promise((r) => daemon.once('exit', r));
report('end to end (line write → POST, real daemon, new incident each)', e2e);
if (process.env.BENCH_VERBOSE) console.log(e2e.map((x) => x.toFixed(0)).join(' '));

// --- Part 2: the notify side alone (commit → POST) ---
arrivals.length = 0;
const db = openDatabase(join(dir, 'inproc.db'));
const incidents = new IncidentStore(db);
const outbox = new OutboxStore(db);
const router = new SlackRouter({ webhook_url: url, routes: [] });
const slackChannel = new SlackNotifier(router, { minSeverity: 'info', minIntervalMs: 0, client: new SlackClient(5000) });
const worker = new OutboxWorker({ store: outbox, notifiers: [slackChannel], log: silentLogger });
const dispatcher = new Dispatcher({
  db, notifiers: [slackChannel], log: silentLogger,
  muter: new Muter(new SilenceStore(db), []), policy: { groupWait: 0 }, onQueued: () => worker.kick(),
});
worker.start();
const inproc: number[] = [];
for (let i = 0; i < Math.max(N, 200); i++) {
  const ev = {
    ts: Date.now(), tsFromLine: true, source: log, line: i + 1, method: 'POST', url: null, endpoint: `/e${i}`, appkey: `org#app${i}`,
    host: 'a1.easemob.com', status: 429, error: 'reach_limit', errorDescription: 'This request has reached api limit', exception: null,
    raw: '{}', parser: 'json', fingerprint: `E37|/e${i}`,
    cls: { ref: 'E37', rule: 'reach_limit', category: 'rate_limit', severity: 'error', title: 'Rate limit reached', hint: '', hintZh: '', retryable: true, groupBy: [] },
  } as ClassifiedEvent;
  const before = arrivals.length;
  const t0 = performance.now();
  const changes = db.transaction(() => incidents.record([ev], Date.now()))();
  dispatcher.handle(changes);
  await waitFor(before + 1, 5000);
  inproc.push(arrivals[before].at - t0);
}
await worker.stop();
db.close();
report('notify side (commit → POST, in process)', inproc);
server.close();
rmSync(dir, { recursive: true, force: true });
