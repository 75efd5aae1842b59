import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fixture, run, view, byLine } from './helpers.js';

const { events } = run(fixture('client.log'));

test('client: one event per failed call, the payment API time-out excluded', () => {
  assert.deepEqual(events.map((e) => e.line), [1, 8, 12, 24, 25, 26, 27]);
  for (const e of events) {
    assert.equal(e.status, null);
    assert.ok(e.noResponse, `line ${e.line} has noResponse`);
  }
});

test('client: Spring ResourceAccessException read time-out with Caused by', () => {
  const e = byLine(events, 1);
  assert.deepEqual(view(e), {
    ts: '2026-11-27T02:19:00.100Z', tsFromLine: true, line: 1, method: 'POST',
    url: 'https://a1.easemob.com/acme/chat/messages/users', endpoint: '/messages/users', appkey: 'acme#chat',
    host: 'a1.easemob.com', status: null, error: null, errorDescription: null,
    exception: 'org.springframework.web.client.ResourceAccessException', parser: 'client', noResponse: { kind: 'timeout' },
  });
  assert.equal(e.raw.split('\n').length, 7);
});

test('client: OkHttp "SocketTimeoutException: timeout", URL and attempt 3/3 on the logger line', () => {
  const e = byLine(events, 8);
  assert.equal(e.endpoint, '/messages/chatgroups');
  assert.equal(e.exception, 'java.net.SocketTimeoutException');
  assert.deepEqual(e.noResponse, { kind: 'timeout', attempt: 3, gaveUp: true });
});

test('client: Python chained traceback ending in requests ReadTimeout is one event', () => {
  const e = byLine(events, 12);
  assert.equal(e.host, 'a1.easemob.com');
  assert.equal(e.exception, 'requests.exceptions.ReadTimeout');
  assert.deepEqual(e.noResponse, { kind: 'timeout' });
  assert.equal(view(e).ts, '2026-11-27T02:19:02.300Z');
  assert.ok(e.raw.includes('The above exception was the direct cause'));
});

test('client: requests ConnectionError, Max retries exceeded, connection refused', () => {
  const e = byLine(events, 24);
  assert.deepEqual(view(e), {
    ts: '2026-11-27T02:19:03.400Z', tsFromLine: true, line: 24, method: null, url: '/acme/chat/messages/users',
    endpoint: '/messages/users', appkey: 'acme#chat', host: 'a1.easemob.com', status: null, error: null,
    errorDescription: null, exception: 'requests.exceptions.ConnectionError', parser: 'client',
    noResponse: { kind: 'refused', gaveUp: true },
  });
});

test('client: Go net/http Client.Timeout (zone-less Go log time read in Asia/Shanghai)', () => {
  const e = byLine(events, 25);
  assert.equal(e.method, 'POST');
  assert.equal(e.endpoint, '/messages/users');
  assert.deepEqual(e.noResponse, { kind: 'timeout' });
  assert.equal(view(e).ts, '2026-11-27T02:19:04.000Z');
});

test('client: Node ENOTFOUND in a pino err object', () => {
  const e = byLine(events, 26);
  assert.equal(e.host, 'a1.easemob.com');
  assert.deepEqual(e.noResponse, { kind: 'dns' });
  assert.equal(e.parser, 'json');
});

test('client: undici fetch failed with [cause] ConnectTimeoutError on indented lines, retry 2', () => {
  const e = byLine(events, 27);
  assert.deepEqual(e.noResponse, { kind: 'timeout', attempt: 2 });
  assert.equal(e.endpoint, '/messages/users');
  assert.equal(view(e).ts, '2026-11-27T02:19:06.000Z');
});

