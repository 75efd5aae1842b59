import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fixture, run, view, byLine } from './helpers.js';

const { events } = run(fixture('access.log'));

test('access: only 4xx/5xx on Easemob paths or hosts', () => {
  assert.deepEqual(events.map((e) => e.line), [1, 2, 3, 6, 7]);
});

test('access: nginx combined + upstream fields naming the Easemob host', () => {
  assert.deepEqual(view(byLine(events, 1)), {
    ts: '2026-11-27T02:17:00.000Z', tsFromLine: true, line: 1, method: 'POST', url: '/acme/chat/messages/users',
    endpoint: '/messages/users', appkey: 'acme#chat', host: 'a1.easemob.com', status: 429, error: null,
    errorDescription: null, exception: null, parser: 'access',
  });
});

test('access: GET and DELETE of one user map to /users/{username} (rows E31/E32)', () => {
  const g = byLine(events, 2);
  const d = byLine(events, 3);
  assert.deepEqual([g.method, g.endpoint, g.status, g.host], ['GET', '/users/{username}', 404, null]);
  assert.deepEqual([d.method, d.endpoint, d.status], ['DELETE', '/users/{username}', 404]);
  assert.equal(view(d).ts, '2026-11-27T02:17:02.000Z'); // common format, no referer/UA
});

test('access: proxy_host names Easemob even though the path is the app\'s own', () => {
  const e = byLine(events, 6);
  assert.equal(e.host, 'a61.easemob.com');
  assert.equal(e.status, 502);
  assert.equal(e.endpoint, '/v1/notify');
});

test('access: absolute-form request target', () => {
  const e = byLine(events, 7);
  assert.equal(e.host, 'a1.easemob.com');
  assert.equal(e.endpoint, '/users/{username}/password');
  assert.equal(e.method, 'PUT');
});

test('access: the app\'s own inbound 500 on /api/v1/... and a final 200 after an upstream retry give nothing', () => {
  assert.equal(events.some((e) => e.line === 4 || e.line === 5), false);
});
