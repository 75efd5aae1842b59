import { test } from 'node:test';
import assert from 'node:assert/strict';
import { run, parser, READ_TIME } from './helpers.js';

const meta = (n: number) => ({ lineNo: n, offset: 0, readTime: READ_TIME });

test('negative: successful responses never yield events, whatever their text says', () => {
  const { events, p } = run([
    '{"level":30,"time":1795745730123,"msg":"easemob ok","status":200,"url":"https://a1.easemob.com/acme/chat/messages/users","data":{"path":"/messages/users","uri":"https://a1.easemob.com/acme/chat/messages/users","action":"post","data":{"bob":"123"},"duration":0,"applicationName":"chat"},"echo":"{\\"error\\":\\"reach_limit\\"}"}',
    '2026-11-27 10:16:06.707 INFO  [main] c.a.i.MessageService - sent message to bob status=200 text="{\\"error\\":\\"reach_limit\\",\\"error_description\\":\\"This request has reached api limit\\"}"',
    '10.0.3.17 - - [27/Nov/2026:10:17:04 +0800] "GET /acme/chat/users/bob HTTP/1.1" 200 230 "-" "okhttp/4.12.0"',
    '2026-11-27 10:16:06.707 INFO  [main] c.a.i.M - easemob response {"path":"/messages/users","uri":"https://a1.easemob.com/acme/chat/messages/users","timestamp":1,"organization":"acme","application":"8be0","action":"post","data":{"bob":"{\\"error\\":\\"reach_limit\\",\\"error_description\\":\\"x\\"}"},"duration":0}',
    '2026-11-27 10:16:06.707 INFO  [main] c.a.i.M - easemob POST https://a1.easemob.com/acme/chat/messages/users -> 200 OK',
  ]);
  assert.deepEqual(events, []);
  assert.equal(p.stats.malformed, 0);
});

test('negative: another API\'s 400 is not an event by default', () => {
  const lines = [
    '{"level":50,"msg":"payment failed","status":400,"url":"https://api.stripe.com/v1/charges","body":{"error":{"type":"card_error","code":"card_declined"}}}',
    '2026-11-27 10:00:00.000 ERROR [main] c.a.P - POST https://pay.example.com/oauth/token -> 400 Bad Request: {"error":"invalid_grant","error_description":"bad code"}',
    '10.0.0.1 - - [27/Nov/2026:10:17:03 +0800] "POST /api/v1/users/42/avatar HTTP/1.1" 500 51 "-" "curl/8.5.0"',
  ];
  assert.deepEqual(run(lines).events, []);
  const other = run(lines, { includeOtherApis: true }).events;
  assert.deepEqual(other.map((e) => [e.line, e.host, e.status, e.appkey]), [
    [1, 'api.stripe.com', 400, null],
    [2, 'pay.example.com', 400, null],
    [3, null, 500, null],
  ]);
});

test('negative: garbage bytes and invalid UTF-8 are counted and skipped', () => {
  const junk = Buffer.from([0xff, 0xfe, 0x00, 0x41, 0xc3, 0x28, 0xa0, 0xa1, 0xe2, 0x28, 0xa1, 0xf0, 0x28, 0x8c, 0xbc, 0x65, 0x72, 0x72, 0x6f, 0x72]).toString('utf8');
  const bad = '\uFFFD\uFFFD\uFFFD\uFFFD\uFFFD error \uFFFD\uFFFD\uFFFD\uFFFD status=500';
  const p = parser();
  assert.deepEqual(p.push(junk, meta(1)), []);
  assert.deepEqual(p.push(bad, meta(2)), []);
  assert.deepEqual(p.flush(), []);
  assert.equal(p.stats.malformed, 2);
  assert.equal(p.stats.lines, 2);
});

test('negative: truncated JSON record is counted malformed, no event, no throw', () => {
  const p = parser();
  assert.deepEqual(p.push('{"level":50,"msg":"easemob failed","status":401,"url":"https://a1.easemob.com/acme/chat/us', meta(1)), []);
  assert.deepEqual(p.push('{"level":50,"err":{"type":"AxiosError","message":"Request failed with status code 40', meta(2)), []);
  assert.equal(p.stats.malformed, 2);
});

test('negative: a 10 MB line gives no event, is counted; the parser keeps working (its time: npm run bench:hostile)', () => {
  const p = parser();
  const huge = '{"level":50,"status":500,"url":"https://a1.easemob.com/acme/chat/users","error":"' + 'x'.repeat(10 * 1024 * 1024) + '"}';
  assert.deepEqual(p.push(huge, meta(1)), []);
  assert.equal(p.stats.malformed, 1);
  const ok = p.push('{"level":50,"status":401,"url":"https://a1.easemob.com/acme/chat/users","body":{"error":"unauthorized","error_description":"x"}}', meta(2));
  assert.equal(ok.length, 1);
});

test('negative: deeply nested JSON does not recurse unboundedly and is counted', () => {
  const depth = 5000;
  const deep = '{"level":50,"status":500,"url":"https://a1.easemob.com/acme/chat/users","x":' + '{"a":'.repeat(depth) + '{"error":"unauthorized","error_description":"d"}' + '}'.repeat(depth) + '}';
  const textDeep = '2026-11-27 10:00:00.000 ERROR x - easemob body {"error":"unauthorized","error_description":"d","x":' + '[{"a":'.repeat(3000) + '1' + '}]'.repeat(3000) + '}';
  const p = parser();
  assert.deepEqual(p.push(deep, meta(1)), []);
  assert.deepEqual(p.push(textDeep, meta(2)), []);
  assert.deepEqual(p.flush(), []);
  assert.equal(p.stats.malformed, 2);
});

