import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { request } from 'node:http';
import { gzipSync } from 'node:zlib';
import { openDatabase, type DB } from '../../../src/store/db.js';
import { Pipeline } from '../../../src/daemon/pipeline.js';
import { loadClassifierFor } from '../../../src/cli/rules.js';
import { HttpSource, type HttpSourceConfig } from '../../../src/ingest/http/index.js';
import type { LineBatch } from '../../../src/ingest/types.js';
import { tempDir } from '../../helpers/tmp.js';
import { sdkBatch } from './records.js';

const FIX = join(import.meta.dirname, '..', '..', 'fixtures', 'http');
const fixture = (name: string) => readFileSync(join(FIX, name), 'utf8');
const TOKEN = 'test-token-0123456789abcdef';

interface Rig {
  db: DB;
  port: number;
  src: HttpSource;
  pipeline: Pipeline;
  events(): { source: string; ref: string | null; status: number | null; error_description: string | null }[];
}

async function rig(over: Partial<HttpSourceConfig> = {}, hooks: { blocked?: () => string | null; target?: (p: Pipeline) => { process(b: LineBatch): unknown; reset(s: string): void } } = {}): Promise<Rig> {
  const db = openDatabase(join(tempDir(), 'apiwatch.db'));
  // Timeout 0: flush() in the tests emits whatever multi-line event is still held.
  const pipeline = new Pipeline({ db, classifier: await loadClassifierFor({ rules: { files: [] } }), multilineTimeoutMs: 0 });
  const cfg: HttpSourceConfig = { listen: '127.0.0.1:0', path: '/ingest', max_body: 1 << 20, max_inflight: 8, offset_key: 'offset', token: TOKEN, ...over };
  const target = hooks.target ? hooks.target(pipeline) : pipeline;
  const src = new HttpSource({ cfg, db, target: () => target, blocked: hooks.blocked, transient: (e) => (e as { code?: string }).code === 'SQLITE_FULL' });
  const port = await src.start();
  after(() => src.stop());
  return {
    db,
    port,
    src,
    pipeline,
    events: () => (pipeline.flushIdle(), db.prepare('SELECT source, ref, status, error_description FROM events ORDER BY id').all() as ReturnType<Rig['events']>),
  };
}

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

function post(port: number, body: string | Buffer, headers: Record<string, string> = {}, path = '/ingest'): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port, path, method: 'POST', headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json', ...headers } },
      (res) => {
        let b = '';
        res.on('data', (c) => (b += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: b }));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

test('Vector (ndjson and array), Fluent Bit (json_lines and json), syslog-ng, journald and an app record each become events of their own origin', async () => {
  const r = await rig();
  const cases: [string, string, string][] = [
    ['vector-ndjson.txt', 'application/x-ndjson', 'web-1:/var/log/app/app.log'],
    ['vector-array.json', 'application/json', 'web-2:/var/log/app/app.log'],
    ['fluentbit-json-lines.txt', 'application/x-ndjson', 'web-3:/var/log/app/app.log'],
    ['fluentbit-json.json', 'application/json', 'web-4:/var/lib/docker/containers/3f1c/3f1c-json.log'],
    ['syslog-ng.txt', 'application/json', 'web-5:/var/log/app/app.log'],
    ['journald.txt', 'application/json', 'web-6:im-api.service'],
  ];
  for (const [file, ct] of cases) {
    const a = await post(r.port, fixture(file), { 'content-type': ct });
    assert.equal(a.status, 200, `${file}: ${a.body}`);
  }
  const a = await post(r.port, fixture('app-own.txt'), {}, '/ingest?host=web-7&file=app.json');
  assert.equal(a.status, 200);
  const ev = r.events();
  const bySource = new Map<string, typeof ev>();
  for (const e of ev) bySource.set(e.source, [...(bySource.get(e.source) ?? []), e]);
  for (const [, , source] of cases) {
    const got = bySource.get(source);
    assert.ok(got?.length, `no event from ${source}; got ${[...bySource.keys()].join(', ')}`);
    assert.equal(got[0].status, 404);
    assert.equal(got[0].error_description, 'Service resource not found');
  }
  // The app's own record (its "message" is prose, not the line) is the line itself.
  assert.equal(bySource.get('web-7:app.json')?.[0].status, 404);
  // Vector's second line is a requests ConnectionError with no response.
  assert.ok(bySource.get('web-1:/var/log/app/app.log')!.some((e) => e.status === null));
  await r.src.stop();
});

