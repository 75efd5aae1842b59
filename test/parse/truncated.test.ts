import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fixture, run, byLine } from './helpers.js';

// Error bodies cut short: Guzzle's 120-char summary (` (truncated...)`), loggers' length caps.
// error / error_description are salvaged from what is left; nothing after the marker is read.
const { events, p } = run(fixture('truncated.log'));
const fields = (line: number): unknown[] => {
  const e = byLine(events, line);
  return [e.status, e.method, e.endpoint, e.appkey, e.error, e.errorDescription, e.exception];
};

test('truncated: one event per failed call, the 200 is not one', () => {
  assert.deepEqual(events.map((e) => e.line), [1, 2, 3, 4, 5, 7]);
  assert.equal(p.stats.malformed, 0);
});

test('truncated: Monolog context with an escaped Guzzle summary stops at "(truncated...)"', () => {
  assert.deepEqual(fields(1), [401, 'GET', '/users/{username}', 'acme#chat', 'unauthorized', 'Unable', 'EasemobSecurityException']);
});

test('truncated: Guzzle summary cut inside error_description keeps its start', () => {
  assert.deepEqual(fields(2), [400, 'POST', '/token', 'acme#chat', 'invalid_grant', 'invalid username or password, please check them and make sure this', null]);
});

test('truncated: JSON record whose body string ends "... (truncated)"', () => {
  assert.deepEqual(fields(3), [401, null, '/users', 'acme#chat', 'unauthorized', 'Unable to authenticate due to ex', null]);
});

test('truncated: line cut by a length cap (with and without an ellipsis)', () => {
  assert.deepEqual(fields(4), [429, 'POST', '/messages/users', 'acme#chat', 'reach_limit', 'This request has reached api li', 'EasemobServiceException']);
  // The error code itself cut: no error is guessed from half a code.
  assert.deepEqual(fields(5), [400, 'POST', '/users', 'acme#chat', null, null, null]);
});

test("truncated: Feign's 400-char body preview ending '... (N bytes)'", () => {
  assert.deepEqual(fields(7), [429, 'POST', '/messages/users', 'acme#chat', 'reach_limit', 'This request has reached a', 'EasemobServiceException']);
});
