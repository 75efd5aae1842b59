import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { loadConfig } from '../../src/config/load.js';
import { startDaemon } from '../../src/daemon/index.js';
import { assessHealth, type HealthInputs } from '../../src/daemon/health.js';
import type { LineBatch } from '../../src/ingest/types.js';
import { silentLogger } from '../../src/util/log.js';
import { tempDir } from '../helpers/tmp.js';
import { appendLines, eventCount, failLine, until, writeConfig } from './harness.js';

test('a hung pipeline is reported as not moving (so the watchdog stops); healthy again when it moves', { timeout: 20_000 }, async () => {
  const dir = tempDir('apiwatch-stall-');
  mkdirSync(join(dir, 'logs'));
  const logFile = join(dir, 'logs', 'app.log');
  const dbFile = join(dir, 'data', 'apiwatch.db');
  appendLines(logFile, [failLine()]);
  const d = await startDaemon(loadConfig(writeConfig(dir, { extra: 'health:\n  stall_after: 1s\n' })), silentLogger);
  let releaseHung = () => {};
  try {
    await until('first event', () => eventCount(dbFile) === 1);
    // The next commit never returns (as if a stage deadlocked).
    const pipeline = d.pipeline;
    const write = pipeline.write.bind(pipeline);
    let release: (() => void) | undefined;
    releaseHung = () => release?.();
    pipeline.write = (b: LineBatch) => new Promise<void>((resolve, reject) => (release = () => void write(b).then(resolve, reject)));
    appendLines(logFile, [failLine(401, 'unauthorized')]);
    // First the unread bytes with an old checkpoint, then the commit itself, give it away.
    const h = await until('the hung commit reported', () => {
      const r = d.health();
      // Both signs, whichever the health tick notices first: the hung commit and the unread bytes.
      return r.problems.some((p) => p.startsWith('a batch commit has been running')) &&
        r.problems.some((p) => /bytes unread, no progress/.test(p)) ? r : undefined;
    }, 5000);
    assert.equal(h.moving, false);
    assert.equal(h.dbWritable, true);
    assert.match(h.problems.join('; '), /app\.log: \d+ bytes unread, no progress for \ds/);

    release!();
    await until('the held event', () => eventCount(dbFile) === 2);
    await until('healthy again', () => d.health().ok || undefined);
  } finally {
    releaseHung();
    await d.stop();
  }
});

function inputs(over: Partial<HealthInputs> = {}): HealthInputs {
  return { now: 100_000, loopAt: 99_800, writeStartedAt: null, storeFailing: null, heartbeatError: null, lags: [], stallAfterMs: 5000, ...over };
}

test('health: what counts as stalled, and what counts as the database', () => {
  assert.deepEqual(assessHealth(inputs()), { status: 'ok', moving: true, dbWritable: true, ok: true, problems: [], faults: [] });
  // The loop itself stopped (event loop blocked).
  assert.equal(assessHealth(inputs({ loopAt: 90_000 })).moving, false);
  // Unread bytes with an old checkpoint: stalled, unless the tailer reports recent progress.
  const stuck = { path: '/var/log/app.log', lagBytes: 300, checkpointAgeMs: 6000 };
  assert.equal(assessHealth(inputs({ lags: [stuck] })).moving, false);
  assert.equal(assessHealth(inputs({ lags: [stuck], tailerProgressAt: 99_000 })).moving, true);
  // Fresh checkpoint or nothing unread: fine.
  assert.equal(assessHealth(inputs({ lags: [{ ...stuck, checkpointAgeMs: 1000 }] })).ok, true);
  assert.equal(assessHealth(inputs({ lags: [{ ...stuck, lagBytes: 0, checkpointAgeMs: 1e9 }] })).ok, true);
  // Disk full: not writable, but not a hang either (so the watchdog keeps pinging).
  const full = assessHealth(inputs({ lags: [stuck], storeFailing: 'SQLITE_FULL' }));
  assert.deepEqual([full.moving, full.dbWritable, full.ok], [true, false, false]);
  assert.match(full.problems.join(';'), /SQLITE_FULL/);
  assert.equal(assessHealth(inputs({ heartbeatError: 'SQLITE_READONLY' })).ok, false);
});

test('disk full (SQLITE_FULL): clear error, nothing half-written, ingestion resumes from the checkpoint when space returns', { timeout: 30_000 }, async () => {
  const dir = tempDir('apiwatch-full-');
  mkdirSync(join(dir, 'logs'));
  const logFile = join(dir, 'logs', 'app.log');
  const dbFile = join(dir, 'data', 'apiwatch.db');
  appendLines(logFile, [failLine()]);
  const lines: { msg: string; [k: string]: unknown }[] = [];
  const { pino } = await import('pino');
  const log = pino({ level: 'info' }, { write: (s: string) => void lines.push(JSON.parse(s)) });
  const d = await startDaemon(loadConfig(writeConfig(dir)), log);
  try {
    await until('first event', () => eventCount(dbFile) === 1);
    // The daemon's connection may not grow the file any more: every insert needing a page fails like a full disk.
    const pages = Number(d.db.pragma('page_count', { simple: true }));
    d.db.pragma(`max_page_count = ${pages}`);
    const batch: string[] = [];
    for (let i = 0; i < 300; i++) batch.push(failLine(429, 'reach_limit', `messages/users?i=${i}`));
    appendLines(logFile, batch);
    await until('the failure logged', () => lines.find((l) => l.msg === 'cannot commit batch; rolled back, will retry from the checkpoint'), 5000);
    const err = lines.find((l) => l.msg === 'cannot commit batch; rolled back, will retry from the checkpoint')!;
    assert.equal(err.code, 'SQLITE_FULL');
    assert.match(String(err.hint), /disk .* is full; free space and ingestion resumes/);
    const h = d.health();
    assert.deepEqual([h.ok, h.dbWritable, h.moving], [false, false, true]);
    assert.equal(eventCount(dbFile), 1, 'the failed batch left nothing behind');
    // Let some retries fail too, then give the space back.
    await new Promise((r) => setTimeout(r, 1500));
    assert.equal(d.db.pragma('quick_check', { simple: true }), 'ok');
    d.db.pragma('max_page_count = 1073741823');
    await until('all events after space returns', () => eventCount(dbFile) === 301, 20_000);
    await until('healthy', () => d.health().ok || undefined, 5000);
    assert.ok(lines.some((l) => l.msg === 'database writable again; ingestion resumed from the checkpoint'));
    assert.equal((d.db.prepare('SELECT count(DISTINCT line) AS n FROM events').get() as { n: number }).n, 301);
  } finally {
    await d.stop();
  }
});
