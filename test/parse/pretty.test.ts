import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fixture, run, view } from './helpers.js';

// Console formats for humans: pino-pretty (multi-line indented JSON, time of day only) and
// winston colorize (ANSI escapes around the level).
const { events } = run(fixture('pretty.log'));

test('pretty: pino-pretty multi-line error and a colourised winston line', () => {
  assert.deepEqual(events.map((e) => e.line), [1, 20]);
  assert.deepEqual(view(events[0]), {
    ts: '2026-11-27T02:15:30.123Z', tsFromLine: true, line: 1, method: 'GET', url: 'https://a1.easemob.com/acme/chat/users/bob',
    endpoint: '/users/{username}', appkey: 'acme#chat', host: 'a1.easemob.com', status: 401, error: 'unauthorized',
    errorDescription: 'Unable to authenticate due to expired access token', exception: 'EasemobSecurityException', parser: 'embedded',
  });
  assert.equal(events[0].raw.split('\n').length, 18);
  assert.deepEqual([events[1].status, events[1].method, events[1].endpoint, view(events[1]).ts], [429, 'POST', '/messages/users', '2026-11-27T02:15:32.000Z']);
  assert.ok(!events[1].raw.includes('\u001b'));
});
