import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '../helpers/tmp.js';
import { DaemonProc, appendLines, eventCount, failLine, OK_LINE, query, until, writeConfig } from './harness.js';

function setup() {
  const dir = tempDir('apiwatch-life-');
  mkdirSync(join(dir, 'logs'));
  return { dir, log: join(dir, 'logs', 'app.log'), db: join(dir, 'data', 'apiwatch.db') };
}

test('SIGHUP applies a good config (new source) and keeps running on a broken one', async () => {
  const { dir, log, db } = setup();
  appendLines(log, [failLine()]);
  const other = join(dir, 'other');
  mkdirSync(other);
  appendLines(join(other, 'b.log'), [failLine(403, 'forbidden_op'), failLine(403, 'forbidden_op')]);
  const cfg = writeConfig(dir, { extra: 'http:\n  enabled: true\n  listen: 127.0.0.1:0\n' });
  const d = new DaemonProc(cfg);
  try {
    const port = await d.httpPort();
    await until('first event', () => eventCount(db) === 1);
    // Good: add a second source. Its two lines must be ingested after the reload.
    writeConfig(dir, { sources: ['./logs/*.log', './other/*.log'], extra: 'http:\n  enabled: true\n  listen: 127.0.0.1:0\n' });
    d.kill('SIGHUP');
    await d.waitLog('configuration reloaded');
    await until('events from the added source', () => eventCount(db) === 3);
    // Broken: YAML error. The daemon says why, keeps the previous config and keeps ingesting.
    writeFileSync(cfg, readFileSync(cfg, 'utf8') + 'sources: [oops\n');
    d.kill('SIGHUP');
    const failed = await d.waitLog('reload failed; still running with the previous configuration');
    assert.match(String(failed.err), /apiwatch\.yaml:\d+:\d+: YAML syntax/);
    appendLines(join(other, 'b.log'), [failLine(403, 'forbidden_op')]);
    appendLines(log, [failLine()]);
    await until('ingestion continues after the failed reload', () => eventCount(db) === 5);
    const metrics = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    assert.match(metrics, /^apiwatch_reloads_total\{result="ok"\} 1$/m);
    assert.match(metrics, /^apiwatch_reloads_total\{result="failed"\} 1$/m);
    assert.equal(await d.stop(), 0);
  } finally {
    d.kill('SIGKILL');
  }
});

test('SIGTERM mid-ingest commits what it read; a restart continues exactly where it stopped', async () => {
  const { dir, log, db } = setup();
  // ~30 MB: several polls of the tailer's 4 MiB reads, so the stop lands mid-file.
  const N = 90_000;
  const lines: string[] = [];
  const written = Date.now();
  for (let i = 0; i < N; i++) lines.push(i % 3 === 0 ? OK_LINE : failLine(429, 'reach_limit', `messages/users?n=${i}`, written + i));
  appendLines(log, lines);
  const expected = lines.filter((l) => l !== OK_LINE).length;
  const cfg = writeConfig(dir);
  const first = new DaemonProc(cfg);
  await until('some events committed', () => eventCount(db) > 0, 20_000, 5);
  const t0 = Date.now();
  first.kill('SIGTERM');
  const exit = await first.exited;
  assert.equal(exit.code, 0, first.stderr);
  // Well within TimeoutStopSec=30s, including Node's own exit.
  assert.ok(Date.now() - t0 < 5000, `stopped in ${Date.now() - t0} ms`);
  const afterStop = eventCount(db);
  assert.ok(afterStop > 0 && afterStop < expected, `stopped mid-file: ${afterStop} of ${expected}`);
  const cp = query<{ offset: number; line: number }>(db, 'SELECT offset, line FROM source_positions');
  // The checkpoint is committed with the events: the lines before it hold exactly the events stored.
  const before = readFileSync(log, 'utf8').slice(0, cp.offset).split('\n').slice(0, cp.line);
  assert.equal(before.filter((l) => l !== OK_LINE).length, afterStop);

  const second = new DaemonProc(cfg);
  await until('all events after restart', () => eventCount(db) >= expected, 30_000);
  assert.equal(await second.stop(), 0);
  assert.equal(eventCount(db), expected);
  const distinct = query<{ n: number }>(db, 'SELECT count(DISTINCT line) AS n FROM events').n;
  assert.equal(distinct, expected, 'no line stored twice');
  assert.equal(query<{ offset: number }>(db, 'SELECT offset FROM source_positions').offset, statSync(log).size);
});

test('a second instance on the same database refuses to start and says why', async () => {
  const { dir, log, db } = setup();
  appendLines(log, [failLine()]);
  const cfg = writeConfig(dir);
  const first = new DaemonProc(cfg);
  try {
    await first.waitLog('apiwatch started');
    const second = new DaemonProc(cfg);
    const exit = await second.exited;
    assert.equal(exit.code, 1);
    assert.match(second.stderr, new RegExp(`another apiwatch \\(pid ${first.pid}\\) is already running on ${db.replace(/[.]/g, '\\.')}`));
    assert.equal(second.count('apiwatch started'), 0);
    // The first one is unaffected.
    appendLines(log, [failLine()]);
    await until('first instance still ingesting', () => eventCount(db) === 2);
    assert.equal(await first.stop(), 0);
    // Once it is gone, the lock is free again.
    const third = new DaemonProc(cfg);
    await third.waitLog('apiwatch started');
    assert.equal(await third.stop(), 0);
  } finally {
    first.kill('SIGKILL');
  }
});

test('SIGINT stops as cleanly as SIGTERM: exit 0, and a restart stores nothing twice', async () => {
  const { dir, log, db } = setup();
  appendLines(log, [failLine(429), failLine(500, 'internal_error', 'chatgroups')]);
  const cfg = writeConfig(dir);
  const first = new DaemonProc(cfg);
  let second: DaemonProc | undefined;
  try {
    await until('both events', () => eventCount(db) === 2);
    first.kill('SIGINT');
    const exit = await first.exited;
    assert.equal(exit.code, 0, first.stderr);
    appendLines(log, [failLine(401, 'unauthorized', 'users')]);
    second = new DaemonProc(cfg);
    await until('the line written while stopped', () => eventCount(db) === 3);
    second.kill('SIGTERM');
    assert.equal((await second.exited).code, 0);
    assert.equal(eventCount(db), 3);
  } finally {
    // A failed assertion must not leave a daemon running (the test file would never end).
    first.kill('SIGKILL');
    second?.kill('SIGKILL');
  }
});
