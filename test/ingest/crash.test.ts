import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { tempDir } from '../helpers/tmp.js';
import { assertExact, block, runDaemon, sleep, stopDaemon, storedSeqs, waitForEvents, writeConfig } from './helpers.js';

// Small batches and a slow sink make many commits, so kills land mid-ingestion.
const SLOW = { sinkDelayMs: 15, maxBatchLines: 100 };

test('SIGTERM mid-burst, then SIGKILL at 20 random moments during ingestion: exactly once', async () => {
  const dir = tempDir();
  const log = join(dir, 'app.log');
  const first = block(0, 30000, 2);
  writeFileSync(log, first.text);
  const expected = [...first.seqs];
  let next = 30000;
  const cfg = writeConfig(dir, [join(dir, '*.log')]);

  let d = await runDaemon(cfg, SLOW);
  await sleep(300);
  await stopDaemon(d, 'SIGTERM');
  assert.ok(d.out().includes('apiwatch stopped'), 'SIGTERM path stops cleanly');
  const afterTerm = storedSeqs(dir).length;
  assert.ok(afterTerm > 0 && afterTerm < expected.length, `mid-burst: ${afterTerm}`);

  const counts: number[] = [];
  let seed = 12345;
  const rand = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  for (let k = 0; k < 20; k++) {
    d = await runDaemon(cfg, SLOW);
    // Appends while running: a burst now, the rest after a random delay.
    const b = block(next, 500, 2);
    next += 500;
    appendFileSync(log, b.text);
    expected.push(...b.seqs);
    await sleep(50 + Math.floor(rand() * 400));
    await stopDaemon(d, 'SIGKILL');
    counts.push(storedSeqs(dir).length);
  }
  // The kills really landed during ingestion: most of them left a backlog behind.
  const partial = counts.filter((c, i) => c < first.seqs.length + 250 * (i + 1)).length;
  assert.ok(partial >= 10, `only ${partial} of 20 kills were mid-ingestion: ${counts}`);
  d = await runDaemon(cfg);
  const seqs = await waitForEvents(dir, expected.length, 60000);
  await sleep(500);
  await stopDaemon(d);
  assertExact(storedSeqs(dir), expected, 'after 20 kills');
  assert.equal(seqs.length, expected.length);
});

test('SIGKILL inside a checkpoint transaction: the next start uses the last committed state', async () => {
  const dir = tempDir();
  const log = join(dir, 'app.log');
  const all = block(0, 3000, 3);
  writeFileSync(log, all.text);
  const cfg = writeConfig(dir, [join(dir, '*.log')]);
  for (const k of [2, 5]) {
    const d = await runDaemon(cfg, { ...SLOW, crashAtSave: k });
    let timer: NodeJS.Timeout | undefined;
    const code = await Promise.race([d.exited, new Promise((r) => (timer = setTimeout(() => r('timeout'), 20000)))]);
    clearTimeout(timer);
    assert.notEqual(code, 'timeout', 'the hook killed the daemon');
    // What is stored is exactly the failing lines before the committed offset.
    const db = new Database(join(dir, 'state', 'apiwatch.db'), { readonly: true });
    const pos = db.prepare('SELECT offset FROM source_positions WHERE path = ?').get(log) as { offset: number };
    db.close();
    const before = readFileSync(log).subarray(0, pos.offset).toString();
    const expectedSoFar = all.seqs.filter((s) => before.includes(`"seq":${s}}`));
    assertExact(storedSeqs(dir), expectedSoFar, `after crash at save ${k}`);
  }
  const d = await runDaemon(cfg);
  await waitForEvents(dir, all.seqs.length);
  await sleep(300);
  await stopDaemon(d);
  assertExact(storedSeqs(dir), all.seqs);
});

test('SIGTERM during a long catch-up with a fast sink stops promptly, then resumes exactly', async () => {
  const dir = tempDir();
  const log = join(dir, 'app.log');
  const all = block(0, 150000, 10);
  writeFileSync(log, all.text);
  const cfg = writeConfig(dir, [join(dir, '*.log')]);
  // Line by line in batches of 50 (the bulk catch-up has its own test in catchup.test.ts).
  let d = await runDaemon(cfg, { maxBatchLines: 50, catchUpMinBytes: 2 ** 40 });
  await sleep(300);
  const t0 = Date.now();
  await stopDaemon(d, 'SIGTERM');
  const took = Date.now() - t0;
  const mid = storedSeqs(dir).length;
  assert.ok(mid < all.seqs.length, `stopped mid-catch-up (${mid}/${all.seqs.length})`);
  assert.ok(took < 1500, `SIGTERM honoured in ${took} ms`);
  assert.equal(d.child.exitCode, 0);
  d = await runDaemon(cfg);
  await waitForEvents(dir, all.seqs.length, 60000);
  await sleep(300);
  await stopDaemon(d);
  assertExact(storedSeqs(dir), all.seqs);
});
