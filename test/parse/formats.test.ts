import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fixture, run } from './helpers.js';

// Text and JSON layouts of other common loggers: urllib3 debug, zap console, logrus, structlog
// console, Serilog compact JSON, logback JsonEncoder (throwable object), status as "401 Unauthorized".
const { events } = run(fixture('formats.log'));
const row = (n: number) => {
  const e = events.find((x) => x.line === n);
  assert.ok(e, `event at line ${n}`);
  return [e.method, e.endpoint, e.status, e.error, e.tsFromLine ? new Date(e.ts).toISOString() : null];
};

test('formats: every line is one event', () => {
  assert.deepEqual(events.map((e) => e.line), [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
});

test('formats: urllib3 debug line joins origin and request line', () => {
  assert.deepEqual(row(1), ['POST', '/users', 401, null, null]);
  assert.equal(events[0].host, 'a1.easemob.com');
});

test('formats: zap console (tab-separated, trailing JSON fields), logrus, structlog console', () => {
  assert.deepEqual(row(2), [null, '/messages/users', 429, null, '2026-11-27T02:15:30.123Z']);
  assert.deepEqual(row(3), ['DELETE', '/users/{username}', 401, null, '2026-11-27T02:15:30.000Z']);
  assert.deepEqual(row(4), [null, '/chatgroups/{group_id}/users/{username}', 403, null, '2026-11-27T02:15:30.000Z']);
});

test('formats: Serilog compact JSON, logback JsonEncoder throwable, "401 Unauthorized" status string', () => {
  assert.deepEqual(row(5), [null, '/users', 401, null, '2026-11-27T02:15:30.123Z']);
  assert.deepEqual(row(6), ['GET', '/users/{username}', 404, 'service_resource_not_found', '2026-11-27T02:15:30.123Z']);
  assert.equal(events[5].exception, 'org.apache.usergrid.services.exceptions.ServiceResourceNotFoundException');
  assert.deepEqual(row(7), [null, '/users', 401, null, '2026-11-27T02:15:30.000Z']);
});

test('formats: log4j2 JsonLayout (instant, thrown), Docker json-file with a plain-text log, GELF', () => {
  assert.deepEqual(row(8), ['GET', '/users/{username}', 401, 'unauthorized', '2026-11-27T02:15:30.123Z']);
  assert.deepEqual(row(9), ['GET', '/users/{username}', 404, null, '2026-11-27T02:15:31.000Z']);
  assert.deepEqual(row(10), [null, '/messages/users', 429, null, '2026-11-27T02:15:32.500Z']);
});
