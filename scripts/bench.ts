// npm run bench — bulk ingest on realistic input, against grep (and mtail, fail2ban-regex when
// installed) on the same file, in one run: `apiwatch replay`, the daemon's catch-up of a backlog
// (`start_at: beginning`, timed to the checkpoint at the last byte, committed with the last events),
// peak RSS of each, the same with a backlog 4x larger, and the daemon's idle CPU with 1,000 files.
//
// Input: the realistic logs (test/fixtures/realistic/*/logs/*.log.gz: seven app servers' real
// clients and loggers) repeated to BENCH_MB (default 420) MB in bench-data/ (gitignored, kept for
// the next run), plus the synthetic corpus of scripts/lib/corpus.ts (BENCH_SYNTH_MB, default 400;
// 0 skips it).
// Env: BENCH_REPEAT (runs per figure, median reported; default 1), BENCH_X4=0 (skip the 4x backlog),
// BENCH_IDLE_S (default 30), BENCH_IDLE_FILES (default 1000), BENCH_IDLE_WARMUP_S (default 15), BENCH_F2B_MB (fail2ban-regex is
// slow: it reads a prefix of this size, default 20), BENCH_ONLY=real,synth,x4,idle.
// Installs nothing: mtail and fail2ban-regex are run when on PATH, else reported "not installed".
import { createWriteStream, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync, openSync, readSync, closeSync } from 'node:fs';
import { spawn, spawnSync } from 'node:child_process';
import { join, resolve } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { loadavg } from 'node:os';
import Database from 'better-sqlite3';
import { ordinaryLine, failingLines } from './lib/corpus.js';

const root = resolve(new URL('..', import.meta.url).pathname);
const dir = join(root, 'bench-data');
const MAIN = join(root, 'dist/cli/main.js');
/** apiwatch as its bin, the systemd unit and `npm start` run it (see src/cli/main.ts). */
const NODE_FLAGS = ['--max-semi-space-size=2'];
const realMb = Number(process.env.BENCH_MB ?? 420);
const synthMb = Number(process.env.BENCH_SYNTH_MB ?? 400);
const repeat = Math.max(1, Number(process.env.BENCH_REPEAT ?? 1));
const idleS = Number(process.env.BENCH_IDLE_S ?? 30);
const idleFiles = Number(process.env.BENCH_IDLE_FILES ?? 1000);
const idleWarmupS = Number(process.env.BENCH_IDLE_WARMUP_S ?? 15);
const f2bMb = Number(process.env.BENCH_F2B_MB ?? 20);
const only = process.env.BENCH_ONLY?.split(',');
const want = (k: string) => (!only || only.includes(k)) && !(k === 'x4' && process.env.BENCH_X4 === '0') && !(k === 'synth' && synthMb <= 0);
const TARGET_RATIO = 0.35;
const TARGET_RSS_MB = 120;
const TARGET_IDLE_PCT = 1;

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)];

// ------------------------------------------------------------------ input files

async function writeUntil(file: string, mb: number, chunk: () => string | Buffer): Promise<void> {
  if (existsSync(file) && statSync(file).size >= mb * 1e6) return;
  mkdirSync(dir, { recursive: true });
  const out = createWriteStream(file);
  let bytes = 0;
  while (bytes < mb * 1e6) {
    const c = chunk();
    bytes += c.length;
    if (!out.write(c)) await new Promise<void>((r) => out.once('drain', () => r()));
  }
  await new Promise<void>((r) => out.end(() => r()));
}

/** The realistic logs, concatenated, as many times as it takes. */
async function realistic(mb: number): Promise<string> {
  const base = join(root, 'test/fixtures/realistic');
  const parts: Buffer[] = [];
  for (const seed of readdirSync(base).filter((d) => existsSync(join(base, d, 'logs')))) {
    for (const f of readdirSync(join(base, seed, 'logs')).filter((x) => x.endsWith('.log.gz')).sort()) {
      parts.push(gunzipSync(readFileSync(join(base, seed, 'logs', f))));
    }
  }
  const once = Buffer.concat(parts);
  const file = join(dir, `realistic-${mb}mb.log`);
  await writeUntil(file, mb, () => once);
  return file;
}

