import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { pino } from 'pino';
import { loadConfig } from '../../src/config/load.js';
import { startDaemon } from '../../src/daemon/index.js';
import type { Notification, Notifier } from '../../src/notify/notifier.js';
import { prettyLine } from '../../src/util/log.js';
import { tempDir } from '../helpers/tmp.js';
import { appendLines, failLine, until, writeConfig } from './harness.js';

function capture() {
  const lines: { level: number; msg: string; [k: string]: unknown }[] = [];
  const log = pino({ level: 'debug' }, { write: (s: string) => void lines.push(JSON.parse(s)) });
  return { log, lines };
}

test('stop gives in-flight notifications notify_grace, then exits anyway; a prompt one is awaited', async () => {
  const dir = tempDir('apiwatch-stop-');
  mkdirSync(join(dir, 'logs'));
  const logFile = join(dir, 'logs', 'app.log');
  appendLines(logFile, [failLine(500, 'internal_error'), failLine(401, 'unauthorized', 'users')]);
  const cfg = loadConfig(writeConfig(dir, { extra: 'shutdown:\n  notify_grace: 400ms\n' }));
  const started: string[] = [];
  let finished = 0;
  let closed = 0;
  const hanging: Notifier & { close(): Promise<void> } = {
    name: 'hanging',
    close: async () => void closed++,
    send: (n: Notification) => {
      started.push(n.incident.error ?? '');
      // One never answers (a dead webhook), one answers after 150 ms.
      return n.incident.error === 'unauthorized' ? new Promise<void>((r) => setTimeout(() => (finished++, r()), 150)) : new Promise<void>(() => {});
    },
  };
  const { log, lines } = capture();
  const d = await startDaemon(cfg, log, { buildNotifiers: () => [hanging] });
  await until('both notifications started', () => started.length === 2);
  const t0 = Date.now();
  await d.stop();
  const took = Date.now() - t0;
  assert.ok(took >= 380 && took < 2000, `stop took ${took} ms`);
  assert.equal(finished, 1, 'the prompt notification was awaited');
  assert.equal(closed, 1, 'close() lets an outbox worker wind down');
  const warn = lines.find((l) => l.msg === 'notifications still in flight at shutdown; giving up on them');
  assert.ok(warn);
  assert.equal(warn.pending, 1);
  const metrics = d.metrics.registry.getSingleMetric('apiwatch_notifications_total');
  const values = (await metrics!.get()).values;
  assert.deepEqual(values.map((v) => [v.labels.result, v.value]), [['sent', 1]]);
});

test('on a terminal the log is readable lines, with fields as key=value', () => {
  const line = prettyLine(JSON.stringify({ level: 50, time: '2026-11-28T05:41:36.314Z', name: 'apiwatch', msg: 'cannot commit batch', code: 'SQLITE_FULL', n: 3 }));
  assert.equal(line, '05:41:36.314 ERROR cannot commit batch  code=SQLITE_FULL n=3\n');
});
