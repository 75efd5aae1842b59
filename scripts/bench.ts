// npm run bench — parse + classify + store throughput of `apiwatch replay` against grep on the same file.
// BENCH_MB (default 1024) sets the generated log's size; BENCH_KEEP=1 keeps it for the next run.
import { createWriteStream, existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { spawn } from 'node:child_process';
import { join, resolve } from 'node:path';
import { ordinaryLine, failingLines, ORDINARY_MIX, FAILING_SHAPES } from './lib/corpus.js';

const root = resolve(new URL('..', import.meta.url).pathname);
const dir = join(root, 'bench-data');
const mb = Number(process.env.BENCH_MB ?? 1024);
const file = join(dir, `bench-${mb}mb.log`);
const failRatio = 0.01;

async function generate(): Promise<void> {
  mkdirSync(dir, { recursive: true });
  if (existsSync(file) && statSync(file).size >= mb * 1e6 * 0.99) return;
  const out = createWriteStream(file);
  let bytes = 0;
  let i = 0;
  const t0 = Date.UTC(2026, 10, 27, 0, 0, 0);
  while (bytes < mb * 1e6) {
    let chunk = '';
    for (let k = 0; k < 2000; k++, i++) {
      const t = t0 + i * 3;
      const lines = Math.random() < failRatio ? failingLines(t, i) : [ordinaryLine(t, i)];
      chunk += lines.join('\n') + '\n';
    }
    bytes += Buffer.byteLength(chunk);
    if (!out.write(chunk)) await new Promise<void>((r) => out.once('drain', () => r()));
  }
  await new Promise<void>((r) => out.end(() => r()));
}

interface Run {
  seconds: number;
  peakRssMb: number;
  stdout: string;
}

/** Runs a command, sampling its peak RSS (VmHWM) from /proc. */
function timed(cmd: string, args: string[], keepStdout = true): Promise<Run> {
  return new Promise((resolveRun, reject) => {
    const t = process.hrtime.bigint();
    const child = spawn(cmd, args, { stdio: ['ignore', keepStdout ? 'pipe' : 'ignore', 'inherit'] });
    let stdout = '';
    let peak = 0;
    child.stdout?.on('data', (d) => (stdout += d));
    const sample = () => {
      try {
        const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'));
        if (m) peak = Math.max(peak, Number(m[1]) / 1024);
      } catch {
        /* exited */
      }
    };
    const timer = setInterval(sample, 50);
    child.on('error', reject);
    child.on('exit', (code) => {
      clearInterval(timer);
      if (code !== 0) reject(new Error(`${cmd} exited ${code}`));
      else resolveRun({ seconds: Number(process.hrtime.bigint() - t) / 1e9, peakRssMb: peak, stdout });
    });
  });
}

await generate();
const size = statSync(file).size;
const lines = Number((await timed('wc', ['-l', file])).stdout.trim().split(/\s+/)[0]);
const state = join(dir, 'state');
rmSync(state, { recursive: true, force: true });
const cfg = join(dir, 'bench.yaml');
writeFileSync(cfg, `state_dir: ${state}\nsources: []\n`);

// Warm the page cache so both read from memory.
await timed('cat', [file], false);
const grep = await timed('grep', ['-cF', '"error"', file]);
const replay = await timed(process.execPath, [join(root, 'dist/cli/main.js'), 'replay', '--config', cfg, '--json', file]);
const summary = JSON.parse(replay.stdout.trim().split('\n').pop()!);

const mbps = (s: number) => size / 1e6 / s;
const ratio = grep.seconds / replay.seconds;
const row = (name: string, r: Run) =>
  `${name.padEnd(22)} ${r.seconds.toFixed(2).padStart(8)} s ${mbps(r.seconds).toFixed(1).padStart(9)} MB/s ${(lines / r.seconds / 1e6).toFixed(2).padStart(7)} M lines/s ${r.peakRssMb.toFixed(0).padStart(6)} MB RSS`;
console.log(`file: ${file} (${(size / 1e6).toFixed(0)} MB, ${lines} lines, ~${(failRatio * 100).toFixed(0)}% failing calls)`);
console.log(`  ordinary lines: ${ORDINARY_MIX}`);
console.log(`  failing calls:  ${FAILING_SHAPES}`);
console.log(row('grep -cF \'"error"\'', grep));
console.log(row('apiwatch replay', replay));
console.log(`events stored: ${summary.events}`);
console.log(`replay/grep throughput: ${ratio.toFixed(3)}x (target >= 0.35x)  ${ratio >= 0.35 ? 'PASS' : 'MISS'}`);
console.log(`grep/replay time:       ${(replay.seconds / grep.seconds).toFixed(1)}x`);
console.log(`peak RSS: ${replay.peakRssMb.toFixed(0)} MB (target <= 120 MB)  ${replay.peakRssMb <= 120 ? 'PASS' : 'MISS'}`);
if (!process.env.BENCH_KEEP) rmSync(file);