test('negative: odd inputs never throw out of push()/flush()', () => {
  const p = parser();
  const inputs = ['', ' ', '\t', '{', '}', '[', '{"error":', '"error"', 'Exception', '\tat x', 'HTTP response code: abc', 'null', '{"a":null}', '[1,2,3] error', 'error'.repeat(20000), '\r', 'Caused by: x', ' error_description -> '];
  inputs.forEach((s, i) => assert.doesNotThrow(() => p.push(s, meta(i + 1))));
  assert.doesNotThrow(() => p.push(undefined as unknown as string, meta(99)));
  assert.doesNotThrow(() => p.flush());
});

test('negative: ordinary lines are rejected without events', () => {
  const { events, p } = run([
    '{"level":30,"time":1795745730123,"pid":4242,"hostname":"im-api-7d9f","req":{"method":"GET","url":"/api/rooms/12"},"res":{"statusCode":200},"responseTime":3,"msg":"request completed"}',
    '2026-11-27 10:15:30.123  INFO 31337 --- [nio-8080-exec-4] c.acme.im.RoomController : room 12 loaded in 3 ms',
    '2026-11-27 10:15:31,456 DEBUG [pool-2-thread-1] com.acme.cache.RoomCache - cache hit (size=4123, ttl=300s)',
    '2026-11-27 10:15:32,000 ERROR [main] com.acme.db.Pool - connection pool exhausted',
  ]);
  assert.deepEqual(events, []);
  assert.equal(p.stats.malformed, 0);
});

test('negative: pathological 1 MB candidate lines give no event and never throw (their time: npm run bench:hostile)', () => {
  const M = 1_000_000;
  const lines = [
    'ERROR ' + 'https://a1.easemob.com/'.repeat(M / 23),
    'ERROR ' + 'a.b.c.d.'.repeat(M / 8) + 'Exception',
    'ERROR x ' + '"error":"a",'.repeat(M / 12),
    'ERROR ' + '{'.repeat(M),
    'a'.repeat(M) + ' error',
    '1.2.3.4 - - [27/Nov/2026:10:17:00 +0800] "GET /' + 'a'.repeat(M) + ' HTTP/1.1" 404 1',
  ];
  for (const line of lines) {
    const p = parser();
    const out = [
      ...p.push('2026-11-27 10:00:00.000 ERROR x - easemob failed', meta(1)),
      ...p.push(line, meta(2)),
      ...p.push(' ' + line, meta(3)),
      ...p.flush(),
    ];
    assert.ok(out.every((e) => e.status === null || (e.status >= 400 && e.status <= 599)), line.slice(0, 30));
    assert.equal(p.stats.lines, 3, line.slice(0, 30));
  }
});

test('negative: CRLF line endings and a UTF-8 BOM are tolerated', () => {
  const { events } = run(['\uFEFF{"level":50,"status":401,"url":"https://a1.easemob.com/acme/chat/users","msg":"x error"}\r']);
  assert.equal(events.length, 1);
  assert.equal(events[0].status, 401);
  assert.ok(!events[0].raw.endsWith('\r'));
});

test('negative: chat text that looks like an error body is payload, not an error (no status logged)', () => {
  const { events } = run([
    '{"level":"debug","msg":"easemob send","request":{"from":"alice","to":["bob"],"type":"txt","body":{"msg":"{\\"error\\":\\"reach_limit\\",\\"error_description\\":\\"This request has reached api limit\\"}"}}}',
    '{"level":"debug","msg":"easemob send","body":{"target":["bob"],"msg":{"type":"txt","msg":"{\\"error\\":\\"unauthorized\\",\\"exception\\":\\"x\\"}"}}}',
  ]);
  assert.deepEqual(events, []);
  // …while a record whose own message is the body is an event.
  const ev = run(['{"level":"error","msg":"{\\"error\\":\\"unauthorized\\",\\"exception\\":\\"EasemobSecurityException\\",\\"error_description\\":\\"Unable to authenticate\\"}"}']).events;
  assert.deepEqual(ev.map((e) => [e.status, e.error, e.errorDescription]), [[null, 'unauthorized', 'Unable to authenticate']]);
});

test('negative: a text line logging an outgoing chat message whose text mimics an error body', () => {
  const { events } = run([
    '2026-11-27 10:30:00.000 DEBUG [main] c.a.im.Sender - sending {"from":"alice","to":["bob"],"type":"txt","body":{"msg":"{\\"error\\":\\"reach_limit\\",\\"error_description\\":\\"This request has reached api limit\\"}"}}',
    '2026-11-27 10:30:01.000 DEBUG [main] c.a.im.Sender - sending {"target_type":"users","target":["bob"],"msg":{"type":"txt","msg":"{\\"error\\":\\"unauthorized\\",\\"exception\\":\\"x\\"}"}}',
  ]);
  assert.deepEqual(events, []);
});