async function synthetic(mb: number): Promise<string> {
  const file = join(dir, `synthetic-${mb}mb.log`);
  let i = 0;
  const t0 = Date.UTC(2026, 10, 27, 0, 0, 0);
  await writeUntil(file, mb, () => {
    let chunk = '';
    for (let k = 0; k < 2000; k++, i++) {
      const t = t0 + i * 3;
      chunk += (i % 100 === 7 ? failingLines(t, i) : [ordinaryLine(t, i)]).join('\n') + '\n';
    }
    return chunk;
  });
  return file;
}

function countLines(file: string): number {
  const r = spawnSync('wc', ['-l', file], { encoding: 'utf8' });
  return Number(r.stdout.trim().split(/\s+/)[0]);
}

/** The first `mb` MB of `file`, cut after a newline. */
function prefix(file: string, mb: number): string {
  const out = `${file}.head${mb}`;
  if (existsSync(out)) return out;
  const fd = openSync(file, 'r');
  const buf = Buffer.allocUnsafe(Math.min(statSync(file).size, mb * 1e6));
  readSync(fd, buf, 0, buf.length, 0);
  closeSync(fd);
  writeFileSync(out, buf.subarray(0, buf.lastIndexOf(10) + 1));
  return out;
}

// ------------------------------------------------------------------ measuring

interface Run {
  seconds: number;
  peakRssMb: number;
  stdout: string;
}

function vmHwmMb(pid: number): number {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : 0;
  } catch {
    return 0; // exited
  }
}

const GNU_TIME = existsSync('/usr/bin/time') ? '/usr/bin/time' : null;

/** Runs a command to its end; peak RSS from GNU time (exact) or sampled VmHWM. */
function timed(cmd: string, args: string[], env: Record<string, string> = {}): Promise<Run> {
  return new Promise((resolveRun, reject) => {
    const rssFile = join(dir, `.rss-${process.pid}`);
    const [c, a] = GNU_TIME ? [GNU_TIME, ['-f', '%M', '-o', rssFile, cmd, ...args]] : [cmd, args];
    const t = process.hrtime.bigint();
    const child = spawn(c, a, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } });
    let stdout = '';
    let stderr = '';
    let peak = 0;
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setInterval(() => (peak = Math.max(peak, vmHwmMb(child.pid!))), 50);
    child.on('error', reject);
    child.on('exit', (code) => {
      const seconds = Number(process.hrtime.bigint() - t) / 1e9;
      clearInterval(timer);
      if (GNU_TIME && existsSync(rssFile)) {
        const kb = Number(readFileSync(rssFile, 'utf8').trim().split('\n').pop());
        if (kb > 0) peak = kb / 1024;
        rmSync(rssFile, { force: true });
      }
      if (code !== 0) reject(new Error(`${cmd} exited ${code}: ${stderr.slice(-500)}`));
      else resolveRun({ seconds, peakRssMb: peak, stdout });
    });
  });
}

function daemonConfig(name: string, globs: string, startAt: 'beginning' | 'end'): { cfg: string; db: string } {
  const state = join(dir, `state-${name}`);
  rmSync(state, { recursive: true, force: true });
  mkdirSync(state, { recursive: true });
  const cfg = join(dir, `${name}.yaml`);
  writeFileSync(
    cfg,
    [`state_dir: ${JSON.stringify(state)}`, 'sources:', `  - path: ${JSON.stringify(globs)}`, `    start_at: ${startAt}`,
      'notify:', '  console:', '    enabled: false', 'digest:', '  enabled: false', ''].join('\n'),
  );
  return { cfg, db: join(state, 'apiwatch.db') };
}

