import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fixture, run } from './helpers.js';

// Kubernetes/Docker: every app line wrapped by the container runtime (Docker json-file, CRI).
const { events } = run(fixture('container.log'));

test('container: wrapped multi-line records are reassembled', () => {
  assert.deepEqual(events.map((e) => [e.line, e.parser, e.status, e.endpoint]), [
    [1, 'sdk1', 400, '/users'],
    [6, 'json', 403, '/chatgroups/{group_id}/users/{username}'],
    [7, 'client', null, null],
    [13, 'embedded', 429, '/messages/users'],
  ]);
});

test('container: fields and times through the wrappers', () => {
  const [sdk, json, py, cri] = events;
  assert.equal(sdk.errorDescription, 'username is not legal');
  assert.equal(sdk.raw.split('\n').length, 4);
  assert.ok(sdk.raw.startsWith('2026-11-27 10:40:00.100 ERROR'));
  assert.equal(new Date(sdk.ts).toISOString(), '2026-11-27T02:40:00.100Z');
  assert.equal(new Date(json.ts).toISOString(), '2026-11-27T02:40:02.000Z');
  assert.deepEqual([py.host, py.noResponse, py.exception], ['a1.easemob.com', { kind: 'timeout' }, 'requests.exceptions.ReadTimeout']);
  assert.equal(py.raw.split('\n').length, 5);
  assert.equal(new Date(cri.ts).toISOString(), '2026-11-27T02:40:05.000Z'); // from the CRI wrapper
  assert.equal(cri.tsFromLine, true);
});
