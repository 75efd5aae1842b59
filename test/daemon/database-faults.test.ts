import { test } from 'node:test';
import assert from 'node:assert/strict';
import { closeSync, copyFileSync, mkdirSync, openSync, renameSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { tempDir } from '../helpers/tmp.js';
import { DaemonProc, appendLines, eventCount, failLine, until, untilAsync, writeConfig } from './harness.js';

const HTTP = 'http:\n  enabled: true\n  listen: 127.0.0.1:0\n';

/** A daemon that has stored `n` distinct incidents (so the file has many pages), running. */
async function started(n: number): Promise<{ dir: string; dbFile: string; d: DaemonProc; base: string }> {
  const dir = tempDir('apiwatch-dbfault-');
  mkdirSync(join(dir, 'logs'));
  const lines: string[] = [];
  for (let i = 0; i < n; i++) lines.push(failLine(429, 'reach_limit', `users/u${i}/contacts`));
  appendLines(join(dir, 'logs', 'app.log'), lines);
  const d = new DaemonProc(writeConfig(dir, { extra: HTTP }));
  const base = `http://127.0.0.1:${await d.httpPort()}`;
  const dbFile = join(dir, 'data', 'apiwatch.db');
  await until('events stored', () => eventCount(dbFile) >= n, 20_000);
  return { dir, dbFile, d, base };
}

async function healthz(base: string): Promise<{ http: number; status: string; problems: string[] }> {
  const r = await fetch(`${base}/healthz`);
  const b = (await r.json()) as { status: string; problems: string[] };
  return { http: r.status, ...b };
}

test('8 KiB of garbage in the database file: the daemon refuses to start, naming the file and how to recover', async () => {
  const { dir, dbFile, d } = await started(2000);
  assert.equal(await d.stop(), 0);
  const size = statSync(dbFile).size;
  assert.ok(size > 64 * 1024, `a real database of ${size} bytes`);
  // Mid-file, page-aligned: b-tree pages of events/incidents, not just the header.
  const fd = openSync(dbFile, 'r+');
  writeSync(fd, randomBytes(8192), 0, 8192, Math.floor(size / 2 / 4096) * 4096);
  closeSync(fd);
  const again = new DaemonProc(writeConfig(dir, { extra: HTTP }));
  const { code } = await again.exited;
  assert.equal(code, 3, again.stderr);
  assert.ok(!again.log('apiwatch started'), 'never started');
  assert.match(again.stderr, new RegExp(`database ${dbFile.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')} is corrupt`));
  assert.match(again.stderr, /To recover: stop apiwatch; move .* aside; restore a backup, or salvage with `sqlite3 .*\.recover/);
  assert.ok(again.logs.some((l) => l.msg === 'database is corrupt; refusing to start' && l.level === 60), 'fatal log line for the journal');
});

test('the database deleted, then replaced, under the running daemon: /healthz 503 naming it, a loud log line', async () => {
  const { dbFile, d, base } = await started(20);
  try {
    assert.equal((await healthz(base)).http, 200);
    const backup = `${dbFile}.copy`;
    copyFileSync(dbFile, backup);
    unlinkSync(dbFile);
    const gone = await untilAsync('503 after delete', async () => {
      const h = await healthz(base);
      return h.http === 503 ? h : undefined;
    });
    assert.equal(gone.status, 'unhealthy');
    assert.ok(gone.problems.some((p) => p.includes(`database file ${dbFile} was deleted`)), gone.problems.join('; '));
    const loud = await until('an error log line', () => d.logs.find((l) => l.msg === 'unhealthy' && l.level >= 50));
    assert.match(JSON.stringify(loud.problems), /was deleted under the running daemon/);
    const metrics = await (await fetch(`${base}/metrics`)).text();
    assert.match(metrics, /^apiwatch_database_file_mismatch 1$/m);
    assert.match(metrics, /^apiwatch_health_status\{status="unhealthy"\} 1$/m);
    // Another file at the path (a restore while running) is not the one open either.
    renameSync(backup, dbFile);
    const replaced = await untilAsync('503 naming the replacement', async () => {
      const h = await healthz(base);
      return h.problems.some((p) => p.includes('was replaced under the running daemon')) ? h : undefined;
    });
    assert.equal(replaced.http, 503);
  } finally {
    await d.stop();
  }
});

test('dispatch failing tick after tick: /healthz 503 and the metric says how many in a row', async () => {
  const { dbFile, d, base } = await started(5);
  try {
    // The table the dispatcher decides in is taken away by another process: every tick now fails.
    const other = new Database(dbFile);
    other.pragma('busy_timeout = 5000');
    other.exec('ALTER TABLE incident_notify RENAME TO incident_notify_gone');
    other.close();
    const bad = await untilAsync('503 for dispatch', async () => {
      const h = await healthz(base);
      return h.http === 503 ? h : undefined;
    }, 20_000);
    assert.ok(bad.problems.some((p) => /^dispatch failing \(\d+ ticks in a row, \d+s\): .*incident_notify.*; nothing can page$/.test(p)), bad.problems.join('; '));
    const m = /^apiwatch_dispatch_consecutive_failures (\d+)$/m.exec(await (await fetch(`${base}/metrics`)).text());
    assert.ok(m && Number(m[1]) >= 5, `consecutive failures ${m?.[1]}`);
    // Put back: the next tick works and health returns.
    const fix = new Database(dbFile);
    fix.pragma('busy_timeout = 5000');
    fix.exec('ALTER TABLE incident_notify_gone RENAME TO incident_notify');
    fix.close();
    await untilAsync('200 again', async () => ((await healthz(base)).http === 200 ? true : undefined), 20_000);
  } finally {
    await d.stop();
  }
});