/** `apiwatch run` from a cold start until the checkpoint of `file` is committed at its last byte. */
async function catchUp(file: string): Promise<Run & { events: number }> {
  const { cfg, db: dbPath } = daemonConfig('catchup', file, 'beginning');
  const size = statSync(file).size;
  const t0 = process.hrtime.bigint();
  const child = spawn(process.execPath, [...NODE_FLAGS, MAIN, 'run', '--config', cfg], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += d));
  let db: Database.Database | null = null;
  let peak = 0;
  try {
    for (;;) {
      await sleep(20);
      peak = Math.max(peak, vmHwmMb(child.pid!));
      if (child.exitCode !== null) throw new Error(`daemon exited ${child.exitCode}: ${stderr.slice(-500)}`);
      if (!db && existsSync(dbPath)) {
        try {
          db = new Database(dbPath, { readonly: true, fileMustExist: true });
        } catch {
          db = null;
        }
      }
      if (!db) continue;
      let row: { offset: number } | undefined;
      try {
        row = db.prepare('SELECT offset FROM source_positions WHERE path = ?').get(file) as { offset: number } | undefined;
      } catch {
        continue; // schema not there yet
      }
      if (row && row.offset >= size) break;
    }
    const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
    peak = Math.max(peak, vmHwmMb(child.pid!));
    const events = (db!.prepare('SELECT COUNT(*) AS n FROM events').get() as { n: number }).n;
    return { seconds, peakRssMb: peak, stdout: '', events };
  } finally {
    db?.close();
    child.kill('SIGTERM');
    await new Promise((r) => (child.exitCode !== null ? r(null) : child.once('exit', r)));
  }
}

async function replay(file: string): Promise<Run & { events: number }> {
  const { cfg } = daemonConfig('replay', file, 'beginning');
  const r = await timed(process.execPath, [...NODE_FLAGS, MAIN, 'replay', '--config', cfg, '--json', file]);
  return { ...r, events: JSON.parse(r.stdout.trim().split('\n').pop()!).events };
}

function onPath(cmd: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${cmd}`]).status === 0;
}

async function mtail(file: string): Promise<(Run & { events: number }) | null> {
  if (!onPath('mtail')) return null;
  const progs = join(dir, 'mtail-progs');
  mkdirSync(progs, { recursive: true });
  // One regex for a failed Easemob call: the host, then a 4xx/5xx after status/HTTP.
  writeFileSync(join(progs, 'easemob.mtail'), 'counter easemob_failed\n/(easemob|agora)\\S*.*(status|HTTP)\\D{0,16}[45]\\d\\d/ {\n  easemob_failed++\n}\n');
  const r = await timed('mtail', ['--one_shot', '--one_shot_format=prometheus', '--progs', progs, '--logs', file, '--logtostderr']);
  const m = /easemob_failed\{[^}]*\} (\d+)/.exec(r.stdout);
  return { ...r, events: m ? Number(m[1]) : 0 };
}

async function fail2ban(file: string): Promise<(Run & { events: number }) | null> {
  if (!onPath('fail2ban-regex')) return null;
  // One failregex, as a jail on the access log would have: the client, then a 4xx/5xx answer.
  const r = await timed('fail2ban-regex', ['--print-no-missed', '--print-no-ignored', file, '^<HOST> .*"(?:GET|POST|PUT|DELETE) [^"]*" [45]\\d\\d ']);
  const m = /Lines: \d+ lines, \d+ ignored, (\d+) matched/.exec(r.stdout);
  return { ...r, events: m ? Number(m[1]) : 0 };
}

/** Median over `repeat` runs (by time); the peak RSS is the largest seen. */
async function med<T extends Run>(fn: () => Promise<T>): Promise<T & { runs: number[] }> {
  const runs: T[] = [];
  for (let i = 0; i < repeat; i++) runs.push(await fn());
  const secs = runs.map((r) => r.seconds);
  const m = runs.find((r) => r.seconds === median(secs))!;
  return { ...m, peakRssMb: Math.max(...runs.map((r) => r.peakRssMb)), runs: secs };
}

/** CPU share of one core used by the idle daemon following `files` unchanging files. */
async function idle(files: number, seconds: number): Promise<{ pct: number; rssMb: number }> {
  const d = join(dir, 'idle');
  rmSync(d, { recursive: true, force: true });
  mkdirSync(d, { recursive: true });
  for (let i = 0; i < files; i++) writeFileSync(join(d, `f${i}.log`), `line ${i}\n`);
  const { cfg } = daemonConfig('idle', join(d, '*.log'), 'end');
  const child = spawn(process.execPath, [...NODE_FLAGS, MAIN, 'run', '--config', cfg], { stdio: ['ignore', 'ignore', 'ignore'] });
  const ticks = () => {
    const f = readFileSync(`/proc/${child.pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return Number(f[11]) + Number(f[12]); // utime + stime, in clock ticks
  };
  const hz = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout.trim()) || 100;
  try {
    // Idle is the steady state: after start-up (first reconcile, watcher set-up) and the tailer's
    // QUIET_AFTER_MS (10 s), before which every file is stat'ed each second as a fresh one.
    await sleep(idleWarmupS * 1000);
    const c0 = ticks();
    const t0 = performance.now();
    await sleep(seconds * 1000);
    const used = (ticks() - c0) / hz;
    return { pct: (used / ((performance.now() - t0) / 1000)) * 100, rssMb: vmHwmMb(child.pid!) };
  } finally {
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
  }
}

