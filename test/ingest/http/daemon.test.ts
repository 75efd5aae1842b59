// A real `apiwatch run` process with an `- http:` source, fed the way a shipper feeds it: every
// answer is checked against what the SQLite file holds at that moment.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { connect, createServer } from 'node:net';
import Database from 'better-sqlite3';
import { DaemonProc, until, untilAsync } from '../../daemon/harness.js';
import { WebhookStandIn } from '../../notify/standins/webhook.js';
import { tempDir } from '../../helpers/tmp.js';
import { sdkBatch } from './records.js';

const FIX = join(import.meta.dirname, '..', '..', 'fixtures', 'http');
const TOKEN = 'daemon-test-token-5f0c2a9e41d7';
const VECTOR_SOURCE = 'web-1:/var/log/app/app.log';

/** A port nothing listens on now (the daemon binds it; a fixed port survives its restart, as for a shipper). */
async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
  const port = (s.address() as { port: number }).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

interface Rig {
  dir: string;
  db: string;
  config: string;
  env: Record<string, string>;
  ingest: number;
  metrics: number;
  hook: WebhookStandIn;
}

async function rig(): Promise<Rig> {
  const dir = tempDir('apiwatch-http-daemon-');
  const hook = await new WebhookStandIn().start();
  const [ingest, metrics] = [await freePort(), await freePort()];
  const config = join(dir, 'apiwatch.yaml');
  writeFileSync(
    config,
    [
      'state_dir: ./data',
      'sources:',
      '  - http:',
      '      listen: ${INGEST_LISTEN}',
      '      token: ${INGEST_TOKEN}',
      '      multiline_timeout: 1h', // a record split across batches waits for its next line, however slow the machine
      'notify:',
      '  console:',
      '    enabled: false',
      '  webhook:',
      '    url: ${HOOK_URL}',
      '    min_severity: info',
      '  slack:',
      '    group_wait: 0s', // the paging policy's first wait (no Slack URL: only the webhook sends)
      'digest:',
      '  enabled: false',
      'http:',
      '  enabled: true',
      '  listen: ${METRICS_LISTEN}',
      '',
    ].join('\n'),
  );
  const env = { INGEST_LISTEN: `127.0.0.1:${ingest}`, INGEST_TOKEN: TOKEN, HOOK_URL: hook.url('/apiwatch'), METRICS_LISTEN: `127.0.0.1:${metrics}` };
  return { dir, db: join(dir, 'data', 'apiwatch.db'), config, env, ingest, metrics, hook };
}

async function start(r: Rig): Promise<DaemonProc> {
  const d = new DaemonProc(r.config, r.env);
  after(() => void d.stop());
  await d.waitLog('HTTP ingest listening');
  await d.waitLog('apiwatch started');
  return d;
}

function post(r: Rig, body: string, token = TOKEN): Promise<Response> {
  return fetch(`http://127.0.0.1:${r.ingest}/ingest`, { method: 'POST', body, headers: { 'content-type': 'application/x-ndjson', authorization: `Bearer ${token}` } });
}

function rows<T>(r: Rig, sql: string, ...params: unknown[]): T[] {
  const db = new Database(r.db, { readonly: true, fileMustExist: true });
  try {
    return db.prepare(sql).all(...params) as T[];
  } finally {
    db.close();
  }
}

const eventsFrom = (r: Rig, source: string) => rows<{ ref: string | null; status: number | null; error_description: string | null }>(r, 'SELECT ref, status, error_description FROM events WHERE source = ? ORDER BY id', source);

function metric(text: string, name: string, labels: string): number {
  const line = text.split('\n').find((l) => l.startsWith(`${name}{`) && l.includes(labels));
  return line ? Number(line.split(' ').pop()) : NaN;
}

