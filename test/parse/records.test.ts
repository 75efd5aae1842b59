import { test } from 'node:test';
import assert from 'node:assert/strict';
import { run } from './helpers.js';

// Record assembly and ties between records (src/parse/records.ts, src/parse/index.ts).

test('records: a middleware request record and the app failure quoting its request id are one attempt, one event', () => {
  const { events } = run([
    'I, [2026-11-27T10:00:00.000001 #7]  INFO -- request: POST https://a1.easemob.com/acme/chat/messages X-Request-Id: "req-7f3a9c"',
    'I, [2026-11-27T10:00:00.100000 #7]  INFO -- : heartbeat',
    'E, [2026-11-27T10:00:00.200000 #7] ERROR -- : send failed [req-7f3a9c]: Faraday::ServerError: the server responded with status 503',
    'E, [2026-11-27T10:00:00.300000 #7] ERROR -- : send failed [req-other]: Faraday::ServerError: the server responded with status 502',
  ]);
  assert.deepEqual(events.map((e) => [e.line, e.status, e.method, e.endpoint]), [[3, 503, 'POST', '/messages']]);
});

test('records: header-less lines after a stamped record belong to it (Monolog with inline line breaks)', () => {
  const { events } = run([
    '[2026-11-27 10:00:00] production.ERROR: >>>>>>>>',
    'POST /acme/chat/users HTTP/1.1',
    'Host: a1.easemob.com',
    '',
    '{"username":"bob"}',
    '<<<<<<<<',
    'HTTP/1.1 503 Service Unavailable',
    'content-type: text/html',
    '[2026-11-27 10:00:01] production.INFO: next',
  ]);
  assert.deepEqual(events.map((e) => [e.line, e.status, e.method, e.endpoint]), [[1, 503, 'POST', '/users']]);
  assert.ok(events[0].raw.includes('HTTP/1.1 503'));
});

test('records: a body pretty-printed after its status line, an HTML page and the rest of the message are one record', () => {
  const { events } = run([
    '2026-11-27T02:00:00.000Z ERROR [im] get room failed: GET https://a1.easemob.com/acme/chat/chatrooms/9 -> 404 Not Found',
    '{',
    '  "error": "service_resource_not_found",',
    '  "error_description": "Service resource not found"',
    '}',
    '2026-11-27T02:00:01.000Z WARN [im] add member failed: POST https://a1.easemob.com/acme/chat/chatgroups/1/users/bob -> 429 <html>',
    '<head><title>429 Too Many Requests</title></head>',
    '</html>',
    '; retrying in 20ms (attempt 1/3)',
    '2026-11-27T02:00:02.000Z INFO [im] ok',
  ]);
  assert.deepEqual(events.map((e) => [e.line, e.status, e.error]), [[1, 404, 'service_resource_not_found'], [6, 429, null]]);
});
