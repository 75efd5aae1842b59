// Tailer benchmarks: latency, catch-up vs grep, idle CPU, peak RSS.  `npm run bench:tail`
// Builds dist/ first and measures there (plain node, as the daemon runs), not under tsx.
// Env: BENCH_MB (catch-up size, default 1024), BENCH_LAT_S (default 10), BENCH_IDLE_S (default 60),
//      BENCH_IDLE_FILES (default 1000), BENCH_ONLY=latency,catchup,idle, BENCH_DIR (kept if set),
//      BENCH_NOCKPT=1 (diagnostic: no WAL auto-checkpoint on the event loop).
import { spawn, spawnSync } from 'node:child_process';
import { closeSync, mkdirSync, mkdtempSync, openSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
// @ts-expect-error plain JS helper without types
import { failLine, filler } from './bench-tail-lines.mjs';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const CHILD = join(ROOT, 'scripts', 'bench-tail-child.mjs');

function child(args: string[]): Promise<Record<string, number>> {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, [CHILD, ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    p.stdout.on('data', (d) => (out += d));
    p.once('exit', (code) => (code === 0 ? resolve(JSON.parse(out)) : reject(new Error(`${args[0]} exited ${code}`))));
  });
}

function makeBacklog(file: string, mb: number): number {
  const fd = openSync(file, 'w');
  let seq = 0;
  let bytes = 0;
  while (bytes < mb << 20) {
    const lines: string[] = [];
    for (let i = 0; i < 20000; i++) {
      seq++;
      lines.push(seq % 100 === 0 ? failLine(seq, 0) : filler(seq));
    }
    const chunk = lines.join('\n') + '\n';
    writeSync(fd, chunk);
    bytes += Buffer.byteLength(chunk);
  }
  closeSync(fd);
  return bytes;
}

const mb = Number(process.env.BENCH_MB ?? 1024);
const latS = Number(process.env.BENCH_LAT_S ?? 10);
const idleS = Number(process.env.BENCH_IDLE_S ?? 60);
const idleFiles = Number(process.env.BENCH_IDLE_FILES ?? 1000);
const only = process.env.BENCH_ONLY?.split(',');
const run = (k: string) => !only || only.includes(k);
const root = process.env.BENCH_DIR ?? mkdtempSync(join(tmpdir(), 'bench-tail-'));
mkdirSync(root, { recursive: true });
const MB = 1 << 20;
const rows: string[] = [];
const say = (s: string) => {
  rows.push(s);
  console.log(s);
};

if (spawnSync('npx', ['tsc', '-p', 'tsconfig.json'], { cwd: ROOT, stdio: 'inherit' }).status !== 0) throw new Error('build failed');
try {
  if (run('latency')) {
    const dir = join(root, 'latency');
    mkdirSync(dir, { recursive: true });
    for (let i = 0; i < 10; i++) writeFileSync(join(dir, `app${i}.log`), '');
    const l = await child(['--latency', dir, String(latS)]);
    say(`latency   write() -> event committed: p50 ${l.p50!.toFixed(1)} ms, p99 ${l.p99!.toFixed(1)} ms, max ${l.max!.toFixed(0)} ms over ${l.n} events (10 files x 1,000 lines/s, ${latS} s)   target p99 <= 100 ms: ${l.p99! <= 100 ? 'OK' : 'MISS'}`);
  }
  if (run('catchup')) {
    const file = join(root, 'backlog.log');
    const size = makeBacklog(file, mb);
    spawnSync('cat', [file], { stdio: 'ignore' }); // warm the page cache for both readers
    const g0 = performance.now();
    const g = spawnSync('grep', ['-cF', '"status":429', file], { encoding: 'utf8' });
    const grepS = (performance.now() - g0) / 1000;
    const full = await child(['--catchup', join(root, 'c1'), file, String(size), 'pipeline']);
    const bare = await child(['--catchup', join(root, 'c2'), file, String(size), 'null']);
    const rate = (s: number) => `${(size / MB / s).toFixed(0)} MB/s`;
    say(
      `catch-up  ${(size / MB).toFixed(0)} MB backlog, ${full.lines} lines: grep -cF ${grepS.toFixed(2)} s (${rate(grepS)}, ${g.stdout.trim()} matches) | ` +
        `tailer alone ${bare.secs!.toFixed(2)} s (${rate(bare.secs!)}) = ${(grepS / bare.secs!).toFixed(2)}x grep | ` +
        `tailer + parser + classify + SQLite ${full.secs!.toFixed(2)} s (${rate(full.secs!)}, ${full.events} events) = ${(grepS / full.secs!).toFixed(2)}x grep   ` +
        `target >= 0.35x: tailer ${grepS / bare.secs! >= 0.35 ? 'OK' : 'MISS'}, end-to-end ${grepS / full.secs! >= 0.35 ? 'OK' : 'MISS'}`,
    );
    say(
      `memory    peak RSS during catch-up: ${(full.peakRss! / MB).toFixed(0)} MB end-to-end, ${(bare.peakRss! / MB).toFixed(0)} MB tailer alone ` +
        `(process with modules loaded and database open, before reading: ${(full.baseRss! / MB).toFixed(0)} MB)   ` +
        `target <= 120 MB: end-to-end ${full.peakRss! <= 120 * MB ? 'OK' : 'MISS'}, tailer ${bare.peakRss! <= 120 * MB ? 'OK' : 'MISS'}`,
    );
    rmSync(file, { force: true });
  }
  if (run('idle')) {
    const dir = join(root, 'idle');
    mkdirSync(dir, { recursive: true });
    for (let i = 0; i < idleFiles; i++) writeFileSync(join(dir, `f${i}.log`), `line ${i}\n`);
    const r = await child(['--idle', dir, String(idleS)]);
    say(`idle      ${r.cpuPct!.toFixed(2)}% of one core over ${idleS} s with ${r.files} watched, unchanging files (peak RSS ${(r.peakRss! / MB).toFixed(0)} MB)   target < 1%: ${r.cpuPct! < 1 ? 'OK' : 'MISS'}`);
  }
  console.log('\n' + rows.join('\n'));
} finally {
  if (!process.env.BENCH_DIR) rmSync(root, { recursive: true, force: true });
}