test('apiwatch run with an http source: 200 only once committed, incident and page, a retried batch counted once across a restart, the token nowhere', async () => {
  const r = await rig();
  let d = await start(r);
  const body = readFileSync(join(FIX, 'vector-ndjson.txt'), 'utf8');

  const first = await post(r, body);
  assert.equal(first.status, 200);
  assert.deepEqual(await first.json(), { accepted: 2, duplicates: 0 });
  // The 200 came after the commit: the rows are there the moment the shipper has its answer.
  // (The second record, a requests ConnectionError, may still be held for a traceback line.)
  const ev = eventsFrom(r, VECTOR_SOURCE);
  assert.ok(ev.length >= 1);
  assert.equal(ev[0].status, 404);
  assert.equal(ev[0].error_description, 'Service resource not found');
  const incidents = rows<{ ref: string | null; count: number }>(r, "SELECT ref, count FROM incidents WHERE ref = ?", ev[0].ref);
  assert.equal(incidents.length, 1);
  assert.equal(rows<{ n: number }>(r, 'SELECT count(*) AS n FROM http_offsets')[0].n, 2);

  // The page goes out through the outbox to the receiver, naming the Easemob ref.
  const paged = await until(`the webhook page (seen: ${r.hook.requests.length})`, () => r.hook.accepted[0]);
  assert.equal(paged.json.ref, ev[0].ref, paged.raw);
  assert.equal(paged.json.kind, 'firing', paged.raw);
  assert.equal(paged.json.ref, 'E32');

  // Refused without the token; counted, nothing stored.
  assert.equal((await post(r, body, 'not-the-token-0123456789')).status, 401);
  const metrics = await (await fetch(`http://127.0.0.1:${r.metrics}/metrics`)).text();
  const listen = `listen="127.0.0.1:${r.ingest}"`;
  assert.equal(metric(metrics, 'apiwatch_http_ingest_requests_total', `code="200"`), 1);
  assert.equal(metric(metrics, 'apiwatch_http_ingest_rejected_total', `code="401"`), 1);
  assert.equal(metric(metrics, 'apiwatch_http_ingest_rejected_total', `code="413"`), 0);
  assert.equal(metric(metrics, 'apiwatch_http_ingest_records_total', listen), 2);
  assert.equal(metric(metrics, 'apiwatch_http_ingest_duplicates_total', listen), 0);
  assert.equal(metric(metrics, 'apiwatch_http_ingest_bytes_total', listen), Buffer.byteLength(body));
  assert.equal(metric(metrics, 'apiwatch_http_ingest_in_flight', listen), 0);
  assert.ok(metric(metrics, 'apiwatch_http_ingest_last_request_timestamp_seconds', listen) > 0);
  const healthRes = await fetch(`http://127.0.0.1:${r.metrics}/healthz`);
  const healthText = await healthRes.text();
  const health = JSON.parse(healthText);
  assert.equal(health.status, 'ok');
  assert.equal(health.http_sources.length, 1);
  assert.equal(health.http_sources[0].listen, `127.0.0.1:${r.ingest}`);
  assert.equal(health.http_sources[0].token, true);
  assert.equal(health.http_sources[0].records, 2);
  assert.equal(health.http_sources[0].rejected['401'], 1);
  assert.ok(health.http_sources[0].last_request_at);
  assert.equal(health.http_sources[0].fault, null);

  // The shipper lost the 200 and the daemon restarted: the same batch again is counted once.
  assert.equal(await d.stop(), 0);
  assert.equal(eventsFrom(r, VECTOR_SOURCE).length, 2, 'both records stored by shutdown');
  const logs1 = JSON.stringify(d.logs) + d.stderr;
  d = await start(r);
  const again = await post(r, body);
  assert.equal(again.status, 200);
  assert.deepEqual(await again.json(), { accepted: 0, duplicates: 2 });
  assert.equal(eventsFrom(r, VECTOR_SOURCE).length, 2);
  const m2 = await (await fetch(`http://127.0.0.1:${r.metrics}/metrics`)).text();
  assert.equal(metric(m2, 'apiwatch_http_ingest_duplicates_total', listen), 2);
  assert.equal(await d.stop(), 0);

  // The token is in no log line, no answer, no metric and no byte of the database (or its WAL).
  for (const [where, text] of [['logs', logs1 + JSON.stringify(d.logs) + d.stderr], ['/metrics', metrics + m2], ['/healthz', healthText], ['webhook', JSON.stringify(r.hook.requests.map((s) => s.raw))]]) {
    assert.ok(!text.includes(TOKEN), `token in ${where}`);
  }
  for (const f of readdirSync(join(r.dir, 'data'))) assert.ok(!readFileSync(join(r.dir, 'data', f)).includes(TOKEN), `token in ${f}`);
});