// ------------------------------------------------------------------ report

interface Row {
  name: string;
  file: string;
  run: (Run & { events?: number; runs?: number[] }) | null;
  note?: string;
}

const rows: Row[] = [];
const checks: string[] = [];
const loads: string[] = [];
const noteLoad = () => loads.push(loadavg().map((x) => x.toFixed(2)).join(' '));

function table(sizes: Map<string, { bytes: number; lines: number }>, grepBy: Map<string, number>): string {
  const head = '| path | input | time | MB/s | lines/s | events/s | vs grep | peak RSS |\n|---|---|---|---|---|---|---|---|';
  const body = rows.map((r) => {
    const s = sizes.get(r.file)!;
    if (!r.run) return `| ${r.name} | ${r.note ?? 'not installed'} | | | | | | |`;
    const t = r.run.seconds;
    const g = grepBy.get(r.file);
    const ratio = g && r.name !== 'grep' ? `${(g / t).toFixed(3)}×` : '';
    const ev = r.run.events !== undefined ? Math.round(r.run.events / t).toLocaleString('en') : '';
    const runs = r.run.runs && r.run.runs.length > 1 ? ` (median of ${r.run.runs.map((x) => x.toFixed(2)).join(', ')})` : '';
    const mbps = s.bytes / 1e6 / t;
    return `| ${r.name} | ${r.note ?? `${(s.bytes / 1e6).toFixed(0)} MB`} | ${t.toFixed(2)} s${runs} | ${mbps.toFixed(mbps < 10 ? 1 : 0)} | ${Math.round(s.lines / t).toLocaleString('en')} | ${ev} | ${ratio} | ${r.run.peakRssMb.toFixed(0)} MB |`;
  });
  return [head, ...body].join('\n');
}

if (spawnSync('npx', ['tsc', '-p', 'tsconfig.json'], { cwd: root, stdio: 'inherit' }).status !== 0) throw new Error('build failed');
const sizes = new Map<string, { bytes: number; lines: number }>();
const grepBy = new Map<string, number>();
const describe = (f: string) => {
  if (!sizes.has(f)) sizes.set(f, { bytes: statSync(f).size, lines: countLines(f) });
  return sizes.get(f)!;
};

async function suite(label: string, file: string, peers: boolean): Promise<{ replay: Run; catchup: Run; grep: Run }> {
  describe(file);
  spawnSync('cat', [file], { stdio: 'ignore' }); // page cache warm for every reader
  noteLoad();
  const grep = await med(() => timed('grep', ['-cF', '"error"', file]));
  grepBy.set(file, grep.seconds);
  rows.push({ name: 'grep', file, run: grep, note: `${label} ${(describe(file).bytes / 1e6).toFixed(0)} MB` });
  const rep = await med(() => replay(file));
  rows.push({ name: '`apiwatch replay`', file, run: rep });
  const cu = await med(() => catchUp(file));
  rows.push({ name: '`apiwatch run` catch-up', file, run: cu });
  if (peers) {
    const mt = await med(async () => (await mtail(file)) ?? { seconds: NaN, peakRssMb: 0, stdout: '' });
    rows.push({ name: 'mtail `--one_shot`, one regex', file, run: Number.isNaN(mt.seconds) ? null : mt });
    const pre = prefix(file, f2bMb);
    describe(pre);
    const f2b = await fail2ban(pre);
    if (f2b) grepBy.set(pre, (await timed('grep', ['-cF', '"error"', pre])).seconds);
    rows.push({ name: 'fail2ban-regex, one failregex', file: pre, run: f2b, note: f2b ? `first ${f2bMb} MB` : undefined });
  }
  noteLoad();
  return { replay: rep, catchup: cu, grep };
}

