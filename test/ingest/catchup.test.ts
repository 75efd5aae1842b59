// The daemon's catch-up reads a backlog through replay's bulk scan (workers + prescan), block by
// block, with a checkpoint after each batch. It must store exactly what the line-by-line tailer
// stores, also when stopped half-way and resumed, and then go on tailing appends line by line.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { openDatabase, type DB } from '../../src/store/db.js';
import { loadClassifierFor } from '../../src/cli/rules.js';
import { Pipeline } from '../../src/daemon/pipeline.js';
import { Tailer } from '../../src/ingest/tailer.js';
import type { CatchUpOptions } from '../../src/ingest/catchup.js';
import type { LineBatch } from '../../src/ingest/types.js';
import { tempDir } from '../helpers/tmp.js';
import { block, failLine, runDaemon, sleep, stopDaemon, storedSeqs, writeConfig } from './helpers.js';

const dir = tempDir('apiwatch-catchup-');
const REALISTIC = new URL('../fixtures/realistic/seed-20240611/logs/', import.meta.url);
const corpus = readdirSync(REALISTIC)
  .filter((f) => f.endsWith('.log.gz'))
  .map((f) => gunzipSync(readFileSync(new URL(f, REALISTIC))).toString('utf8'))
  .join('');
const classifier = loadClassifierFor({ rules: { files: [] } } as never);
const BULK: CatchUpOptions = { prescan: {}, minBytes: 1 << 20, blockBytes: 64 << 10, workers: 1 };

interface Run {
  db: DB;
  tailer: Tailer;
  sparse: () => number;
  offset: () => number;
}

async function start(name: string, file: string, catchUp?: CatchUpOptions, sinkDelayMs = 0): Promise<Run> {
  const db = openDatabase(join(dir, name, 'apiwatch.db'));
  const pipeline = new Pipeline({ db, classifier });
  let sparse = 0;
  let offset = 0;
  const sink = {
    async write(b: LineBatch) {
      if (b.feed) sparse++;
      if (sinkDelayMs) await sleep(sinkDelayMs);
      await pipeline.write(b);
      if (b.checkpoint) offset = b.checkpoint.offset;
    },
  };
  const tailer = new Tailer({
    sources: [{ path: [file], start_at: 'beginning', include_other_apis: false }],
    sink, checkpoints: pipeline.checkpoints, db, watch: false, reconcileMs: 50, catchUp,
  });
  await tailer.start();
  return { db, tailer, sparse: () => sparse, offset: () => offset };
}

async function until(cond: () => boolean, ms = 60_000): Promise<void> {
  const t0 = Date.now();
  while (!cond()) {
    if (Date.now() - t0 > ms) throw new Error('timed out');
    await sleep(20);
  }
}

const rows = (db: DB) => db.prepare('SELECT source, line, status, error, ref, fingerprint, raw FROM events ORDER BY line, id').all();
const size = (f: string) => readFileSync(f).length;

test('catch-up through the bulk scan stores what the line-by-line tailer stores, then tails appends', async () => {
  const file = join(dir, 'app.log');
  writeFileSync(file, corpus);
  const ref = await start('ref', file);
  const bulk = await start('bulk', file, BULK);
  await until(() => ref.offset() === size(file) && bulk.offset() === size(file));
  assert.ok(bulk.sparse() > 1, 'the backlog went through the bulk scan');
  // A small append is read line by line (no sparse batch), promptly.
  const before = bulk.sparse();
  appendFileSync(file, failLine(1) + '\n');
  await until(() => ref.offset() === size(file) && bulk.offset() === size(file), 10_000);
  assert.equal(bulk.sparse(), before);
  await ref.tailer.stop();
  await bulk.tailer.stop();
  const want = rows(ref.db);
  assert.ok(want.length > 500);
  assert.deepEqual(rows(bulk.db), want);
  ref.db.close();
  bulk.db.close();
});

test('a catch-up stopped half-way resumes from its checkpoint: nothing lost, nothing twice', async () => {
  const file = join(dir, 'resume.log');
  writeFileSync(file, corpus);
  const whole = await start('whole', file);
  // Slow batches so the stop lands in the middle of the backlog.
  const first = await start('resume', file, BULK, 30);
  await until(() => first.offset() > 2 << 20);
  await first.tailer.stop();
  const stoppedAt = first.offset();
  assert.ok(stoppedAt < size(file), 'stopped before the end');
  first.db.close();
  // The same committed state, resumed once through the catch-up and once line by line.
  mkdirSync(join(dir, 'resume-ref'));
  for (const ext of ['', '-wal']) {
    if (existsSync(join(dir, 'resume', `apiwatch.db${ext}`))) copyFileSync(join(dir, 'resume', `apiwatch.db${ext}`), join(dir, 'resume-ref', `apiwatch.db${ext}`));
  }
  const again = await start('resume', file, BULK);
  const lineByLine = await start('resume-ref', file);
  await until(() => again.offset() === size(file) && lineByLine.offset() === size(file) && whole.offset() === size(file));
  for (const r of [again, lineByLine, whole]) await r.tailer.stop();
  const got = rows(again.db);
  assert.deepEqual(got, rows(lineByLine.db));
  // Against a run never stopped: every event once (a fresh parser after a restart can lose the
  // context of lines before the checkpoint, which may change a fingerprint, not the events).
  const ids = (rs: unknown[]) => (rs as { line: number; raw: string }[]).map((r) => `${r.line} ${r.raw}`);
  assert.deepEqual(ids(got), ids(rows(whole.db)));
  for (const r of [again, lineByLine, whole]) r.db.close();
});

test('the daemon: SIGTERM during a bulk catch-up stops promptly, then resumes exactly', async () => {
  const d0 = tempDir();
  const log = join(d0, 'app.log');
  const all = block(0, 200000, 10); // ~20 MB: over the catch-up threshold
  writeFileSync(log, all.text);
  const cfg = writeConfig(d0, [join(d0, '*.log')]);
  // Small blocks and a slowed sink: the backlog takes many batches.
  let d = await runDaemon(cfg, { catchUpMinBytes: 1 << 20, sinkDelayMs: 20 }, { APIWATCH_BULK_BLOCK_KB: '64' });
  await until(() => storedSeqs(d0).length > 0, 20_000);
  const t0 = Date.now();
  await stopDaemon(d, 'SIGTERM');
  // Well within systemd's TimeoutStopSec=30s (as lifecycle.test.ts), with the scan worker's exit.
  const took = Date.now() - t0;
  assert.ok(took < 5000, `SIGTERM honoured in ${took} ms`);
  assert.equal(d.child.exitCode, 0);
  const mid = storedSeqs(d0).length;
  assert.ok(mid < all.seqs.length, `stopped mid-catch-up (${mid}/${all.seqs.length})`);
  d = await runDaemon(cfg, { catchUpMinBytes: 1 << 20 });
  await until(() => storedSeqs(d0).length >= all.seqs.length, 60_000);
  await sleep(300);
  await stopDaemon(d);
  assert.deepEqual(storedSeqs(d0).sort((a, b) => a - b), all.seqs);
});