test('text/plain takes the origin from ?host=&file= and one line per line', async () => {
  const r = await rig();
  const lines = fixture('app-own.txt') + 'GET /healthz 200\n' + fixture('app-own.txt');
  const a = await post(r.port, lines, { 'content-type': 'text/plain; charset=utf-8' }, '/ingest?host=web-9&file=%2Fvar%2Flog%2Fim.log');
  assert.equal(a.status, 200);
  assert.deepEqual(JSON.parse(a.body), { accepted: 3, duplicates: 0 });
  assert.deepEqual(r.events().map((e) => e.source), ['web-9:/var/log/im.log', 'web-9:/var/log/im.log']);
  await r.src.stop();
});

test('a retried batch with offsets is counted once; without offsets it is at least once', async () => {
  const r = await rig();
  const body = fixture('vector-ndjson.txt');
  assert.equal((await post(r.port, body)).status, 200);
  const again = await post(r.port, body);
  assert.equal(again.status, 200);
  assert.deepEqual(JSON.parse(again.body), { accepted: 0, duplicates: 2 });
  assert.equal(r.events().length, 2);
  const count = () => (r.db.prepare('SELECT count(*) AS n FROM http_offsets').get() as { n: number }).n;
  assert.equal(count(), 2);
  // Same offsets from another host are other records.
  assert.equal((await post(r.port, body.replaceAll('"web-1"', '"web-8"'))).status, 200);
  assert.equal(r.events().length, 4);
  // No offsets: a resend repeats (documented at-least-once).
  const plain = fixture('syslog-ng.txt');
  await post(r.port, plain);
  await post(r.port, plain);
  assert.equal(r.events().filter((e) => e.source.startsWith('web-5')).length, 2);
  await r.src.stop();
});

test('a failed commit answers 503 with Retry-After, stores nothing (offsets included), and the retry counts once', async () => {
  let fail = true;
  const r = await rig({}, {
    target: (p) => ({
      process(b: LineBatch) {
        p.process(b);
        // Fails after the pipeline wrote: the request's transaction must roll all of it back.
        if (fail) throw Object.assign(new Error('database or disk is full'), { code: 'SQLITE_FULL' });
      },
      reset: (s: string) => p.reset(s),
    }),
  });
  const body = fixture('vector-ndjson.txt');
  const a = await post(r.port, body);
  assert.equal(a.status, 503);
  assert.equal(a.headers['retry-after'], '5');
  assert.equal(r.events().length, 0);
  assert.equal((r.db.prepare('SELECT count(*) AS n FROM http_offsets').get() as { n: number }).n, 0);
  fail = false;
  assert.equal((await post(r.port, body)).status, 200);
  assert.equal((await post(r.port, body)).status, 200);
  assert.equal(r.events().length, 2);
  await r.src.stop();
});

test('a multi-line SDK exception split across two batches is one event with its description', async () => {
  const r = await rig();
  const b1 = sdkBatch('java-1', 0, 2);
  const b2 = sdkBatch('java-1', 2, 5);
  assert.equal((await post(r.port, b1)).status, 200);
  assert.equal((r.db.prepare('SELECT count(*) AS n FROM events').get() as { n: number }).n, 0, 'held until the next line says the record is complete');
  assert.equal((await post(r.port, b2)).status, 200);
  const ev = r.events();
  assert.equal(ev.length, 1);
  assert.equal(ev[0].status, 404);
  assert.equal(ev[0].error_description, 'Service resource not found');
  await r.src.stop();
});

