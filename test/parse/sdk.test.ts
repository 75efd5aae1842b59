import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fixture, run, view, byLine, parser, READ_TIME } from './helpers.js';

const lines = fixture('sdk.log');
const { events } = run(lines);

test('sdk: three events, continuation lines never start one', () => {
  // Line 7 is the logger line of the second record ("lookup of bob failed"): its exception continues it.
  assert.deepEqual(events.map((e) => e.line), [1, 7, 11]);
});

test('sdk 1.x: EMBadRequestException + " error_description -> …" line', () => {
  const e = byLine(events, 1);
  assert.deepEqual(view(e), {
    ts: '2026-11-27T02:18:00.100Z', tsFromLine: true, line: 1, method: 'POST', url: '/acme/chat/users',
    endpoint: '/users', appkey: 'acme#chat', host: null, status: 400, error: null,
    errorDescription: 'Entity user requires a property named username',
    exception: 'com.easemob.im.server.exception.EMBadRequestException', parser: 'sdk1',
  });
  assert.equal(e.raw, lines.slice(0, 6).join('\n'));
});

test('sdk 1.x: GET of one user: the WARN logger line and its exception are one record', () => {
  assert.deepEqual(view(byLine(events, 7)), {
    ts: '2026-11-27T02:18:01.200Z', tsFromLine: true, line: 7, method: 'GET', url: '/acme/chat/users/bob',
    endpoint: '/users/{username}', appkey: 'acme#chat', host: null, status: 404, error: null,
    errorDescription: 'Service resource not found',
    exception: 'com.easemob.im.server.exception.EMNotFoundException', parser: 'sdk1',
  });
});

test('sdk 2.x: ApiException over four lines', () => {
  const e = byLine(events, 11);
  assert.deepEqual(view(e), {
    ts: '2026-11-27T02:18:02.300Z', tsFromLine: true, line: 11, method: null, url: null, endpoint: null,
    appkey: null, host: null, status: 429, error: 'reach_limit', errorDescription: 'This request has reached api limit',
    exception: 'com.easemob.ratelimit.ReachLimitException', parser: 'sdk2',
  });
  assert.ok(e.raw.includes('HTTP response headers: {connection=[keep-alive]'));
});

test('multi-line: SDK 1.x message split across push calls; pending() holds the first line until the next record', () => {
  const p = parser();
  const m = (n: number) => ({ lineNo: n, offset: n * 100, readTime: READ_TIME });
  assert.deepEqual(p.push('com.easemob.im.server.exception.EMUnauthorizedException: POST /acme/chat/token -> 401 Unauthorized, ', m(41)), []);
  assert.deepEqual(p.pending(), m(41));
  assert.deepEqual(p.push(' error_description -> client_secret does not match', m(42)), []);
  assert.deepEqual(p.push('\tat com.easemob.im.server.api.DefaultErrorMapper.toException(DefaultErrorMapper.java:58)', m(43)), []);
  assert.deepEqual(p.pending(), m(41));
  const out = p.push('2026-11-27 10:20:00.000 INFO [main] c.a.App - next record', m(44));
  assert.equal(out.length, 1);
  assert.equal(out[0].line, 41);
  assert.equal(out[0].offset, 4100);
  assert.equal(out[0].status, 401);
  assert.equal(out[0].endpoint, '/token');
  assert.equal(out[0].errorDescription, 'client_secret does not match');
  assert.equal(out[0].tsFromLine, false); // no time on the line nor the one before
  assert.equal(out[0].ts, READ_TIME);
  assert.equal(p.pending(), null);
});

test('multi-line: flush() emits the event being assembled', () => {
  const p = parser();
  const m = (n: number) => ({ lineNo: n, offset: 0, readTime: READ_TIME });
  p.push('2026-11-27 10:21:00.000 ERROR [main] c.a.App - send failed', m(1));
  p.push('com.easemob.im.ApiException: Message: Unauthorized', m(2));
  p.push('HTTP response code: 401', m(3));
  assert.deepEqual(p.pending(), m(1));
  const out = p.flush();
  assert.equal(out.length, 1);
  assert.equal(out[0].status, 401);
  assert.equal(out[0].parser, 'sdk2');
  assert.equal(out[0].line, 1);
  assert.equal(p.pending(), null);
  assert.deepEqual(p.flush(), []);
});

test('multi-line: orphan continuation lines never start an event', () => {
  const { events: ev } = run([
    '\tat com.easemob.im.server.api.DefaultErrorMapper.toException(DefaultErrorMapper.java:58)',
    'Caused by: java.net.SocketTimeoutException: Read timed out https://a1.easemob.com/acme/chat/users',
    ' error_description -> Service resource not found',
    '\t... 42 more',
  ]);
  assert.deepEqual(ev, []);
});

test('sdk 2.x: message logged without the exception class (the logger line starts the record)', () => {
  const { events: ev } = run([
    '2026-11-27 10:23:00.000 WARN [main] c.a.im.MsgService - send failed: Message: Too Many Requests',
    'HTTP response code: 429',
    'HTTP response body: {"error":"reach_limit","exception":"com.easemob.ratelimit.ReachLimitException","timestamp":1,"duration":0,"error_description":"This request has reached api limit"}',
    'HTTP response headers: {content-type=[application/json;charset=UTF-8]}',
    '2026-11-27 10:23:01.000 INFO [main] c.a.im.MsgService - next',
  ]);
  assert.equal(ev.length, 1);
  assert.deepEqual([ev[0].line, ev[0].status, ev[0].error, ev[0].parser, ev[0].tsFromLine, new Date(ev[0].ts).toISOString()], [1, 429, 'reach_limit', 'sdk2', true, '2026-11-27T02:23:00.000Z']);
});

test('sdk: Feign RetryableException in a Caused by line gives the URL and the time-out', () => {
  const { events: ev } = run([
    '2026-11-27 10:24:00.000 ERROR [main] c.a.im.TokenService - token refresh failed',
    'feign.RetryableException: Read timed out executing POST https://a1.easemob.com/acme/chat/token',
    '\tat feign.FeignException.errorExecuting(FeignException.java:268)',
    'Caused by: java.net.SocketTimeoutException: Read timed out',
    '\tat java.base/sun.nio.ch.NioSocketImpl.timedRead(NioSocketImpl.java:288)',
  ]);
  assert.equal(ev.length, 1);
  assert.deepEqual([ev[0].line, ev[0].method, ev[0].endpoint, ev[0].status, ev[0].noResponse, ev[0].exception], [1, 'POST', '/token', null, { kind: 'timeout' }, 'feign.RetryableException']);
});

test('multi-line: raw is capped at MAX_RAW for long stack traces', async () => {
  const { MAX_RAW } = await import('../../src/parse/index.js');
  const frames = Array.from({ length: 500 }, (_, i) => `\tat com.acme.im.Layer${i}.call(Layer${i}.java:${i + 1})`);
  const { events: ev } = run([
    'com.easemob.im.server.exception.EMForbiddenException: POST /acme/chat/chatgroups/1/users -> 403 Forbidden, ',
    ' error_description -> forbidden operation on group owner!',
    ...frames,
  ]);
  assert.equal(ev.length, 1);
  assert.equal(ev[0].raw.length, MAX_RAW);
  assert.equal(ev[0].errorDescription, 'forbidden operation on group owner!');
  assert.equal(ev[0].endpoint, '/chatgroups/{group_id}/users');
});
