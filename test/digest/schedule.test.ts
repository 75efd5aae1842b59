import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dueAt, latestDueDate, planNext } from '../../src/digest/schedule.js';
import { buckets, makePeriod, previousPeriod } from '../../src/digest/period.js';

const iso = (ms: number) => new Date(ms).toISOString();
const NY = 'America/New_York';

test('due time is the next local day at digest.at, in the configured zone', () => {
  assert.equal(iso(dueAt('2026-11-27', '09:00', 'Asia/Shanghai')), '2026-11-28T01:00:00.000Z');
  assert.equal(iso(dueAt('2026-11-27', '09:00', 'UTC')), '2026-11-28T09:00:00.000Z');
  assert.equal(latestDueDate(Date.parse('2026-11-28T00:59:59Z'), '09:00', 'Asia/Shanghai'), '2026-11-26');
  assert.equal(latestDueDate(Date.parse('2026-11-28T01:00:00Z'), '09:00', 'Asia/Shanghai'), '2026-11-27');
});

test('spring forward: a send time inside the skipped hour fires once, an hour later on the wall clock', () => {
  // 2026-03-08 02:30 does not exist in New York (02:00 EST → 03:00 EDT).
  assert.equal(iso(dueAt('2026-03-07', '02:30', NY)), '2026-03-08T07:30:00.000Z');
  assert.equal(latestDueDate(Date.parse('2026-03-08T07:29:00Z'), '02:30', NY), '2026-03-06');
  assert.equal(latestDueDate(Date.parse('2026-03-08T07:30:00Z'), '02:30', NY), '2026-03-07');
  // The next day is back to 02:30 EDT, 23 hours later.
  assert.equal(iso(dueAt('2026-03-08', '02:30', NY)), '2026-03-09T06:30:00.000Z');
});

test('fall back: a send time that occurs twice resolves to one instant, so one digest', () => {
  const due = dueAt('2026-10-31', '01:30', NY);
  assert.ok(due === Date.parse('2026-11-01T05:30:00Z') || due === Date.parse('2026-11-01T06:30:00Z'), iso(due));
  // Across both wall-clock 01:30s, the plan moves from "nothing" to "send 10-31" exactly once.
  const plans = ['2026-11-01T05:00:00Z', '2026-11-01T05:31:00Z', '2026-11-01T06:31:00Z', '2026-11-01T07:00:00Z'].map((t) =>
    latestDueDate(Date.parse(t), '01:30', NY),
  );
  const changes = plans.filter((d, i) => i > 0 && d !== plans[i - 1]).length;
  assert.equal(changes, 1, plans.join(' '));
  assert.equal(plans[3], '2026-10-31');
});

test('a period is the local calendar day: 23 and 25 hours on DST days, with matching hourly buckets', () => {
  const spring = makePeriod('2026-03-08', '2026-03-08', NY);
  assert.equal((spring.end - spring.start) / 3_600_000, 23);
  const sb = buckets(spring);
  assert.equal(sb.unit, 'hour');
  assert.equal(sb.buckets.length, 23);
  assert.ok(!sb.buckets.some((b) => b.label === '02'), 'the skipped hour has no bar');

  const fall = makePeriod('2026-11-01', '2026-11-01', NY);
  assert.equal((fall.end - fall.start) / 3_600_000, 25);
  const fb = buckets(fall);
  assert.equal(fb.buckets.length, 25);
  assert.equal(fb.buckets.filter((b) => b.label === '01').length, 2, 'the repeated hour shows twice');

  const prev = previousPeriod(makePeriod('2026-03-09', '2026-03-09', NY));
  assert.equal(prev.key, '2026-03-08');
  assert.equal(prev.end, makePeriod('2026-03-09', '2026-03-09', NY).start, 'periods tile without gaps');

  const week = makePeriod('2026-11-21', '2026-11-27', 'Asia/Shanghai');
  assert.equal(week.days, 7);
  assert.equal(buckets(week).unit, 'day');
  assert.equal(buckets(week).buckets.length, 7);
});

test('planNext: baseline on first start, nothing twice, one capped catch-up after downtime', () => {
  const at = '09:00';
  const tz = 'UTC';
  const t = (s: string) => Date.parse(s);
  assert.deepEqual(planNext(null, t('2026-11-28T10:00:00Z'), at, tz, 7), { kind: 'baseline', date: '2026-11-27' });
  assert.deepEqual(planNext('2026-11-27', t('2026-11-28T23:00:00Z'), at, tz, 7), { kind: 'none' });
  assert.deepEqual(planNext('2026-11-27', t('2026-11-29T09:00:00Z'), at, tz, 7), {
    kind: 'send',
    plan: { fromDate: '2026-11-28', toDate: '2026-11-28', droppedDays: 0 },
  });
  assert.deepEqual(planNext('2026-11-24', t('2026-11-28T09:30:00Z'), at, tz, 7), {
    kind: 'send',
    plan: { fromDate: '2026-11-25', toDate: '2026-11-27', droppedDays: 0 },
  });
  assert.deepEqual(planNext('2026-11-01', t('2026-11-28T09:30:00Z'), at, tz, 7), {
    kind: 'send',
    plan: { fromDate: '2026-11-21', toDate: '2026-11-27', droppedDays: 19 },
  });
});
