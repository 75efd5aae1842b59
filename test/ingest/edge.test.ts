import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { appendFileSync, closeSync, openSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { DateTime } from 'luxon';
import { tempDir } from '../helpers/tmp.js';
import type { ApiErrorEvent, EventParser, LineMeta, ParserOptions } from '../../src/parse/event.js';
import { createParser } from '../../src/parse/index.js';
import { assertExact, block, failLine, inProcess, runDaemon, sleep, stopDaemon, storedSeqs, waitForEvents, writeConfig } from './helpers.js';

test('a 50 MB line without newline: bounded memory, skipped and counted, later lines arrive, checkpoint right across a restart', async () => {
  const dir = tempDir();
  const log = join(dir, 'app.log');
  const a = block(0, 5, 1);
  writeFileSync(log, a.text);
  let t = await inProcess(dir, { path: [join(dir, '*.log')] }, { reconcileMs: 200 });
  await waitForEvents(dir, 5);
  const chunk = Buffer.alloc(1 << 20, 0x78);
  const base = process.memoryUsage().rss;
  let peak = base;
  const fd = openSync(log, 'a');
  for (let i = 0; i < 20; i++) {
    writeSync(fd, chunk);
    peak = Math.max(peak, process.memoryUsage().rss);
    if (i % 5 === 0) await sleep(20);
  }
  await sleep(500);
  await t.stop(); // restart in the middle of the long line
  const savedMid = new Database(join(dir, 'state', 'apiwatch.db'), { readonly: true });
  const mid = savedMid.prepare('SELECT offset FROM source_positions').get() as { offset: number };
  savedMid.close();
  assert.equal(mid.offset, Buffer.byteLength(a.text), 'checkpoint stays at the start of the unfinished line');
  t = await inProcess(dir, { path: [join(dir, '*.log')] }, { reconcileMs: 200 });
  for (let i = 0; i < 30; i++) {
    writeSync(fd, chunk);
    peak = Math.max(peak, process.memoryUsage().rss);
    if (i % 5 === 0) await sleep(20);
  }
  const b = block(100, 10, 1);
  writeSync(fd, '\n' + b.text);
  closeSync(fd);
  await waitForEvents(dir, 15);
  await t.tailer.reconcileNow();
  const st = t.tailer.stats().files[0]!;
  assert.equal(st.skippedLong, 1);
  assert.equal(st.lagBytes, 0);
  await t.stop();
  assert.ok(peak - base < 40 << 20, `RSS grew ${(peak - base) >> 20} MB`);
  const db = new Database(join(dir, 'state', 'apiwatch.db'), { readonly: true });
  const pos = db.prepare('SELECT offset, line FROM source_positions').get() as { offset: number; line: number };
  db.close();
  assert.equal(pos.offset, statSync(log).size);
  assert.equal(pos.line, 5 + 1 + 10);
  t = await inProcess(dir, { path: [join(dir, '*.log')] }, { reconcileMs: 200 });
  appendFileSync(log, failLine(200) + '\n');
  await waitForEvents(dir, 16);
  await sleep(200);
  await t.stop();
  assertExact(storedSeqs(dir), [...a.seqs, ...b.seqs, 200]);
});

test('appends with no watcher events (long-open descriptor in another process) are caught by the reconcile pass', async () => {
  const dir = tempDir();
  const log = join(dir, 'app.log');
  writeFileSync(log, '');
  const t = await inProcess(dir, { path: [join(dir, '*.log')] }, { watch: false, reconcileMs: 1000 });
  const b1 = block(0, 10000, 10);
  const b2 = block(10000, 10000, 10);
  const writer = spawn(process.execPath, ['-e', `
    const fs = require('fs'); const fd = fs.openSync(process.argv[1], 'a');
    process.stdin.on('data', (d) => { fs.writeSync(fd, d.toString()); process.stdout.write('w'); });
    process.stdin.on('end', () => fs.closeSync(fd));`, log], { stdio: ['pipe', 'pipe', 'inherit'] });
  const burst = async (text: string, want: number) => {
    const wrote = new Promise((r) => writer.stdout.once('data', r));
    // One write call: the child writes the whole burst through its descriptor.
    writer.stdin.write(text);
    await wrote;
    await sleep(Buffer.byteLength(text) > 65536 ? 200 : 0);
    const t0 = Date.now();
    await waitForEvents(dir, want, 5000);
    return Date.now() - t0;
  };
  const d1 = await burst(b1.text, 1000);
  const d2 = await burst(b2.text, 2000);
  writer.stdin.end();
  await t.stop();
  assertExact(storedSeqs(dir), [...b1.seqs, ...b2.seqs]);
  assert.ok(d1 < 2500 && d2 < 2500, `caught within the reconcile interval (+ commit): ${d1} ms, ${d2} ms`);
});

/** A parser with the real one's multi-line contract: an error line plus indented continuation lines. */
function multiLineParser(opts: ParserOptions): EventParser {
  const inner = createParser(opts);
  let start: LineMeta | null = null;
  let text: string[] = [];
  const emit = (): ApiErrorEvent[] => {
    if (!start) return [];
    const evs = inner.push(text[0]!, start);
    for (const e of evs) e.raw = text.join('\n');
    start = null;
    text = [];
    return evs;
  };
  return {
    stats: inner.stats,
    push(line, meta) {
      if (start && /^\s/.test(line)) {
        text.push(line);
        return [];
      }
      const out = emit();
      if (line.includes('"error"')) {
        start = meta;
        text = [line];
      }
      return out;
    },
    flush: emit,
    pending: () => start,
  };
}

test('a multi-line event split across two reads and across a restart is stored once, whole', async () => {
  const dir = tempDir();
  const log = join(dir, 'app.log');
  writeFileSync(log, block(0, 3, 1).text);
  const glob = [join(dir, '*.log')];
  let t = await inProcess(dir, { path: glob }, { watch: false, reconcileMs: 3_600_000 }, { parserFactory: multiLineParser });
  await t.tailer.reconcileNow();
  appendFileSync(log, failLine(10) + '\n');
  await t.tailer.reconcileNow(); // first read: the event's first line only
  appendFileSync(log, '    at EasemobClient.send (client.js:10)\n');
  await t.tailer.reconcileNow(); // second read: its continuation
  // Crash-stop: no flush. The checkpoint must sit at the pending event's first line.
  await t.stop();
  t = await inProcess(dir, { path: glob }, { watch: false, reconcileMs: 3_600_000 }, { parserFactory: multiLineParser });
  await t.tailer.reconcileNow();
  appendFileSync(log, '    at processTicks (node:internal)\n' + failLine(11) + '\n' + '{"msg":"ok"}\n');
  await t.tailer.reconcileNow();
  await t.stop();
  const db = new Database(join(dir, 'state', 'apiwatch.db'), { readonly: true });
  const rows = db.prepare('SELECT raw, line FROM events ORDER BY id').all() as { raw: string; line: number }[];
  db.close();
  assertExact(storedSeqs(dir), [0, 1, 2, 10, 11]);
  const ten = rows.find((r) => r.raw.includes('"seq":10'))!;
  assert.equal(ten.line, 4);
  assert.ok(ten.raw.includes('client.js:10') && ten.raw.includes('processTicks'), ten.raw);
});

test('with the database locked for a while, memory stays flat and reading resumes: exact', async () => {
  const dir = tempDir();
  const log = join(dir, 'app.log');
  writeFileSync(log, '');
  const cfg = writeConfig(dir, [join(dir, '*.log')]);
  const d = await runDaemon(cfg);
  const rss = () => Number(/VmRSS:\s+(\d+)/.exec(require_proc(d.child.pid!))?.[1] ?? 0) * 1024;
  const expected: number[] = [];
  let seq = 0;
  const w = (n: number) => {
    const b = block(seq, n, 5);
    seq += n;
    appendFileSync(log, b.text);
    expected.push(...b.seqs);
  };
  w(1000);
  await waitForEvents(dir, expected.length);
  const base = rss();
  const locker = new Database(join(dir, 'state', 'apiwatch.db'));
  locker.exec('BEGIN IMMEDIATE'); // longer than the daemon's busy_timeout: commits fail and are retried
  let peak = base;
  for (let i = 0; i < 35; i++) {
    w(2000);
    peak = Math.max(peak, rss());
    await sleep(200);
  }
  const during = storedSeqs(dir).length;
  locker.exec('ROLLBACK');
  locker.close();
  await waitForEvents(dir, expected.length, 30000);
  await sleep(300);
  await stopDaemon(d);
  assert.ok(during < expected.length, 'blocked while locked');
  assert.match(d.out(), /resum(?:ing|ed) from the (?:last )?checkpoint/, 'the failed commit was retried from the checkpoint');
  assertExact(storedSeqs(dir), expected);
  assert.ok(peak - base < 60 << 20, `RSS grew ${(peak - base) >> 20} MB while blocked with a ${(seq * 200) >> 20} MB backlog`);
});

import { readFileSync } from 'node:fs';
function require_proc(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/status`, 'utf8');
  } catch {
    return '';
  }
}

test('the source timezone reaches the parser on every batch; naive times are read in it', async () => {
  const dir = tempDir();
  const log = join(dir, 'app.log');
  const seen = new Set<string | undefined>();
  // Stand-in for the real parser's time handling: naive "YYYY-MM-DD HH:mm:ss" in opts.timezone.
  const tzParser = (opts: ParserOptions): EventParser => {
    seen.add(opts.timezone);
    const inner = createParser(opts);
    return {
      ...inner,
      stats: inner.stats,
      push(line, meta) {
        const m = /^(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d) (.*)$/.exec(line);
        const evs = inner.push(m ? m[2]! : line, meta);
        if (m) for (const e of evs) {
          e.ts = DateTime.fromFormat(m[1]!, 'yyyy-MM-dd HH:mm:ss', { zone: opts.timezone }).toMillis();
          e.tsFromLine = true;
        }
        return evs;
      },
    };
  };
  // Before and after the US DST change (2026-03-08 02:00 local).
  writeFileSync(log, `2026-03-08 01:30:00 ${failLine(1)}\n2026-03-08 03:30:00 ${failLine(2)}\n`);
  const t = await inProcess(dir, { path: [join(dir, '*.log')], timezone: 'America/New_York' }, { watch: false }, { parserFactory: tzParser });
  await t.tailer.reconcileNow();
  assert.ok(t.batches.length > 0 && t.batches.every((b) => b.timezone === 'America/New_York'));
  await t.stop();
  assert.deepEqual([...seen], ['America/New_York']);
  const db = new Database(join(dir, 'state', 'apiwatch.db'), { readonly: true });
  const ts = (db.prepare('SELECT ts FROM events ORDER BY line').all() as { ts: number }[]).map((r) => new Date(r.ts).toISOString());
  db.close();
  assert.deepEqual(ts, ['2026-03-08T06:30:00.000Z', '2026-03-08T07:30:00.000Z']);
});

test('the real parser: the Java SDK 1.x two-line message split across a restart is one event, with its description', async () => {
  const dir = tempDir();
  const log = join(dir, 'app.log');
  writeFileSync(log, '2026-11-28 10:00:00.000 INFO  [main] c.a.chat.App - started\n');
  const glob = [join(dir, '*.log')];
  let t = await inProcess(dir, { path: glob, start_at: 'beginning' }, { watch: false, reconcileMs: 3_600_000 });
  await t.tailer.reconcileNow();
  appendFileSync(log, 'com.easemob.im.server.exception.EMNotFoundException: GET /acme/prod/users/alice -> 404 Not Found, \n');
  await t.tailer.reconcileNow(); // the first line only: the event is pending
  await t.stop(); // restart before the second line is written
  t = await inProcess(dir, { path: glob, start_at: 'beginning' }, { watch: false, reconcileMs: 3_600_000 });
  appendFileSync(log, ' error_description -> Service resource not found\n2026-11-28 10:00:05.000 INFO  [main] c.a.chat.App - ok\n');
  await t.tailer.reconcileNow();
  await t.stop();
  const db = new Database(join(dir, 'state', 'apiwatch.db'), { readonly: true });
  const rows = db.prepare('SELECT ref, line, error_description, endpoint FROM events').all() as { ref: string; line: number; error_description: string; endpoint: string }[];
  db.close();
  assert.deepEqual(rows, [{ ref: 'E31', line: 2, error_description: 'Service resource not found', endpoint: '/users/{username}' }]);
});

test('the real parser: zone-less times in the source timezone, on both sides of a DST change', async () => {
  const dir = tempDir();
  const log = join(dir, 'app.log');
  const line = (local: string) =>
    `${local} ERROR 1 --- [nio-8080-exec-1] c.a.chat.Im : POST https://a1.easemob.com/acme/prod/messages/users failed: ` +
    'org.springframework.web.client.HttpClientErrorException$TooManyRequests: 429 Too Many Requests: "{"error":"reach_limit","error_description":"This request has reached api limit"}"';
  // New York springs forward at 2026-03-08 02:00 local: 01:30 is EST (UTC-5), 03:30 is EDT (UTC-4).
  // (A Spring record may continue with a stack trace: the closing INFO line ends the second one.)
  writeFileSync(log, [line('2026-03-08 01:30:00.000'), line('2026-03-08 03:30:00.000'), '2026-03-08 03:31:00.000 INFO  [main] ok'].join('\n') + '\n');
  const t = await inProcess(
    dir,
    { path: [join(dir, '*.log')], start_at: 'beginning', timezone: 'America/New_York' },
    { watch: false, reconcileMs: 3_600_000 },
    { now: () => Date.UTC(2026, 2, 8, 12) }, // "now" near the log, so the 24-hour sanity rule keeps its times
  );
  await t.tailer.reconcileNow();
  await t.stop();
  const db = new Database(join(dir, 'state', 'apiwatch.db'), { readonly: true });
  const ts = (db.prepare('SELECT ts FROM events ORDER BY line').all() as { ts: number }[]).map((r) => new Date(r.ts).toISOString());
  db.close();
  assert.deepEqual(ts, ['2026-03-08T06:30:00.000Z', '2026-03-08T07:30:00.000Z']);
});
