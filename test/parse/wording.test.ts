import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fixture, run, byLine } from './helpers.js';

// Apps' own wordings of a failed call ("failed with 400:", "returned 404", "responded with",
// "got 503 (…)"), log4j2 JsonLayout, and Easemob 3.x bodies with an empty `error`.
const { events, p } = run(fixture('wording.log'));
const fields = (line: number): unknown[] => {
  const e = byLine(events, line);
  return [e.status, e.method, e.endpoint, e.error, e.errorDescription];
};

test('wording: one event per failed call; "returned 200 …" is a success', () => {
  assert.deepEqual(events.map((e) => e.line), [1, 2, 5, 6, 7]);
  assert.equal(p.stats.malformed, 0);
});

test('wording: log4j2 JsonLayout message "failed with 400: {body}"', () => {
  assert.deepEqual(fields(1), [400, 'POST', '/users', 'illegal_argument', 'username [Bob!] is not legal']);
  assert.equal(byLine(events, 1).ts, 1795746000123);
});

test('wording: 3.x body with an empty error keeps its description', () => {
  assert.deepEqual(fields(2), [400, 'PUT', '/metadata/chatroom/{chatroom_id}/user/{username}', null, 'exceed allowed batch size 10']);
});

test('wording: "responded with 403 Forbidden", "got 503 (Service Unavailable)"', () => {
  assert.deepEqual(fields(5), [403, 'DELETE', '/chatgroups/{group_id}/users/{username}', null, null]);
  assert.deepEqual(fields(6), [503, 'POST', '/messages/users', null, null]);
});

test('wording: Python logging "failed: 400 {body}"', () => {
  assert.deepEqual(fields(7), [400, 'POST', '/users', 'duplicate_unique_property_exists', 'Application null Entity user requires that property named username be unique, value of bob exists']);
});
