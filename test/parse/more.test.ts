import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fixture, run, view, byLine } from './helpers.js';

// More HTTP clients and log layouts as their libraries write them.
const { events, p } = run(fixture('more.log'));

test('more: one event per failed call', () => {
  assert.deepEqual(events.map((e) => e.line), [1, 2, 5, 6, 7, 8, 32, 37, 41, 42, 43]);
  assert.equal(p.stats.malformed, 0);
});

test('more: Spring WebClientResponseException "401 Unauthorized from POST url"', () => {
  assert.deepEqual(view(byLine(events, 1)), {
    ts: '2026-11-27T02:22:00.100Z', tsFromLine: true, line: 1, method: 'POST', url: 'https://a1.easemob.com/acme/chat/token',
    endpoint: '/token', appkey: 'acme#chat', host: 'a1.easemob.com', status: 401, error: null, errorDescription: null,
    exception: 'org.springframework.web.reactive.function.client.WebClientResponseException$Unauthorized', parser: 'embedded',
  });
});

test('more: Guzzle ClientException with the (truncated) body on the next line', () => {
  const e = byLine(events, 2);
  assert.deepEqual([e.method, e.endpoint, e.status, e.error, e.exception], ['POST', '/users', 400, 'duplicate_unique_property_exists', 'GuzzleHttp\\Exception\\ClientException']);
  assert.equal(e.raw.split('\n').length, 3);
});

test('more: aiohttp, httpx and .NET status wordings', () => {
  assert.deepEqual([byLine(events, 5).status, byLine(events, 5).endpoint], [403, '/chatgroups/{group_id}/users/{username}']);
  assert.deepEqual([byLine(events, 6).status, byLine(events, 6).exception], [429, 'httpx.HTTPStatusError']);
  assert.deepEqual([byLine(events, 7).status, byLine(events, 7).method, byLine(events, 7).endpoint], [404, 'GET', '/users/{username}']);
});

test('more: console.error(axiosError) — util.inspect dump over many lines', () => {
  const e = byLine(events, 8);
  assert.deepEqual(view(e), {
    ts: '2026-11-27T02:22:05.600Z', tsFromLine: true, line: 8, method: 'GET', url: 'https://a1.easemob.com/acme/chat/users/bob',
    endpoint: '/users/{username}', appkey: 'acme#chat', host: 'a1.easemob.com', status: 401, error: 'unauthorized',
    errorDescription: 'Unable to authenticate due to expired access token', exception: 'EasemobSecurityException', parser: 'embedded',
  });
  assert.ok(!e.raw.includes('YWMtQ2x5'));
});

test('more: OkHttp HttpLoggingInterceptor — status line is the event, the body record later joins it', () => {
  const e = byLine(events, 32);
  assert.deepEqual([e.status, e.endpoint, e.error, e.errorDescription], [401, '/users/{username}', 'unauthorized', 'Unable to authenticate due to expired access token']);
  assert.equal(e.raw.split('\n').length, 5);
  assert.equal(events.some((x) => x.line === 35), false);
});

test('more: Apache HttpClient ConnectTimeoutException names the host without a URL', () => {
  const e = byLine(events, 37);
  assert.deepEqual([e.host, e.status, e.noResponse], ['a1.easemob.com', null, { kind: 'timeout' }]);
});

test('more: java.util.logging two-line record takes its time from the header line', () => {
  const e = byLine(events, 41);
  assert.deepEqual([view(e).ts, e.tsFromLine, e.status, e.endpoint], ['2026-11-27T02:22:08.000Z', true, 401, '/messages']);
});

test('more: nginx JSON access log (escape=json) with proxy_host, and Apache vhost_combined', () => {
  const j = byLine(events, 42);
  assert.deepEqual([view(j).ts, j.method, j.host, j.status, j.endpoint], ['2026-11-27T02:22:09.000Z', 'POST', 'a1.easemob.com', 503, '/messages/users']);
  const a = byLine(events, 43);
  assert.deepEqual([a.parser, a.method, a.status, a.endpoint, a.appkey], ['access', 'DELETE', 401, '/chatrooms/{chatroom_id}', 'acme#chat']);
});
