import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FakeSlack, ev, harness, header, run } from '../notify/helpers.js';
import { inWindow, parseMatcher } from '../../src/incidents/silences.js';
import { Lifecycle, LifecycleError } from '../../src/incidents/lifecycle.js';
import type { MaintenanceWindow } from '../../src/config/schema.js';

const S = 1000;
const M = 60_000;
const H = 3_600_000;

test('a silence holds pages but the incident is still counted; after it ends, it pages', async () => {
  const slack = await new FakeSlack().start();
  const h = harness({ slack });
  h.silences.add({ matchers: [parseMatcher('ref=E37'), parseMatcher('endpoint=/messages*')], startsAt: h.now(), endsAt: h.now() + 2 * H, comment: 'bulk import' }, h.now());
  for (let i = 0; i < 10; i++) {
    h.record([ev(h.now())]);
    await run(h, 5 * M, M);
  }
  assert.equal(slack.received.length, 0);
  assert.equal(h.incidents.get(1)!.count, 10, 'still counted');
  // Another endpoint is not matched by the silence.
  h.record([ev(h.now(), { endpoint: '/users' })]);
  await run(h, 20 * S);
  assert.equal(slack.received.length, 1);
  assert.match(header(slack.received[0]), /#2/);
  // The silence ends while #1 is still firing: it pages then.
  await run(h, 75 * M, M);
  h.record([ev(h.now())]);
  await run(h, 20 * S);
  assert.ok(slack.received.some((r) => /ERROR #1/.test(header(r))));
});

test('silence expire ends it early', async () => {
  const slack = await new FakeSlack().start();
  const h = harness({ slack });
  const s = h.silences.add({ matchers: [parseMatcher('appkey=acme#chat')], startsAt: h.now(), endsAt: h.now() + 2 * H }, h.now());
  h.record([ev(h.now())]);
  await run(h, 20 * S);
  assert.equal(slack.received.length, 0);
  assert.equal(h.silences.expire(s.id, h.now()), true);
  assert.equal(h.silences.expire(s.id, h.now()), false);
  await run(h, 2 * S);
  assert.equal(slack.received.length, 1);
  assert.throws(() => parseMatcher('colour=red'), /NAME one of/);
});

test('matchers: exact, VALUE* prefix, and endpoint paths below the one named', async () => {
  const { matchesAll } = await import('../../src/incidents/silences.js');
  const slack = await new FakeSlack().start();
  const h = harness({ slack });
  h.record([ev(h.now(), { endpoint: '/messages/users' })]);
  const inc = h.incidents.get(1)!;
  const m = (...xs: string[]) => matchesAll(inc, xs.map(parseMatcher));
  assert.equal(m('endpoint=/messages'), true);
  assert.equal(m('endpoint=/messages/users'), true);
  assert.equal(m('endpoint=/mess'), false, 'only whole path segments');
  assert.equal(m('endpoint=/mess*'), true);
  assert.equal(m('ref=E37', 'appkey=acme#chat', 'id=1'), true);
  assert.equal(m('ref=E37', 'appkey=other#app'), false, 'all must hold');
  assert.equal(m('host=a1.easemob.com', 'severity=error', 'category=rate_limit'), true);
});

const nightly: MaintenanceWindow = { name: 'nightly', timezone: 'Europe/Berlin', start: '01:00', end: '03:00', match: { appkey: 'acme#chat' } };

test('maintenance window in its own timezone, both sides of a DST change', () => {
  // 2026-03-29: Berlin goes 02:00 CET → 03:00 CEST. 2026-10-25: 03:00 CEST → 02:00 CET.
  const at = (iso: string) => Date.parse(iso);
  // Winter (UTC+1): 01:30 local = 00:30Z inside; 03:30 local = 02:30Z outside.
  assert.equal(inWindow(nightly, at('2026-01-15T00:30:00Z')), true);
  assert.equal(inWindow(nightly, at('2026-01-15T02:30:00Z')), false);
  // Summer (UTC+2): the same local hours are an hour earlier in UTC.
  assert.equal(inWindow(nightly, at('2026-07-15T23:30:00Z')), true); // 01:30 local on the 16th
  assert.equal(inWindow(nightly, at('2026-07-16T01:30:00Z')), false); // 03:30 local
  // Spring-forward night: 00:59Z = 01:59 CET inside, 01:00Z = 03:00 CEST outside (the window is an hour short).
  assert.equal(inWindow(nightly, at('2026-03-29T00:59:00Z')), true);
  assert.equal(inWindow(nightly, at('2026-03-29T01:00:00Z')), false);
  // Fall-back night: 02:30 local happens twice; both are inside (the window is an hour long-er).
  assert.equal(inWindow(nightly, at('2026-10-25T00:30:00Z')), true); // 02:30 CEST
  assert.equal(inWindow(nightly, at('2026-10-25T01:30:00Z')), true); // 02:30 CET
  assert.equal(inWindow(nightly, at('2026-10-25T02:00:00Z')), false); // 03:00 CET
  // Past midnight, on given days only: Fri 22:00 → Sat 02:00 Shanghai.
  const weekend: MaintenanceWindow = { name: 'w', timezone: 'Asia/Shanghai', days: ['fri'], start: '22:00', end: '02:00', match: {} };
  assert.equal(inWindow(weekend, at('2026-11-27T17:00:00Z')), true); // Sat 01:00 local, started Fri
  assert.equal(inWindow(weekend, at('2026-11-28T17:00:00Z')), false); // Sun 01:00 local, started Sat
  assert.equal(inWindow(weekend, at('2026-11-27T13:30:00Z')), false); // Fri 21:30 local
});

test('a maintenance window holds pages only while it is open and only for what it matches', async () => {
  const slack = await new FakeSlack().start();
  const h = harness({ slack, maintenance: [nightly], start: Date.parse('2026-01-15T00:10:00Z') }); // 01:10 Berlin
  h.record([ev(h.now())]);
  h.record([ev(h.now(), { appkey: 'other#app' })]);
  await run(h, 20 * S);
  assert.deepEqual(slack.received.map((r) => header(r).match(/#\d+/)![0]), ['#2']);
  await run(h, 110 * M, M); // past 03:00 local; #1 still firing? it resolved quietly (30 min) without a page
  assert.equal(h.incidents.get(1)!.state, 'resolved');
  assert.equal(slack.received.filter((r) => /#1 /.test(header(r))).length, 0, 'a resolved notice needs a firing page first');
});

test('escalation by threshold: more than 50 reach_limit in 5 min → critical, paged at once', async () => {
  const slack = await new FakeSlack().start();
  const h = harness({ slack });
  const esc = { escalate: { threshold: 50, windowMs: 5 * M, to: 'critical' as const } };
  h.record(Array.from({ length: 10 }, () => ev(h.now(), {}, esc)));
  await run(h, 15 * S);
  assert.equal(slack.received.length, 1);
  assert.match(header(slack.received[0]), /ERROR #1/);
  for (let i = 0; i < 4; i++) {
    h.record(Array.from({ length: 10 }, () => ev(h.now(), {}, esc)));
    await run(h, 10 * S);
  }
  assert.equal(h.incidents.get(1)!.severity, 'error', '50 is not more than 50');
  h.record([ev(h.now(), {}, esc)]);
  await h.settle();
  const inc = h.incidents.get(1)!;
  assert.equal(inc.severity, 'critical');
  assert.equal(inc.base_severity, 'error');
  assert.equal(slack.received.length, 2, 'paged without waiting for group_interval');
  assert.match(header(slack.received[1]), /ESCALATED: CRITICAL #1/);
  assert.match(JSON.stringify(slack.received[1].body), /51 events in 300s &gt; 50/);
});

test('a spike against the incident’s own recent rate pages', async () => {
  const slack = await new FakeSlack().start();
  const h = harness({ slack, resolveAfterMs: 4 * H });
  const esc = { escalate: { spikeFactor: 5, windowMs: 5 * M } };
  // A steady 2 per 5 min for half an hour…
  for (let i = 0; i < 6; i++) {
    h.record([ev(h.now(), {}, esc), ev(h.now() + 1, {}, esc)]);
    await run(h, 5 * M, M);
  }
  const before = slack.received.length;
  // …then 40 in a minute.
  h.record(Array.from({ length: 40 }, (_, i) => ev(h.now() + i, {}, esc)));
  await h.settle();
  assert.equal(slack.received.length, before + 1);
  assert.match(header(slack.received.at(-1)!), /ESCALATED: ERROR #1/);
  assert.match(JSON.stringify(slack.received.at(-1)!.body), /spike: 40 events/);
  // One spike page per window.
  h.advance(S);
  h.record(Array.from({ length: 40 }, (_, i) => ev(h.now() + i, {}, esc)));
  await h.settle();
  assert.equal(slack.received.length, before + 1);
});

test('ack and manual resolve; per-category resolve_after', async () => {
  const slack = await new FakeSlack().start();
  const h = harness({ slack });
  h.incidents.configure({ resolveAfterByCategory: { auth: 2 * H } });
  h.record([ev(h.now(), { endpoint: '/a' }, { category: 'auth' })]);
  h.record([ev(h.now(), { endpoint: '/b' }, { resolveAfterMs: 5 * M, category: 'auth' })]);
  assert.equal(h.incidents.get(1)!.resolve_after_ms, 2 * H);
  assert.equal(h.incidents.get(2)!.resolve_after_ms, 5 * M, 'the rule wins over the category');
  const lc = new Lifecycle(h.db);
  assert.equal(lc.acknowledge(1, 'alice', h.now()).state, 'acknowledged');
  h.record([ev(h.now(), { endpoint: '/a' }, { category: 'auth' })]);
  assert.equal(h.incidents.get(1)!.state, 'acknowledged', 'new events keep the ack');
  await run(h, 40 * M, M);
  assert.equal(h.incidents.get(1)!.state, 'acknowledged');
  assert.equal(h.incidents.get(2)!.state, 'resolved');
  assert.equal(lc.resolve(1, 'bob', h.now()).resolved_by, 'manual:bob');
  assert.throws(() => lc.acknowledge(1, null, h.now()), LifecycleError);
  assert.throws(() => lc.acknowledge(99, null, h.now()), /no incident #99/);
  await h.settle();
  assert.match(header(slack.received.at(-1)!), /Resolved: ERROR #1/);
  assert.match(JSON.stringify(slack.received.at(-1)!.body), /by an operator/);
});