test('a multi-line SDK exception whose lines straddle two shipper batches is one event', async () => {
  const r = await rig();
  const d = await start(r);
  const b1 = sdkBatch('java-1', 0, 2);
  const b2 = sdkBatch('java-1', 2, 5);
  assert.equal((await post(r, b1)).status, 200);
  assert.equal(eventsFrom(r, 'java-1:/srv/im/app.log').length, 0, 'held until a line says the record is complete');
  assert.equal((await post(r, b2)).status, 200);
  const ev = eventsFrom(r, 'java-1:/srv/im/app.log');
  assert.equal(ev.length, 1);
  assert.equal(ev[0].status, 404);
  assert.equal(ev[0].error_description, 'Service resource not found');
  assert.equal(await d.stop(), 0);
});

test('a multi-line record still held at SIGTERM is stored at shutdown, not lost', async () => {
  const r = await rig();
  const d = await start(r);
  const body = sdkBatch('java-2', 0, 3);
  assert.equal((await post(r, body)).status, 200);
  assert.equal(eventsFrom(r, 'java-2:/srv/im/app.log').length, 0);
  assert.equal(await d.stop(), 0);
  const ev = eventsFrom(r, 'java-2:/srv/im/app.log');
  assert.equal(ev.length, 1);
  assert.equal(ev[0].error_description, 'Service resource not found');
});

/** One raw HTTP request whose body is sent in two parts; resolves with the status, or 'error' if the connection died first. */
function splitRequest(port: number, body: string): { finish(): void; result: Promise<number | 'error'> } {
  const sock = connect(port, '127.0.0.1');
  const head = `POST /ingest HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${TOKEN}\r\nContent-Type: application/x-ndjson\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n`;
  const cut = Math.floor(body.length / 2);
  sock.write(head + body.slice(0, cut));
  let answer = '';
  sock.on('data', (c) => (answer += c));
  const result = new Promise<number | 'error'>((resolve) => {
    sock.on('error', () => resolve('error'));
    sock.on('close', () => {
      const m = /^HTTP\/1\.1 (\d{3})/.exec(answer);
      resolve(m ? Number(m[1]) : 'error');
    });
  });
  return { finish: () => void sock.write(body.slice(cut)), result };
}

test('SIGTERM with requests in flight: each is either committed and 200, or not committed and the shipper sees an error', async () => {
  const r = await rig();
  const d = await start(r);
  const one = readFileSync(join(FIX, 'vector-ndjson.txt'), 'utf8');
  const N = 6;
  const reqs = Array.from({ length: N }, (_, i) => splitRequest(r.ingest, one.replaceAll('"web-1"', `"shipper-${i}"`)));
  // Every request is being read by the daemon before the signal.
  await untilAsync('all requests in flight', async () => {
    const m = await (await fetch(`http://127.0.0.1:${r.metrics}/metrics`)).text();
    return metric(m, 'apiwatch_http_ingest_in_flight', `listen="127.0.0.1:${r.ingest}"`) === N || undefined;
  });
  d.kill('SIGTERM');
  await d.waitLog('stopping');
  // Half finish their body during the shutdown grace; the other half never do.
  for (const q of reqs.slice(0, N / 2)) q.finish();
  const results = await Promise.all(reqs.map((q) => q.result));
  assert.equal((await d.exited).code, 0);
  for (const [i, res] of results.entries()) {
    const stored = eventsFrom(r, `shipper-${i}:/var/log/app/app.log`).length;
    if (res === 200) assert.equal(stored, 2, `request ${i} got 200 but its records are not all stored`);
    else assert.equal(stored, 0, `request ${i} got ${res} but ${stored} of its records are stored`);
  }
  // The cut-off ones can never have had a 200.
  for (const res of results.slice(N / 2)) assert.notEqual(res, 200);
});
