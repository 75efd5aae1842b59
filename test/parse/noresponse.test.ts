import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fixture, run, byLine } from './helpers.js';

// Calls that got no response, as PHP (Guzzle/cURL) and Go net/http write them.
const { events, p } = run(fixture('noresponse.log'));
const fields = (line: number): unknown[] => {
  const e = byLine(events, line);
  return [e.status, e.endpoint, e.host, e.exception, e.noResponse];
};

test('noresponse: one event per call', () => {
  assert.deepEqual(events.map((e) => e.line), [1, 2, 3, 4, 5]);
  assert.equal(p.stats.malformed, 0);
});

test('noresponse: Guzzle cURL errors 28 / 6 / 52 (the curl docs URL is not the call)', () => {
  assert.deepEqual(fields(1), [null, '/users', 'a1.easemob.com', 'GuzzleHttp\\Exception\\ConnectException', { kind: 'timeout' }]);
  assert.deepEqual(fields(2), [null, '/token', 'a1.easemob.com', null, { kind: 'dns' }]);
  assert.deepEqual(fields(3), [null, '/messages/users', 'a1.easemob.com', null, { kind: 'reset' }]);
});

test('noresponse: Go TLS failures', () => {
  assert.deepEqual(fields(4), [null, '/messages/users', 'a1.easemob.com', null, { kind: 'other' }]);
  assert.deepEqual(fields(5), [null, '/users', 'a1.easemob.com', null, { kind: 'timeout' }]);
});
