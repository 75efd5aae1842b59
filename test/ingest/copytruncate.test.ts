import { test } from 'node:test';
import { appendFileSync, copyFileSync, existsSync, renameSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '../helpers/tmp.js';
import { assertExact, block, runDaemon, sleep, stopDaemon, storedSeqs, waitForEvents, writeConfig } from './helpers.js';

/**
 * logrotate `copytruncate` with `rotate N`: app.log.(k) → app.log.(k+1), copy app.log to app.log.1,
 * truncate app.log. Copy and truncate run back to back in this process, so no line can land between
 * them (those would be lost by the method itself, not by the reader).
 */
function copytruncate(log: string, keep: number): void {
  for (let k = keep - 1; k >= 1; k--) if (existsSync(`${log}.${k}`)) renameSync(`${log}.${k}`, `${log}.${k + 1}`);
  copyFileSync(log, `${log}.1`);
  truncateSync(log, 0);
}

/** Writes blocks of failing-call lines every few ms and copytruncates `times` times within `withinMs`. */
async function burstOfCopytruncates(times: number, withinMs: number): Promise<void> {
  const dir = tempDir();
  const log = join(dir, 'app.log');
  writeFileSync(log, '');
  const d = await runDaemon(writeConfig(dir, [join(dir, '*.log')]));
  const expected: number[] = [];
  let seq = 0;
  const write = (n: number) => {
    const b = block(seq, n, 1);
    seq += n;
    appendFileSync(log, b.text);
    expected.push(...b.seqs);
  };
  // A generation the tailer reads as it is written, then `times` short generations.
  for (let i = 0; i < 10; i++) {
    write(40);
    await sleep(10);
  }
  await waitForEvents(dir, expected.length);
  const gap = withinMs / times;
  for (let r = 0; r < times; r++) {
    const t0 = Date.now();
    while (Date.now() - t0 < gap) {
      write(30);
      await sleep(15);
    }
    copytruncate(log, times + 1);
  }
  write(50); // the current generation after the last truncation
  await waitForEvents(dir, expected.length, 30000);
  await sleep(800);
  await stopDaemon(d);
  // Every line is in app.log or one of its copies: each one stored exactly once.
  assertExact(storedSeqs(dir), expected, `${times} copytruncates in ${withinMs} ms`);
}

test('two copytruncates within 2 s: every generation is read from its copy', async () => {
  await burstOfCopytruncates(2, 1500);
});

test('five copytruncates within 2 s: nothing that sits in app.log.1 … app.log.5 is lost', async () => {
  await burstOfCopytruncates(5, 2000);
});
