// Child processes for scripts/bench-tail.ts. Plain JS on the compiled dist/ (as the daemon runs),
// so tsx's own memory and CPU are not measured.
import { spawn } from 'node:child_process';
import { closeSync, openSync, readFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openDatabase } from '../dist/store/db.js';
import { loadClassifierFor } from '../dist/cli/rules.js';
import { Pipeline } from '../dist/daemon/pipeline.js';
import { Tailer } from '../dist/ingest/tailer.js';
import { failLine, filler } from './bench-tail-lines.mjs';

const SELF = fileURLToPath(import.meta.url);
const clock = () => performance.timeOrigin + performance.now();
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function pipelineFor(dir) {
  const db = openDatabase(join(dir, 'state', 'apiwatch.db'));
  // Diagnostic: with BENCH_NOCKPT the WAL is never checkpointed on the event loop (see report).
  if (process.env.BENCH_NOCKPT) db.pragma('wal_autocheckpoint = 0');
  return { db, pipeline: new Pipeline({ db, classifier: loadClassifierFor({ rules: { files: [] } }) }) };
}

function peakRss() {
  const m = /VmHWM:\s+(\d+)/.exec(readFileSync('/proc/self/status', 'utf8'));
  return m ? Number(m[1]) * 1024 : process.memoryUsage().rss;
}

const pct = (xs, p) => xs[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))];

/** Appends to N files at R lines/s each; every 10th line a failing call stamped with its write time. */
async function writer(dir, files, rate, seconds) {
  const fds = Array.from({ length: files }, (_, i) => openSync(join(dir, `app${i}.log`), 'a'));
  const tickMs = 10;
  const perTick = (rate * tickMs) / 1000;
  let seq = 0;
  const end = Date.now() + seconds * 1000;
  let next = Date.now();
  while (Date.now() < end) {
    for (const fd of fds) {
      for (let i = 0; i < perTick; i++) {
        seq++;
        writeSync(fd, (seq % 10 === 0 ? failLine(seq, clock()) : filler(seq)) + '\n'); // one write() per line, like a logger
      }
    }
    next += tickMs;
    const wait = next - Date.now();
    if (wait > 0) await sleep(wait);
  }
  for (const fd of fds) closeSync(fd);
}

async function latency(dir, seconds) {
  const { db, pipeline } = pipelineFor(dir);
  const T0 = clock();
  const lat = [];
  const sink = {
    async write(b) {
      await pipeline.write(b);
      const now = clock();
      for (const l of b.lines) {
        const i = l.text.indexOf('"wt":');
        if (i < 0) continue;
        const wt = Number(l.text.slice(i + 5, l.text.indexOf('}', i)));
        lat.push(now - wt);
        if (process.env.BENCH_DEBUG && now - wt > 200) console.error('slow', Math.round(wt - T0), Math.round(now - wt), Math.round(l.meta.readTime - wt), b.source.slice(-9));
      }
    },
  };
  const tailer = new Tailer({ sources: [{ path: [join(dir, '*.log')], start_at: 'end', include_other_apis: false }], sink, checkpoints: pipeline.checkpoints, db });
  await tailer.start();
  const w = spawn(process.execPath, [SELF, '--writer', dir, '10', '1000', String(seconds)], { stdio: 'inherit' });
  await new Promise((r) => w.once('exit', r));
  await sleep(1500);
  await tailer.stop();
  db.close();
  lat.sort((a, b) => a - b);
  return { p50: pct(lat, 50), p99: pct(lat, 99), max: lat.at(-1), n: lat.length };
}

async function catchup(dir, file, size, nullSink) {
  const { db, pipeline } = pipelineFor(dir);
  const baseRss = Number(/VmRSS:\s+(\d+)/.exec(readFileSync('/proc/self/status', 'utf8'))[1]) * 1024;
  let lines = 0;
  let done;
  const finished = new Promise((r) => (done = r));
  const sink = {
    async write(b) {
      lines += b.lines.length;
      if (!nullSink) await pipeline.write(b);
      if (b.checkpoint && b.checkpoint.offset >= size) done();
    },
  };
  const t0 = performance.now();
  const maxBatchLines = Number(process.env.BENCH_BATCH_LINES ?? 0) || undefined;
  const tailer = new Tailer({ sources: [{ path: [file], start_at: 'beginning', include_other_apis: false }], sink, checkpoints: pipeline.checkpoints, db, watch: false, maxBatchLines });
  await tailer.start();
  await finished;
  const secs = (performance.now() - t0) / 1000;
  await tailer.stop();
  db.close();
  return { secs, lines, events: pipeline.stats.events, peakRss: peakRss(), baseRss };
}

async function idle(dir, seconds) {
  const { db, pipeline } = pipelineFor(join(dir, 'db'));
  const tailer = new Tailer({ sources: [{ path: [join(dir, '*.log')], start_at: 'end', include_other_apis: false }], sink: pipeline, checkpoints: pipeline.checkpoints, db });
  await tailer.start();
  await sleep(2000); // settle: watcher set up, first reconcile done
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  await sleep(seconds * 1000);
  const c = process.cpuUsage(c0);
  const wall = performance.now() - t0;
  const files = tailer.stats().files.length;
  await tailer.stop();
  db.close();
  return { cpuPct: ((c.user + c.system) / 1000 / wall) * 100, files, peakRss: peakRss() };
}

const [mode, ...a] = process.argv.slice(2);
let out;
if (mode === '--writer') await writer(a[0], Number(a[1]), Number(a[2]), Number(a[3]));
else if (mode === '--latency') out = await latency(a[0], Number(a[1]));
else if (mode === '--catchup') out = await catchup(a[0], a[1], Number(a[2]), a[3] === 'null');
else if (mode === '--idle') out = await idle(a[0], Number(a[1]));
else throw new Error(`unknown mode ${mode}`);
if (out) process.stdout.write(JSON.stringify(out) + '\n');
