import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '../helpers/tmp.js';
import { assertExact, block, failLine, runDaemon, stopDaemon, waitForEvents, writeConfig, sleep, storedSeqs } from './helpers.js';

test('tiny and slowly growing files are read; an unfinished line is emitted once, across a restart', async () => {
  const dir = tempDir();
  const log = join(dir, 'app.log');
  writeFileSync(log, failLine(1) + '\n');
  const cfg = writeConfig(dir, [join(dir, '*.log')]);
  let d = await runDaemon(cfg);
  assert.deepEqual(await waitForEvents(dir, 1), [1]);
  for (let i = 2; i <= 4; i++) {
    appendFileSync(log, failLine(i) + '\n');
    await sleep(150);
  }
  // Case 7: half a line, restart, finish it.
  const half = failLine(5);
  appendFileSync(log, half.slice(0, 40));
  await waitForEvents(dir, 4);
  await sleep(300);
  await stopDaemon(d);
  d = await runDaemon(cfg);
  appendFileSync(log, half.slice(40) + '\n' + failLine(6) + '\n');
  const seqs = await waitForEvents(dir, 6);
  await sleep(300);
  await stopDaemon(d);
  assertExact(storedSeqs(dir), [1, 2, 3, 4, 5, 6]);
  assert.deepEqual(seqs, [1, 2, 3, 4, 5, 6]);
});

test('start_at end skips the backlog of files present at the very first start only', async () => {
  const dir = tempDir();
  const a = join(dir, 'a.log');
  writeFileSync(a, block(1, 5).text);
  const cfg = writeConfig(dir, [join(dir, '*.log')], { start_at: 'end' });
  let d = await runDaemon(cfg);
  appendFileSync(a, failLine(100) + '\n');
  writeFileSync(join(dir, 'b.log'), failLine(200) + '\n'); // new file: from its first byte
  await waitForEvents(dir, 2);
  await stopDaemon(d);
  appendFileSync(a, failLine(101) + '\n');
  writeFileSync(join(dir, 'c.log'), failLine(300) + '\n'); // appeared while stopped: not a first start
  d = await runDaemon(cfg);
  await waitForEvents(dir, 4);
  await sleep(300);
  await stopDaemon(d);
  assertExact(storedSeqs(dir), [100, 101, 200, 300]);
});

test('binary garbage, invalid UTF-8 and NUL bytes are passed over without a crash', async () => {
  const dir = tempDir();
  const log = join(dir, 'app.log');
  const garbage = Buffer.from([0, 1, 2, 0xff, 0xfe, 0xc3, 0x28, 10, 0xe2, 0x82, 10, 0x7b, 0x22, 0xff, 10]);
  writeFileSync(log, Buffer.concat([Buffer.from(failLine(1) + '\n'), garbage, Buffer.from(failLine(2) + '\r\n'), garbage]));
  const cfg = writeConfig(dir, [join(dir, '*.log')]);
  const d = await runDaemon(cfg);
  appendFileSync(log, failLine(3) + '\n');
  await waitForEvents(dir, 3);
  await sleep(300);
  await stopDaemon(d);
  assert.equal(d.child.exitCode, 0);
  assertExact(storedSeqs(dir), [1, 2, 3]);
});
