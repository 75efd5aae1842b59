import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { openDatabase } from '../../src/store/db.js';
import { DaemonMetrics } from '../../src/daemon/metrics.js';
import { SdNotify } from '../../src/daemon/sd-notify.js';
import { pino } from 'pino';
import { tempDir } from '../helpers/tmp.js';

function metricsFor(db: ReturnType<typeof openDatabase>) {
  return new DaemonMetrics({ db, lags: () => [], parseFailures: () => 0, skippedLongLines: () => 0 });
}

test('outbox metrics: counts by state and the age of the oldest pending message', async () => {
  const db = openDatabase(join(tempDir(), 'apiwatch.db'));
  let text = await metricsFor(db).render();
  assert.match(text, /^apiwatch_outbox_messages\{state="pending"\} 0$/m, 'an empty outbox');
  assert.match(text, /^apiwatch_outbox_oldest_pending_age_seconds 0$/m);

  const now = Date.now();
  const ins = db.prepare(
    "INSERT INTO outbox (channel, target, payload, state, next_attempt_at, created_at) VALUES ('slack', 'default', '{}', ?, 0, ?)",
  );
  ins.run('pending', now - 120_000);
  ins.run('pending', now - 5_000);
  ins.run('sent', now - 600_000);
  ins.run('dead', now - 900_000);
  text = await metricsFor(db).render();
  assert.match(text, /^apiwatch_outbox_messages\{state="pending"\} 2$/m);
  assert.match(text, /^apiwatch_outbox_messages\{state="sent"\} 1$/m);
  assert.match(text, /^apiwatch_outbox_messages\{state="dead"\} 1$/m);
  const age = Number(/^apiwatch_outbox_oldest_pending_age_seconds (\S+)$/m.exec(text)![1]);
  assert.ok(age >= 119 && age < 130, `oldest pending ${age}s`);
  db.close();
});

test('sd_notify: a missing systemd-notify is logged once, not once per ping; no socket means no-op', async () => {
  const lines: { msg: string }[] = [];
  const log = pino({ level: 'info' }, { write: (s: string) => void lines.push(JSON.parse(s)) });
  const n = new SdNotify(log, { NOTIFY_SOCKET: '/nonexistent.sock', APIWATCH_SYSTEMD_NOTIFY: '/nonexistent/systemd-notify', WATCHDOG_USEC: '30000000' });
  assert.equal(n.watchdogIntervalMs(), 15_000);
  await n.watchdog();
  await n.watchdog();
  await n.ready();
  assert.equal(lines.filter((l) => l.msg === 'sd_notify failed').length, 1);
  const off = new SdNotify(log, { WATCHDOG_USEC: '30000000' });
  assert.equal(off.enabled, false);
  assert.equal(off.watchdogIntervalMs(), null);
  // WATCHDOG_PID names another process: not ours to ping.
  assert.equal(new SdNotify(log, { NOTIFY_SOCKET: '/x', WATCHDOG_USEC: '30000000', WATCHDOG_PID: String(process.pid + 1) }).watchdogIntervalMs(), null);
});
