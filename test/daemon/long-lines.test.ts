import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '../helpers/tmp.js';
import { DaemonProc, eventCount, failLine, until, untilAsync, writeConfig } from './harness.js';

test('apiwatch_skipped_long_lines_total counts the lines of 1 MiB and more the tailer skipped', async () => {
  const dir = tempDir('apiwatch-long-');
  mkdirSync(join(dir, 'logs'));
  const log = join(dir, 'logs', 'app.log');
  const long = `{"level":50,"msg":"${'x'.repeat(1 << 20)}"}\n`;
  for (let i = 0; i < 20; i++) appendFileSync(log, long);
  appendFileSync(log, failLine() + '\n');
  const d = new DaemonProc(writeConfig(dir, { extra: 'http:\n  enabled: true\n  listen: 127.0.0.1:0\n' }));
  try {
    const base = `http://127.0.0.1:${await d.httpPort()}`;
    await until('the short line after them', () => eventCount(join(dir, 'data', 'apiwatch.db')) >= 1, 20_000);
    const n = await untilAsync('the counter', async () => {
      const m = /^apiwatch_skipped_long_lines_total (\d+)$/m.exec(await (await fetch(`${base}/metrics`)).text());
      return m ? Number(m[1]) : undefined;
    });
    assert.equal(n, 20);
  } finally {
    await d.stop();
  }
});