mkdirSync(dir, { recursive: true });
const started = new Date().toISOString();
if (want('real')) {
  const file = await realistic(realMb);
  const r = await suite('realistic', file, true);
  const ratio = (x: Run) => r.grep.seconds / x.seconds;
  for (const [n, x] of [['replay', r.replay], ['catch-up', r.catchup]] as const) {
    checks.push(`${n}: ${ratio(x).toFixed(3)}× grep (target ≥ ${TARGET_RATIO}×) ${ratio(x) >= TARGET_RATIO ? 'PASS' : 'MISS'}; peak RSS ${x.peakRssMb.toFixed(0)} MB (target ≤ ${TARGET_RSS_MB}) ${x.peakRssMb <= TARGET_RSS_MB ? 'PASS' : 'MISS'}`);
  }
  const mt = rows.find((x) => x.name.startsWith('mtail') && x.run);
  if (mt) checks.push(`vs mtail: replay ${(mt.run!.seconds / r.replay.seconds).toFixed(2)}× its speed, catch-up ${(mt.run!.seconds / r.catchup.seconds).toFixed(2)}× ${r.replay.seconds < mt.run!.seconds && r.catchup.seconds < mt.run!.seconds ? 'PASS' : 'MISS'}`);
  const fb = rows.find((x) => x.name.startsWith('fail2ban') && x.run);
  if (fb) {
    const fbMbps = describe(fb.file).bytes / fb.run!.seconds;
    const rMbps = describe(file).bytes / r.replay.seconds;
    checks.push(`vs fail2ban-regex: replay ${(rMbps / fbMbps).toFixed(1)}× its MB/s ${rMbps > fbMbps ? 'PASS' : 'MISS'}`);
  }
  if (want('x4')) {
    const big = await realistic(realMb * 4);
    describe(big);
    spawnSync('cat', [big], { stdio: 'ignore' });
    const rep = await replay(big);
    rows.push({ name: '`apiwatch replay` (4× backlog)', file: big, run: rep, note: `realistic ${(describe(big).bytes / 1e6).toFixed(0)} MB` });
    const cu = await catchUp(big);
    rows.push({ name: '`apiwatch run` catch-up (4× backlog)', file: big, run: cu, note: `realistic ${(describe(big).bytes / 1e6).toFixed(0)} MB` });
    checks.push(`4× backlog: replay ${rep.peakRssMb.toFixed(0)} MB vs ${r.replay.peakRssMb.toFixed(0)} MB, catch-up ${cu.peakRssMb.toFixed(0)} MB vs ${r.catchup.peakRssMb.toFixed(0)} MB (target ≤ ${TARGET_RSS_MB} for all) ${Math.max(rep.peakRssMb, cu.peakRssMb) <= TARGET_RSS_MB ? 'PASS' : 'MISS'}`);
  }
}
if (want('synth')) await suite('synthetic', await synthetic(synthMb), false);
if (want('idle')) {
  const i = await idle(idleFiles, idleS);
  checks.push(`idle: ${i.pct.toFixed(2)}% of one core over ${idleS} s with ${idleFiles} watched unchanging files, peak RSS ${i.rssMb.toFixed(0)} MB (target < ${TARGET_IDLE_PCT}%) ${i.pct < TARGET_IDLE_PCT ? 'PASS' : 'MISS'}`);
}

console.log(`\nnpm run bench, ${started}, ${repeat} run(s) per figure; load average (1/5/15 min) during the run: ${loads.join(' | ')}\n`);
console.log(table(sizes, grepBy));
console.log('');
for (const c of checks) console.log(`- ${c}`);
