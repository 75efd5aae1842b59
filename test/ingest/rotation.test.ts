import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, closeSync, copyFileSync, openSync, renameSync, truncateSync, unlinkSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '../helpers/tmp.js';
import { assertExact, block, exactness, inProcess, runDaemon, sleep, stopDaemon, storedSeqs, waitForEvents, writeConfig } from './helpers.js';

test('rename+create rotation at a high write rate with a slow pipeline: old files read to their end', async () => {
  const dir = tempDir();
  const log = join(dir, 'app.log');
  writeFileSync(log, '');
  const cfg = writeConfig(dir, [join(dir, '*.log')]);
  const d = await runDaemon(cfg, { sinkDelayMs: 15, maxBatchLines: 200 });
  const expected: number[] = [];
  let seq = 0;
  let fd = openSync(log, 'a');
  for (let rot = 1; rot <= 5; rot++) {
    for (let i = 0; i < 10; i++) {
      const b = block(seq, 300, 2);
      seq += 300;
      writeSync(fd, b.text);
      expected.push(...b.seqs);
      await sleep(10);
    }
    renameSync(log, `${log}.${rot}`);
    // The app has not reopened yet: a few more lines land in the renamed file (logrotate `create`),
    // once as late as 800 ms after the rename (a slow postrotate reload).
    if (rot === 3) await sleep(800);
    const late = block(seq, 50, 1);
    seq += 50;
    writeSync(fd, late.text);
    expected.push(...late.seqs);
    closeSync(fd);
    fd = openSync(log, 'a');
  }
  closeSync(fd);
  await waitForEvents(dir, expected.length, 60000);
  await sleep(500);
  await stopDaemon(d);
  assertExact(storedSeqs(dir), expected);
});

test('copytruncate: the copy finishes the old content; growth past the old offset is detected', async () => {
  const dir = tempDir();
  const log = join(dir, 'app.log');
  const a = block(0, 100, 1);
  writeFileSync(log, a.text);
  const t = await inProcess(dir, { path: [join(dir, '*.log')] }, { watch: false, reconcileMs: 3_600_000, rotateGraceMs: 1000 });
  await t.tailer.reconcileNow();
  assert.equal(storedSeqs(dir).length, 100);
  // More lines the tailer has not seen, then copy + truncate, then the file regrows past the old
  // offset before the next check: size alone would resume mid-line in new content.
  const b = block(100, 50, 1);
  appendFileSync(log, b.text);
  copyFileSync(log, `${log}.1`);
  truncateSync(log, 0);
  const c = block(1000, 400, 1);
  appendFileSync(log, c.text);
  await t.tailer.reconcileNow();
  await t.tailer.reconcileNow();
  await sleep(50);
  await t.tailer.reconcileNow(); // grace passes: the copy is let go, the new content read from 0
  await sleep(1100);
  await t.tailer.reconcileNow();
  const st = t.tailer.stats().files.find((f) => f.path === log)!;
  assert.ok(st.truncations >= 1, 'truncation seen');
  await t.stop();
  assertExact(storedSeqs(dir), [...a.seqs, ...b.seqs, ...c.seqs]);
});

test('copytruncate loses only the lines written between copy and truncate', async () => {
  const dir = tempDir();
  const log = join(dir, 'app.log');
  const cfg = writeConfig(dir, [join(dir, '*.log')]);
  const d = await runDaemon(cfg);
  const a = block(0, 200, 1);
  appendFileSync(log, a.text);
  await waitForEvents(dir, 200);
  const a2 = block(200, 100, 1);
  appendFileSync(log, a2.text);
  copyFileSync(log, `${log}.1`);
  const lost = block(300, 20, 1); // in neither the copy nor the truncated file: lost by nature
  appendFileSync(log, lost.text);
  truncateSync(log, 0);
  const c = block(400, 100, 1);
  appendFileSync(log, c.text);
  const want = [...a.seqs, ...a2.seqs, ...c.seqs];
  await waitForEvents(dir, want.length);
  await sleep(1500);
  await stopDaemon(d);
  const stored = storedSeqs(dir);
  const r = exactness(stored, [...want, ...lost.seqs]);
  assert.deepEqual(r.dup, []);
  assert.deepEqual(r.extra, []);
  for (const m of r.missing) assert.ok(lost.seqs.includes(m), `lost ${m} outside the copy→truncate window`);
  for (const s of want) assert.ok(stored.includes(s), `missing ${s}`);
});