test('client: node ECONNRESET, axios ECONNREFUSED, got TimeoutError, Reactor Netty timeouts', () => {
  const { events: ev } = run([
    '2026-11-27T02:20:00.000Z warn: easemob call POST https://a1.easemob.com/acme/chat/users failed: read ECONNRESET',
    '{"level":"error","message":"connect ECONNREFUSED 10.1.1.1:443","code":"ECONNREFUSED","config":{"url":"https://a1.easemob.com/acme/chat/token","method":"post"},"timestamp":"2026-11-27T02:20:01.000Z"}',
    '{"level":50,"time":1795745802000,"err":{"name":"TimeoutError","message":"Timeout awaiting \'request\' for 5000ms","code":"ETIMEDOUT"},"url":"https://a1.easemob.com/acme/chat/chatrooms","method":"GET","msg":"easemob list rooms failed"}',
    '2026-11-27 10:20:03.000 ERROR [reactor-http-epoll-2] c.a.i.Im - io.netty.handler.timeout.ReadTimeoutException: null',
    '\tat com.easemob.im.server.api.user.UserApi.get(UserApi.java:42)',
    '2026-11-27 10:20:04.000 INFO [main] c.a.App - done',
  ]);
  assert.deepEqual(ev.map((e) => [e.line, e.noResponse?.kind, e.endpoint]), [
    [1, 'reset', '/users'],
    [2, 'refused', '/token'],
    [3, 'timeout', '/chatrooms'],
    [4, 'timeout', null], // no URL: scoped by the com.easemob stack frame
  ]);
});

// The logger line names the Easemob host, so it starts the record and the exception continues it:
// the event is the record, from its first line.
test('client: Java time-out whose URL is only on the logger line before the exception', () => {
  const { events: ev } = run([
    '2026-11-27 10:25:00.000 INFO [pool-1-thread-2] c.a.im.Http - POST https://a1.easemob.com/acme/chat/messages/users',
    'java.net.SocketTimeoutException: connect timed out',
    '\tat java.base/java.net.PlainSocketImpl.socketConnect(Native Method)',
    '2026-11-27 10:25:01.000 INFO [main] c.a.App - next',
  ]);
  assert.equal(ev.length, 1);
  assert.deepEqual(view(ev[0]), {
    ts: '2026-11-27T02:25:00.000Z', tsFromLine: true, line: 1, method: 'POST',
    url: 'https://a1.easemob.com/acme/chat/messages/users', endpoint: '/messages/users', appkey: 'acme#chat',
    host: 'a1.easemob.com', status: null, error: null, errorDescription: null,
    exception: 'java.net.SocketTimeoutException', parser: 'client', noResponse: { kind: 'timeout' },
  });
});

test('client: requests ConnectTimeout with Max retries exceeded gives up', () => {
  const { events: ev } = run([
    "2026-11-27 10:26:00,000 ERROR im: requests.exceptions.ConnectTimeout: HTTPSConnectionPool(host='a1.easemob.com', port=443): Max retries exceeded with url: /acme/chat/token (Caused by ConnectTimeoutError(<urllib3.connection.HTTPSConnection object at 0x7f1c2b3a4d50>, 'Connection to a1.easemob.com timed out. (connect timeout=5)'))",
  ]);
  assert.deepEqual([ev[0].endpoint, ev[0].host, ev[0].noResponse], ['/token', 'a1.easemob.com', { kind: 'timeout', gaveUp: true }]);
});

test('client: nginx error.log upstream failures when proxying to Easemob; pretty-printed Spring body', () => {
  const { events: ev } = run(fixture('nginx-error.log'));
  assert.deepEqual(ev.map((e) => [e.line, e.method, e.endpoint, e.status, e.noResponse?.kind ?? null, e.error, new Date(e.ts).toISOString()]), [
    [1, 'POST', '/messages/users', null, 'timeout', null, '2026-11-27T02:15:30.000Z'],
    [2, 'GET', '/users/{username}', null, 'refused', null, '2026-11-27T02:15:31.000Z'],
    [3, 'POST', '/token', null, 'dns', null, '2026-11-27T02:15:32.000Z'],
    [4, null, null, 400, null, 'illegal_argument', '2026-11-27T02:15:33.000Z'],
  ]);
  assert.equal(ev[3].errorDescription, 'username is not legal');
  assert.equal(ev[3].raw.split('\n').length, 7);
});

test('Go *url.Error quoted inside a logfmt value (slog text) keeps its method and URL', () => {
  const { events: evs } = run([
    'time=2026-11-28T10:15:31.000+08:00 level=ERROR msg="easemob call failed" err="Post \\"https://a1.easemob.com/acme/prod/messages/chatgroups\\": context deadline exceeded (Client.Timeout exceeded while awaiting headers)"',
  ]);
  assert.equal(evs.length, 1);
  assert.equal(evs[0].method, 'POST');
  assert.equal(evs[0].endpoint, '/messages/chatgroups');
  assert.equal(evs[0].appkey, 'acme#prod');
  assert.equal(evs[0].noResponse?.kind, 'timeout');
});
