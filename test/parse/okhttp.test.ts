import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fixture, run, byLine } from './helpers.js';

// OkHttp HttpLoggingInterceptor (Level.BODY) through Spring Boot's layout and Android logcat:
// `<-- 429 url (48ms)`, header records, the body record, `<-- END HTTP`.
const { events, p } = run(fixture('okhttp.log'));

test('okhttp: one event per failed response, the body joins it', () => {
  assert.deepEqual(events.map((e) => e.line), [4, 13, 16]);
  assert.equal(p.stats.malformed, 0);
});

test('okhttp: HTTP/2 status line without reason; thread name `OkHttp https://host/...` is not the URL', () => {
  const e = byLine(events, 4);
  assert.deepEqual([e.status, e.url, e.endpoint, e.appkey, e.error, e.errorDescription, e.exception],
    [429, 'https://a1.easemob.com/acme/chat/messages/users', '/messages/users', 'acme#chat', 'reach_limit', 'This request has reached api limit', 'EasemobServiceException']);
  assert.equal(e.raw.split('\n').length, 5);
});

test('okhttp: logcat lines; another response line ends the one before', () => {
  const e = byLine(events, 13);
  assert.deepEqual([e.status, e.endpoint, e.error], [404, '/users/{username}', 'service_resource_not_found']);
  assert.equal(e.raw.split('\n').length, 3);
  const f = byLine(events, 16);
  assert.deepEqual([f.status, f.endpoint, f.error], [401, '/users/{username}', null]);
});
