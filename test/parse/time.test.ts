import { test } from 'node:test';
import assert from 'node:assert/strict';
import { timeFromText, timeFromValue } from '../../src/parse/time.js';
import { run, NOW, READ_TIME } from './helpers.js';

const iso = (t: number | null) => (t === null ? null : new Date(t).toISOString());

test('time: text formats, zone-less read in the configured zone', () => {
  const tz = 'Asia/Shanghai';
  assert.equal(iso(timeFromText('2026-11-27 10:15:30.123 ERROR x', tz, NOW)), '2026-11-27T02:15:30.123Z'); // logback
  assert.equal(iso(timeFromText('2026-11-27 10:15:30,123 ERROR x', tz, NOW)), '2026-11-27T02:15:30.123Z'); // log4j/Python
  assert.equal(iso(timeFromText('2026-11-27T10:15:30.123456789+08:00 x', tz, NOW)), '2026-11-27T02:15:30.123Z');
  assert.equal(iso(timeFromText('2026-11-27T02:15:30Z stdout F x', tz, NOW)), '2026-11-27T02:15:30.000Z'); // CRI
  assert.equal(iso(timeFromText('2026-11-27 10:15:30 -0500 x', tz, NOW)), '2026-11-27T15:15:30.000Z');
  assert.equal(iso(timeFromText('1.2.3.4 - - [27/Nov/2026:10:15:30 +0800] "GET / HTTP/1.1" 200 1', tz, NOW)), '2026-11-27T02:15:30.000Z'); // nginx
  assert.equal(iso(timeFromText('Nov 27 10:15:30 host app[1]: x', tz, NOW)), '2026-11-27T02:15:30.000Z'); // syslog
  assert.equal(iso(timeFromText('2026/11/27 10:15:30 x', tz, NOW)), '2026-11-27T02:15:30.000Z'); // Go log
  assert.equal(timeFromText('no time here', tz, NOW), null);
});

test('time: DST-safe zone-less times (America/New_York, Europe/Berlin)', () => {
  assert.equal(iso(timeFromText('2026-07-01 12:00:00', 'America/New_York', NOW)), '2026-07-01T16:00:00.000Z'); // EDT
  assert.equal(iso(timeFromText('2026-12-01 12:00:00', 'America/New_York', NOW)), '2026-12-01T17:00:00.000Z'); // EST
  assert.equal(iso(timeFromText('2026-03-29 01:59:59', 'Europe/Berlin', NOW)), '2026-03-29T00:59:59.000Z');
  assert.equal(iso(timeFromText('2026-03-29 03:00:00', 'Europe/Berlin', NOW)), '2026-03-29T01:00:00.000Z');
});

test('time: JSON values — epoch ms, epoch s with fraction, ISO strings', () => {
  assert.equal(iso(timeFromValue(1795745730123, 'UTC', NOW)), '2026-11-27T02:15:30.123Z');
  assert.equal(iso(timeFromValue(1795745730.5, 'UTC', NOW)), '2026-11-27T02:15:30.500Z');
  assert.equal(iso(timeFromValue('1795745730123', 'UTC', NOW)), '2026-11-27T02:15:30.123Z');
  assert.equal(iso(timeFromValue('2026-11-27 10:15:30', 'Asia/Shanghai', NOW)), '2026-11-27T02:15:30.000Z');
  assert.equal(timeFromValue(42, 'UTC', NOW), null);
});

test('time: more than 24 h in the future is replaced by read time and counted; old times are kept', () => {
  const line = (ts: string) => `${ts} ERROR [main] c.a.Im - POST https://a1.easemob.com/acme/chat/users -> 401 Unauthorized`;
  const { events, p } = run([
    line('2025-06-01 10:00:00.000'), line('2026-11-25 10:00:00.000'), line('2026-11-27 09:00:00.000'), line('2026-11-29 10:00:00.000'),
  ]);
  assert.equal(events.length, 4);
  assert.deepEqual(events.map((e) => e.tsFromLine), [true, true, true, false]);
  assert.equal(iso(events[0].ts), '2025-06-01T02:00:00.000Z');
  assert.equal(iso(events[1].ts), '2026-11-25T02:00:00.000Z');
  assert.equal(iso(events[2].ts), '2026-11-27T01:00:00.000Z');
  assert.equal(events[3].ts, READ_TIME);
  assert.equal(p.stats.clockSkew, 1);
});

test('time: a line without a time uses read time; the exception takes the time of its record\'s logger line', () => {
  const { events } = run([
    'POST https://a1.easemob.com/acme/chat/users failed: status=500',
    '2026-11-27 09:30:00.000 WARN [main] c.a.Im - register failed',
    'com.easemob.im.server.exception.EMInternalServerErrorException: POST /acme/chat/users -> 500 Internal Server Error, ',
    ' error_description -> null',
  ]);
  assert.deepEqual(events.map((e) => [e.line, e.tsFromLine, iso(e.ts), e.status]), [
    [1, false, iso(READ_TIME), 500],
    [2, true, '2026-11-27T01:30:00.000Z', 500],
  ]);
  assert.equal(events[1].errorDescription, null);
});
