import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { appendFileSync, existsSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { tempDir } from '../helpers/tmp.js';
import { FakeSlack } from './helpers.js';

/**
 * A real daemon (child process) pages a real Slack stand-in while it is SIGKILLed at random moments.
 * Every incident must be paged; a kill may cost at most one duplicate (the one message whose 200
 * arrived before its `sent` mark committed). The scenarios are registered at two sizes: small in
 * `npm test` (test/notify/kill.test.ts), issue 11's Done-when size in `npm run test:system`.
 */

const ROOT = new URL('../..', import.meta.url).pathname;

/** The built CLI when dist/ is newer than every source file (npm test builds first), else the sources through tsx: a start costs a second of CPU less. */
function entry(): string[] {
  const newest = (dir: string): number =>
    Math.max(0, ...readdirSync(dir, { withFileTypes: true }).map((e) => (e.isDirectory() ? newest(join(dir, e.name)) : statSync(join(dir, e.name)).mtimeMs)));
  const built = join(ROOT, 'dist', 'cli', 'main.js');
  return existsSync(built) && statSync(built).mtimeMs >= newest(join(ROOT, 'src')) ? [built] : ['--import', 'tsx', 'src/cli/main.ts'];
}
const ENTRY = entry();

function daemon(config: string): ChildProcess {
  return spawn(process.execPath, [...ENTRY, 'run', '--config', config], {
    cwd: ROOT,
    stdio: 'ignore',
    env: { ...process.env, APIWATCH_LOG_LEVEL: 'silent' },
  });
}

async function kill(p: ChildProcess, sig: NodeJS.Signals = 'SIGKILL'): Promise<void> {
  if (p.exitCode !== null || p.signalCode !== null) return;
  const exited = new Promise((r) => p.once('exit', r));
  p.kill(sig);
  await exited;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A seeded generator (the seed is in the failure message, so a failing run can be replayed). */
function prng(seed: number): () => number {
  let s = seed >>> 0;
  return () => ((s = (s * 1664525 + 1013904223) >>> 0) / 2 ** 32);
}

/** One failing call of a new app: a new incident (the fingerprint groups by app key). */
function line(app: string): string {
  return (
    JSON.stringify({
      level: 50, time: Date.now(), msg: 'easemob call failed', method: 'POST', url: `https://a1.easemob.com/kill/${app}/messages/users`,
      status: 429, body: { error: 'reach_limit', error_description: 'This request has reached api limit' },
    }) + '\n'
  );
}

function setup() {
  const dir = tempDir('apiwatch-kill-');
  const log = join(dir, 'app.log');
  writeFileSync(log, '');
  const config = join(dir, 'apiwatch.yaml');
  return { dir, log, config, dbFile: join(dir, 'state', 'apiwatch.db') };
}

async function slackFor(config: string, dir: string, log: string) {
  const slack = await new FakeSlack().start();
  // No pacing (the stand-in is not rate limited) so thousands of pages drain in seconds; no grouping delay.
  writeFileSync(
    config,
    `state_dir: ${dir}/state\nsources:\n  - path: ${log}\n    start_at: beginning\nnotify:\n  console: { enabled: false }\n` +
      `  slack:\n    webhook_url: ${slack.url()}\n    group_wait: 0s\n    min_interval: 0s\n`,
  );
  return slack;
}

/** Pages per incident id, from the message text Slack received; read incrementally (it is polled). */
class Pages {
  readonly byId = new Map<number, number>();
  private seen = 0;
  constructor(private readonly slack: FakeSlack) {}

  update(): this {
    const got = this.slack.received;
    for (; this.seen < got.length; this.seen++) {
      const id = Number(/#(\d+)/.exec(got[this.seen].body.text as string)![1]);
      this.byId.set(id, (this.byId.get(id) ?? 0) + 1);
    }
    return this;
  }

  get distinct(): number {
    return this.update().byId.size;
  }
}

function incidentCount(dbFile: string): number {
  const db = new Database(dbFile, { readonly: true });
  try {
    return (db.prepare('SELECT count(*) AS n FROM incidents').get() as { n: number }).n;
  } finally {
    db.close();
  }
}

async function waitFor(cond: () => boolean, ms: number): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (cond()) return true;
    await sleep(100);
  }
  return cond();
}

function verdict(slack: FakeSlack, tracker: Pages, incidents: number, kills: number, what: string) {
  const pages = tracker.update().byId;
  const missing: number[] = [];
  for (let id = 1; id <= incidents; id++) if (!pages.has(id)) missing.push(id);
  const duplicates = [...pages.values()].reduce((s, n) => s + n - 1, 0);
  const worst = Math.max(...pages.values());
  return { missing, duplicates, worst, pages: slack.received.length, line: `${what}: ${incidents} incidents, ${slack.received.length} pages, ${duplicates} duplicates, ${kills} kills` };
}

/**
 * When to kill, as a point in the run's progress rather than wall time (a loaded machine starts the
 * daemon slowly): a fifth of the kills land before any page of the run goes out (start-up, reading,
 * the dispatcher's transaction), the rest after a random share of the burst was delivered.
 */
async function killAtRandomPoint(p: ChildProcess, slack: FakeSlack, rand: () => number, burst: number, capMs = 60_000): Promise<string> {
  const before = slack.received.length;
  const share = rand() * 1.25 - 0.25;
  if (share <= 0) {
    const ms = Math.floor(rand() * 1500);
    await sleep(ms);
    await kill(p);
    return `${ms} ms after start: ${slack.received.length - before} paged`;
  }
  const target = Math.max(1, Math.floor(share * burst));
  await waitFor(() => slack.received.length - before >= target, capMs);
  await kill(p);
  return `after ${target}: ${slack.received.length - before} paged`;
}

/** Up to this long for the last run to page everything (a loaded CI box is slow; an idle one takes seconds). */
const DRAIN_MS = 180_000;

export function burstsScenario(BURSTS: number, PER_BURST: number): void {
  test(`bursts of ${PER_BURST.toLocaleString('en')} new incidents, SIGKILL at a random moment after each, ${BURSTS} times: every incident paged, at most one duplicate per kill`, async (t) => {
    const { dir, log, config, dbFile } = setup();
    const slack = await slackFor(config, dir, log);
    const seed = Number(process.env.KILL_SEED ?? Date.now() % 100_000);
    const rand = prng(seed);
    const atKill: string[] = [];
    const t0 = Date.now();
    for (let b = 0; b < BURSTS; b++) {
      const p = daemon(config);
      let burst = '';
      for (let i = 0; i < PER_BURST; i++) burst += line(`b${b}n${i}`);
      appendFileSync(log, burst);
      atKill.push(await killAtRandomPoint(p, slack, rand, PER_BURST));
    }
    const p = daemon(config);
    const total = BURSTS * PER_BURST;
    const tracker = new Pages(slack);
    const done = await waitFor(() => tracker.distinct >= total, DRAIN_MS);
    await sleep(300); // room for a wrong extra page
    await kill(p, 'SIGTERM');
    const v = verdict(slack, tracker, incidentCount(dbFile), BURSTS, 'bursts');
    t.diagnostic(`${v.line} in ${((Date.now() - t0) / 1000).toFixed(1)} s (seed ${seed}; kills: ${atKill.join('; ')})`);
    assert.equal(incidentCount(dbFile), total, 'every line became its own incident');
    assert.ok(done, `not all paged (seed ${seed}): missing ${v.missing.length}, e.g. ${v.missing.slice(0, 5)}`);
    assert.deepEqual(v.missing, []);
    assert.ok(v.duplicates <= BURSTS, `${v.duplicates} duplicates for ${BURSTS} kills (seed ${seed})`);
    assert.ok(v.worst <= 2, 'no incident paged three times');
  });
}

export function steadyScenario(KILLS: number, TOTAL: number): void {
  test(`${KILLS} random SIGKILLs under a steady flow of ${TOTAL.toLocaleString('en')} new incidents: none lost, at most one duplicate per kill`, async (t) => {
    const { dir, log, config, dbFile } = setup();
    const slack = await slackFor(config, dir, log);
    const seed = Number(process.env.KILL_SEED ?? (Date.now() + 1) % 100_000);
    const rand = prng(seed);
    let n = 0;
    // 20 new incidents every 50 ms (400/s) up to TOTAL, written whether the daemon is up or not.
    const writer = setInterval(() => {
      let s = '';
      for (let i = 0; i < 20 && n < TOTAL; i++) s += line(`f${n++}`);
      appendFileSync(log, s);
    }, 50);
    const t0 = Date.now();
    const atKill: string[] = [];
    try {
      // Each run is cut after a random part of ~300 pages, or after 5 s on a machine too slow to get there.
      for (let k = 0; k < KILLS; k++) atKill.push(await killAtRandomPoint(daemon(config), slack, rand, 300, 5000));
      await waitFor(() => n >= TOTAL, 60_000);
    } finally {
      clearInterval(writer);
    }
    const p = daemon(config);
    const tracker = new Pages(slack);
    const done = await waitFor(() => tracker.distinct >= TOTAL, DRAIN_MS);
    await sleep(300);
    await kill(p, 'SIGTERM');
    const v = verdict(slack, tracker, incidentCount(dbFile), KILLS, 'steady flow');
    t.diagnostic(`${v.line} in ${((Date.now() - t0) / 1000).toFixed(1)} s (seed ${seed}; kills: ${atKill.join('; ')})`);
    assert.equal(n, TOTAL);
    assert.equal(incidentCount(dbFile), TOTAL);
    assert.ok(done, `not all paged (seed ${seed}): missing ${v.missing.length}`);
    assert.deepEqual(v.missing, []);
    assert.ok(v.duplicates <= KILLS, `${v.duplicates} duplicates for ${KILLS} kills (seed ${seed})`);
  });
  }
