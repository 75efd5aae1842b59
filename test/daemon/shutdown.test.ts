import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { pino } from 'pino';
import { loadConfig } from '../../src/config/load.js';
import { startDaemon } from '../../src/daemon/index.js';
import Database from 'better-sqlite3';
import type { DeliveryResult, Notification, Notifier } from '../../src/notify/notifier.js';
import { prettyLine } from '../../src/util/log.js';
import { tempDir } from '../helpers/tmp.js';
import { appendLines, failLine, until, writeConfig } from './harness.js';

function capture() {
  const lines: { level: number; msg: string; [k: string]: unknown }[] = [];
  const log = pino({ level: 'debug' }, { write: (s: string) => void lines.push(JSON.parse(s)) });
  return { log, lines };
}

test('stop gives in-flight deliveries notify_grace, then exits anyway; a prompt one is awaited and counted', async () => {
  const dir = tempDir('apiwatch-stop-');
  mkdirSync(join(dir, 'logs'));
  const logFile = join(dir, 'logs', 'app.log');
  appendLines(logFile, [failLine(500, 'internal_error'), failLine(401, 'unauthorized', 'users')]);
  const cfg = loadConfig(writeConfig(dir, { extra: 'shutdown:\n  notify_grace: 400ms\n' }));
  const started: string[] = [];
  let finished = 0;
  let closed = 0;
  // A channel with one target per error, so the two deliveries run side by side.
  const hanging: Notifier = {
    name: 'hanging',
    minSeverity: 'info',
    rate: {},
    render: (n: Notification) => [{ target: n.incident.error ?? 'none', payload: { id: n.incident.id } }],
    deliver: (target: string): Promise<DeliveryResult> => {
      started.push(target);
      // One never answers (a dead webhook), one answers after 150 ms.
      return target === 'unauthorized'
        ? new Promise((r) => setTimeout(() => (finished++, r({ ok: true, status: 200 })), 150))
        : new Promise(() => {});
    },
    close: async () => void closed++,
  };
  const { log, lines } = capture();
  const d = await startDaemon(cfg, log, { buildNotifiers: () => [hanging] });
  await until('both deliveries started', () => started.length === 2);
  const t0 = Date.now();
  await d.stop();
  const took = Date.now() - t0;
  assert.ok(took >= 380 && took < 2000, `stop took ${took} ms`);
  assert.equal(finished, 1, 'the prompt delivery was awaited');
  assert.equal(closed, 1, 'close() lets the channel wind down');
  const warn = lines.find((l) => l.msg === 'notifications still in flight at shutdown; giving up on them');
  assert.ok(warn);
  assert.equal(warn.pending, 1);
  const metrics = d.metrics.registry.getSingleMetric('apiwatch_notifications_total');
  const values = (await metrics!.get()).values;
  assert.deepEqual(values.map((v) => [v.labels.channel, v.labels.result, v.value]), [['hanging', 'sent', 1]]);
  // The one given up on is still queued: the next start delivers it.
  const db = new Database(cfg.dbPath, { readonly: true });
  const rows = db.prepare('SELECT target, state FROM outbox ORDER BY target').all();
  db.close();
  assert.deepEqual(rows, [{ target: 'internal_error', state: 'pending' }, { target: 'unauthorized', state: 'sent' }]);
});

test('on a terminal the log is readable lines, with fields as key=value', () => {
  const json = JSON.stringify({ level: 50, time: '2026-11-28T05:41:36.314Z', name: 'apiwatch', msg: 'cannot commit batch', code: 'SQLITE_FULL', n: 3 });
  // ISO 8601 in the console's zone, with the offset: the alerts' format.
  assert.equal(prettyLine(json, 'Asia/Shanghai'), '2026-11-28T13:41:36.314+08:00 ERROR cannot commit batch  code=SQLITE_FULL n=3\n');
  assert.equal(prettyLine(json, 'America/New_York'), '2026-11-28T00:41:36.314-05:00 ERROR cannot commit batch  code=SQLITE_FULL n=3\n');
});