test('rotation and truncation while stopped: the old tail first, then the new file from 0', async () => {
  const dir = tempDir();
  const log = join(dir, 'app.log');
  const other = join(dir, 'other.log');
  const expected: number[] = [];
  const w = (f: string, from: number, n: number) => {
    const b = block(from, n, 1);
    appendFileSync(f, b.text);
    expected.push(...b.seqs);
  };
  w(log, 0, 100);
  w(other, 10000, 100);
  const cfg = writeConfig(dir, [join(dir, '*.log')]);
  let d = await runDaemon(cfg);
  await waitForEvents(dir, 200);
  await stopDaemon(d);
  // Stopped: app.log gets more lines then is renamed away and re-created; other.log is copytruncated
  // and regrows past its old offset.
  w(log, 100, 50);
  renameSync(log, `${log}-20261127`);
  w(log, 200, 30);
  w(other, 10100, 50);
  copyFileSync(other, `${other}.1`);
  truncateSync(other, 0);
  w(other, 20000, 300);
  d = await runDaemon(cfg);
  await waitForEvents(dir, expected.length);
  await sleep(1500);
  await stopDaemon(d);
  assertExact(storedSeqs(dir), expected);
});

test('delete and re-create with the same name starts at 0, running and stopped; a file deleted while open is read to its end', async () => {
  const dir = tempDir();
  const log = join(dir, 'app.log');
  const gone = join(dir, 'gone.log');
  const expected: number[] = [];
  const w = (f: string, from: number, n: number) => {
    const b = block(from, n, 1);
    appendFileSync(f, b.text);
    expected.push(...b.seqs);
  };
  w(log, 0, 100);
  const cfg = writeConfig(dir, [join(dir, '*.log')]);
  let d = await runDaemon(cfg, { sinkDelayMs: 20, maxBatchLines: 100 });
  await waitForEvents(dir, 100);
  unlinkSync(log);
  w(log, 1000, 150); // longer than before, likely the same inode number
  w(gone, 5000, 3000);
  await sleep(100);
  unlinkSync(gone); // deleted while open and mostly unread
  await waitForEvents(dir, expected.length, 30000);
  await stopDaemon(d);
  unlinkSync(log);
  w(log, 2000, 200); // while stopped: likely the same inode again, bigger than the saved offset
  d = await runDaemon(cfg);
  await waitForEvents(dir, expected.length);
  await sleep(500);
  await stopDaemon(d);
  assertExact(storedSeqs(dir), expected);
});

test('a file created, given three lines and rotated within one second: all three arrive', async () => {
  const dir = tempDir();
  const cfg = writeConfig(dir, [join(dir, '*.log')]);
  const d = await runDaemon(cfg);
  const log = join(dir, 'new.log');
  const b = block(0, 3, 1);
  writeFileSync(log, b.text);
  await sleep(300);
  renameSync(log, `${log}.1`);
  writeFileSync(log, '');
  await waitForEvents(dir, 3);
  await sleep(300);
  await stopDaemon(d);
  assertExact(storedSeqs(dir), b.seqs);
});

test('rotated twice while stopped: the unread tail, the file in between, then the new file', async () => {
  const dir = tempDir();
  const log = join(dir, 'app.log');
  const expected: number[] = [];
  const w = (f: string, from: number, n: number) => {
    const b = block(from, n, 1);
    appendFileSync(f, b.text);
    expected.push(...b.seqs);
  };
  w(log, 0, 100);
  writeFileSync(`${log}.1`, block(90000, 5, 1).text); // an older rotation, already read long ago: not touched
  const cfg = writeConfig(dir, [join(dir, '*.log')]);
  let d = await runDaemon(cfg);
  await waitForEvents(dir, 100);
  await stopDaemon(d);
  const old = block(90000, 5, 1);
  writeFileSync(`${log}.1`, old.text); // (rewrite is older than what follows)
  await sleep(20);
  w(log, 100, 50);
  renameSync(`${log}.1`, `${log}.3`);
  renameSync(log, `${log}.1`); // first rotation: ours, with an unread tail
  await sleep(20); // rotations are far apart in real life; file mtimes tick only every few ms
  w(log, 1000, 80);
  await sleep(20);
  renameSync(`${log}.1`, `${log}.2`);
  renameSync(log, `${log}.1`); // second rotation: the file in between, never opened
  w(log, 2000, 40);
  d = await runDaemon(cfg);
  await waitForEvents(dir, expected.length);
  await sleep(1500);
  await stopDaemon(d);
  assertExact(storedSeqs(dir), expected);
});
