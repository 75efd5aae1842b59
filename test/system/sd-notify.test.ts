// System tests: the daemon's sd_notify traffic through the real systemd-notify(1) (Debian package
// systemd) into a datagram socket like systemd's. Run with `npm run test:system`.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { loadConfig } from '../../src/config/load.js';
import { startDaemon } from '../../src/daemon/index.js';
import { SdNotify } from '../../src/daemon/sd-notify.js';
import type { LineBatch } from '../../src/ingest/types.js';
import { silentLogger } from '../../src/util/log.js';
import { tempDir } from '../helpers/tmp.js';
import { DaemonProc, OK_LINE, appendLines, eventCount, failLine, until, untilAsync, writeConfig } from '../daemon/harness.js';
import { NotifySocket } from './notify-socket.js';

/** How long to watch for (the absence of) pings: three watchdog intervals of 400 ms. */
const PING_WINDOW_MS = 1200;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function setup(prefix: string) {
  const dir = tempDir(prefix);
  mkdirSync(join(dir, 'logs'));
  return { dir, log: join(dir, 'logs', 'app.log'), db: join(dir, 'data', 'apiwatch.db') };
}

test('readiness, watchdog and stopping reach a real NOTIFY_SOCKET through systemd-notify; SIGTERM exits 0', async () => {
  const { dir, log, db } = setup('apiwatch-sd-');
  appendLines(log, [failLine(), OK_LINE, failLine(401, 'unauthorized')]);
  const sock = await new NotifySocket(join(dir, 'notify.sock')).start();
  try {
    const d = new DaemonProc(writeConfig(dir), { NOTIFY_SOCKET: sock.path, WATCHDOG_USEC: '600000' });
    const ready = await until('READY=1', () => sock.with('READY=1')[0]);
    // Readiness comes after the database is open and the sources are attached.
    assert.ok(d.log('apiwatch started'), 'READY=1 only after start-up finished');
    assert.match(ready, /STATUS=watching 1 source/);
    // A new database is switched to incremental auto-vacuum before READY, with more start time asked for.
    assert.match(sock.messages[0], /^EXTEND_TIMEOUT_USEC=\d+\nSTATUS=one-time VACUUM/);
    await until('two WATCHDOG=1 pings', () => sock.with('WATCHDOG=1').length >= 2, 5000);
    await until('both events committed', () => eventCount(db) === 2);
    assert.equal(await d.stop(), 0);
    assert.equal(sock.with('STOPPING=1').length, 1);
    assert.ok(sock.messages.indexOf(sock.with('STOPPING=1')[0]) > sock.messages.indexOf(ready), 'STOPPING after READY');
    assert.equal(d.stderr, '');
  } finally {
    sock.stop();
  }
});

test('each SIGHUP, good or broken config, is bracketed by RELOADING=1 and READY=1', async () => {
  const { dir, log, db } = setup('apiwatch-sd-');
  appendLines(log, [failLine()]);
  const sock = await new NotifySocket(join(dir, 'notify.sock')).start();
  const cfg = writeConfig(dir);
  const d = new DaemonProc(cfg, { NOTIFY_SOCKET: sock.path });
  try {
    await until('first event', () => eventCount(db) === 1);
    d.kill('SIGHUP');
    await d.waitLog('configuration reloaded');
    writeFileSync(cfg, readFileSync(cfg, 'utf8') + 'sources: [oops\n');
    d.kill('SIGHUP');
    await d.waitLog('reload failed; still running with the previous configuration');
    // 3 READY in all: start + 2 reloads.
    await until('READY after each reload', () => sock.with('READY=1').length === 3, 5000);
    assert.equal(sock.with('RELOADING=1').length, 2);
    const seq = sock.messages.filter((m) => /^(READY|RELOADING)=1/m.test(m)).map((m) => (m.includes('RELOADING=1') ? 'R' : 'Y'));
    assert.deepEqual(seq, ['Y', 'R', 'Y', 'R', 'Y']);
    assert.equal(await d.stop(), 0);
  } finally {
    d.kill('SIGKILL');
    sock.stop();
  }
});

test('a locked database is not a hang: WATCHDOG=1 goes on while /healthz says 503', async () => {
  const { dir, log, db } = setup('apiwatch-sd-');
  appendLines(log, [failLine()]);
  const sock = await new NotifySocket(join(dir, 'notify.sock')).start();
  const cfg = writeConfig(dir, { extra: 'http:\n  enabled: true\n  listen: 127.0.0.1:0\nhealth:\n  stall_after: 1s\n' });
  const d = new DaemonProc(cfg, { NOTIFY_SOCKET: sock.path, WATCHDOG_USEC: '400000' });
  let locker: Database.Database | undefined;
  try {
    const base = `http://127.0.0.1:${await d.httpPort()}`;
    await until('first event', () => eventCount(db) === 1);
    locker = new Database(db);
    locker.exec('BEGIN EXCLUSIVE');
    appendLines(log, [failLine(500, 'internal_error', 'chatgroups')]);
    await untilAsync('a 503 from /healthz', async () => ((await fetch(`${base}/healthz`)).status === 503 ? true : undefined));
    // stall_after is 1 s: past it, the unread bytes alone would count as a stall.
    await sleep(1500);
    const pings = sock.with('WATCHDOG=1').length;
    await sleep(PING_WINDOW_MS);
    assert.ok(sock.with('WATCHDOG=1').length > pings, 'WATCHDOG=1 continues while the database is locked');
    locker.exec('COMMIT');
    locker.close();
    locker = undefined;
    await until('the held-back event', () => eventCount(db) === 2, 20_000);
    assert.equal(await d.stop(), 0);
  } finally {
    locker?.close();
    d.kill('SIGKILL');
    sock.stop();
  }
});

test('a hung pipeline stops the WATCHDOG=1 pings; they come back when it moves', { timeout: 20_000 }, async () => {
  const { dir, log, db } = setup('apiwatch-sd-');
  appendLines(log, [failLine()]);
  const sock = await new NotifySocket(join(dir, 'notify.sock')).start();
  const d = await startDaemon(loadConfig(writeConfig(dir, { extra: 'health:\n  stall_after: 1s\n' })), silentLogger, {
    notify: new SdNotify(silentLogger, { ...process.env, NOTIFY_SOCKET: sock.path, WATCHDOG_USEC: '400000' }),
  });
  let release: (() => void) | undefined;
  try {
    await until('first event', () => eventCount(db) === 1);
    await until('pings', () => sock.with('WATCHDOG=1').length >= 2, 5000);
    // The next commit never returns (as if a stage deadlocked).
    const pipeline = d.pipeline;
    const write = pipeline.write.bind(pipeline);
    const held: (() => void)[] = [];
    pipeline.write = (b: LineBatch) => new Promise<void>((resolve, reject) => held.push(() => void write(b).then(resolve, reject)));
    release = () => {
      pipeline.write = write;
      for (const go of held.splice(0)) go();
    };
    appendLines(log, [failLine(401, 'unauthorized')]);
    await until('the hung commit reported', () => d.health().problems.some((p) => p.startsWith('a batch commit has been running')), 5000);
    const pings = sock.with('WATCHDOG=1').length;
    await sleep(PING_WINDOW_MS);
    assert.equal(sock.with('WATCHDOG=1').length, pings, 'no WATCHDOG=1 while the pipeline is stuck');
    release();
    await until('the held event', () => eventCount(db) === 2);
    await until('pings again', () => sock.with('WATCHDOG=1').length > pings, 5000);
  } finally {
    release?.();
    await d.stop();
    sock.stop();
  }
});