test('malformed bodies get a 400 that names the record and what is wrong; nothing is stored', async () => {
  const r = await rig();
  const good = fixture('syslog-ng.txt').trim();
  let a = await post(r.port, `${good}\n{"message": "x", oops}\n`);
  assert.equal(a.status, 400);
  assert.match(JSON.parse(a.body).error, /^record 2: not valid JSON/);
  a = await post(r.port, '[{"message":"a"}, 42]');
  assert.equal(a.status, 400);
  assert.match(JSON.parse(a.body).error, /record 2: expected a JSON object, got number/);
  a = await post(r.port, JSON.stringify({ message: 'a', host: 'h', file: 'f', offset: -3 }));
  assert.equal(a.status, 400);
  assert.match(JSON.parse(a.body).error, /"offset" must be a non-negative integer/);
  a = await post(r.port, Buffer.from('not gzip'), { 'content-encoding': 'gzip' });
  assert.equal(a.status, 400);
  assert.equal(r.events().length, 0);
  // gzip is read (Fluent Bit `compress gzip`, Vector `compression: gzip`).
  a = await post(r.port, gzipSync(fixture('vector-ndjson.txt')), { 'content-encoding': 'gzip' });
  assert.equal(a.status, 200);
  assert.equal(r.events().length, 2);
  await r.src.stop();
});

test('401 without the right bearer token; 405 for GET; 404 elsewhere', async () => {
  const r = await rig();
  const body = fixture('syslog-ng.txt');
  let a = await post(r.port, body, { authorization: '' });
  assert.equal(a.status, 401);
  assert.match(String(a.headers['www-authenticate']), /^Bearer/);
  a = await post(r.port, body, { authorization: 'Bearer wrong-token-0123456789ab' });
  assert.equal(a.status, 401);
  assert.equal(r.events().length, 0);
  a = await post(r.port, body, {}, '/other');
  assert.equal(a.status, 404);
  const g = await fetch(`http://127.0.0.1:${r.port}/ingest`);
  assert.equal(g.status, 405);
  await r.src.stop();
});

test('413 above max_body, declared or streamed, and after gunzip', async () => {
  const r = await rig({ max_body: 4096 });
  const big = (fixture('syslog-ng.txt')).repeat(40);
  assert.ok(big.length > 4096);
  let a = await post(r.port, big);
  assert.equal(a.status, 413);
  assert.match(JSON.parse(a.body).error, /max_body \(4096 bytes\)/);
  const bomb = gzipSync(big);
  assert.ok(bomb.length < 4096);
  a = await post(r.port, bomb, { 'content-encoding': 'gzip' });
  assert.equal(a.status, 413);
  assert.equal(r.events().length, 0);
  assert.equal((await post(r.port, fixture('syslog-ng.txt'))).status, 200);
  await r.src.stop();
});

test('503 with Retry-After under backpressure: store not taking writes, or too many batches in flight', async () => {
  let blocked: string | null = 'SQLITE_FULL';
  const r = await rig({ max_inflight: 1 }, { blocked: () => blocked });
  let a = await post(r.port, fixture('syslog-ng.txt'));
  assert.equal(a.status, 503);
  assert.equal(a.headers['retry-after'], '5');
  blocked = null;
  // One request still sending its body holds the only slot.
  const slow = request({ host: '127.0.0.1', port: r.port, path: '/ingest', method: 'POST', headers: { authorization: `Bearer ${TOKEN}`, 'content-length': '100000' } });
  const slowDone = new Promise<void>((resolve) => slow.on('close', () => resolve()));
  slow.on('error', () => undefined);
  slow.write('{"message":');
  await new Promise((res) => setTimeout(res, 100));
  a = await post(r.port, fixture('syslog-ng.txt'));
  assert.equal(a.status, 503);
  assert.match(JSON.parse(a.body).error, /too many batches in flight/);
  slow.destroy();
  await slowDone;
  await new Promise((res) => setTimeout(res, 50));
  assert.equal((await post(r.port, fixture('syslog-ng.txt'))).status, 200);
  await r.src.stop();
});
