import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { tempDir } from '../helpers/tmp.js';
import { DaemonProc, appendLines, eventCount, failLine, OK_LINE, until, untilAsync, writeConfig } from './harness.js';

/** Prometheus text format → `name{labels}` → value (no HELP/TYPE lines). */
function parseMetrics(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*(?:\{.*\})?) (\S+)$/.exec(line);
    assert.ok(m, `not a sample line: ${line}`);
    out.set(m[1], Number(m[2]));
  }
  return out;
}

function sum(m: Map<string, number>, name: string): number {
  let s = 0;
  for (const [k, v] of m) if (k === name || k.startsWith(`${name}{`)) s += v;
  return s;
}

test('/metrics counts what was fed; a locked database turns /healthz to 503 (still moving), and ingestion resumes exactly', async () => {
  const dir = tempDir('apiwatch-health-');
  mkdirSync(join(dir, 'logs'));
  const log = join(dir, 'logs', 'app.log');
  const dbFile = join(dir, 'data', 'apiwatch.db');
  // The truncated line is a parse failure (looks like a structured failure, does not parse).
  appendLines(log, [failLine(), failLine(), failLine(), OK_LINE, failLine(401, 'unauthorized', 'users'), OK_LINE, '{"level":50,"status":429,"body":{"error":"reach_']);
  const cfg = writeConfig(dir, { extra: 'http:\n  enabled: true\n  listen: 127.0.0.1:0\nhealth:\n  stall_after: 1s\n' });
  const d = new DaemonProc(cfg);
  let locker: Database.Database | undefined;
  try {
    const base = `http://127.0.0.1:${await d.httpPort()}`;
    const scrape = async () => parseMetrics(await (await fetch(`${base}/metrics`)).text());
    await until('4 events', () => eventCount(dbFile) === 4);

    let m = await scrape();
    assert.equal(m.get(`apiwatch_lines_read_total{source="${log}"}`), 7);
    assert.equal(m.get(`apiwatch_bytes_read_total{source="${log}"}`), statSync(log).size);
    const age = m.get(`apiwatch_checkpoint_age_seconds{file="${log}"}`);
    assert.ok(age !== undefined && age >= 0 && age < 60, `checkpoint age ${age}`);
    assert.equal(sum(m, 'apiwatch_events_total'), 4);
    // Per ref/category/severity, the counters equal what the store holds.
    const db = new Database(dbFile, { readonly: true });
    const groups = db.prepare('SELECT ref, category, severity, count(*) AS n FROM events GROUP BY 1, 2, 3').all() as { ref: string | null; category: string; severity: string; n: number }[];
    db.close();
    assert.ok(groups.length >= 2, 'two kinds of failure fed');
    for (const g of groups) {
      assert.equal(m.get(`apiwatch_events_total{ref="${g.ref ?? 'none'}",category="${g.category}",severity="${g.severity}"}`), g.n, JSON.stringify(g));
    }
    assert.equal(sum(m, 'apiwatch_incidents_open'), groups.length);
    assert.equal(m.get(`apiwatch_tail_lag_bytes{file="${log}"}`), 0);
    assert.equal(m.get('apiwatch_parse_failures_total'), 1);
    assert.equal(m.get('apiwatch_skipped_long_lines_total'), 0);
    assert.ok((m.get('apiwatch_database_size_bytes') ?? 0) > 0);

    let h = await fetch(`${base}/healthz`);
    assert.equal(h.status, 200, await h.clone().text());
    assert.deepEqual(((await h.json()) as { problems: string[] }).problems, []);

    // Another process holds the write lock: batches cannot commit while lines pile up.
    locker = new Database(dbFile);
    locker.exec('BEGIN EXCLUSIVE');
    appendLines(log, [failLine(), failLine(500, 'internal_error', 'chatgroups')]);
    const health = async () => {
      const r = await fetch(`${base}/healthz`);
      return { status: r.status, body: (await r.json()) as { moving: boolean; dbWritable: boolean; problems: string[] } };
    };
    const bad = await untilAsync('a 503 from /healthz', async () => {
      const r = await health();
      return r.status === 503 ? r : undefined;
    });
    assert.equal(bad.body.dbWritable, false);
    assert.ok(bad.body.problems.some((p) => p.includes('SQLITE_BUSY')), bad.body.problems.join('; '));
    // Known store trouble is not a hang: a restart cannot fix it, so it still counts as moving (the
    // watchdog keeps pinging; test/system/sd-notify.test.ts checks the pings through systemd-notify).
    // (stall_after is 1 s, so the unread bytes alone would count as a stall otherwise.)
    await new Promise((r) => setTimeout(r, 1500));
    const still = await health();
    assert.equal(still.status, 503);
    assert.equal(still.body.moving, true, still.body.problems.join('; '));
    m = await scrape();
    assert.ok((m.get(`apiwatch_tail_lag_bytes{file="${log}"}`) ?? 0) > 0);
    assert.ok((m.get('apiwatch_store_write_failures_total{code="SQLITE_BUSY"}') ?? 0) >= 1);
    const logged = d.log('cannot commit batch; rolled back, will retry from the checkpoint');
    assert.ok(logged, 'the failure is logged');
    assert.match(String(logged.hint), /another process holds a write lock/);
    assert.equal(eventCount(dbFile), 4);

    // The lock goes away: reading restarts from the checkpoint, nothing lost or doubled.
    locker.exec('COMMIT');
    locker.close();
    locker = undefined;
    await until('the held-back events', () => eventCount(dbFile) === 6, 20_000);
    await untilAsync('a 200 from /healthz', async () => ((await health()).status === 200 ? true : undefined));
    // Logged once resync() returns, which can be after the commit that turned /healthz back to 200.
    await d.waitLog('database writable again; ingestion resumed from the checkpoint');
    m = await scrape();
    assert.equal(sum(m, 'apiwatch_events_total'), 6);
    assert.equal(m.get('apiwatch_parse_failures_total'), 1, 'counters survive the pipeline being rebuilt');
    assert.equal(m.get(`apiwatch_lines_read_total{source="${log}"}`), 9);
    const check = new Database(dbFile, { readonly: true });
    assert.equal((check.prepare('SELECT count(DISTINCT line) AS n FROM events').get() as { n: number }).n, 6);
    check.close();
    assert.equal(await d.stop(), 0);
  } finally {
    locker?.close();
    d.kill('SIGKILL');
  }
});
