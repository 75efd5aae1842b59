import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FakeSlack, ev, harness, header, run } from './helpers.js';
import { Lifecycle } from '../../src/incidents/lifecycle.js';

const S = 1000;
const M = 60_000;

test('group_wait gathers a burst into one message', async () => {
  const slack = await new FakeSlack().start();
  const h = harness({ slack });
  for (let i = 0; i < 5; i++) {
    h.record([ev(h.now()), ev(h.now())]);
    await run(h, 1 * S);
  }
  assert.equal(slack.received.length, 0, 'nothing before group_wait');
  await run(h, 6 * S);
  assert.equal(slack.received.length, 1);
  const [msg] = slack.received;
  assert.match(header(msg), /ERROR #1 Rate limit reached/);
  assert.match(JSON.stringify(msg.body), /\*Count\*\\n10 /, 'the message counts the whole burst');
  assert.ok(msg.at - Date.UTC(2026, 10, 28, 12) >= 10 * S);
  await run(h, 60 * S);
  assert.equal(slack.received.length, 1, 'no update inside group_interval');
});

test('a 100,000-event storm of one incident: one message, then updates no closer than group_interval', async () => {
  const slack = await new FakeSlack().start();
  const h = harness({ slack });
  const start = h.now();
  // 100 batches of 1,000 events, one every 12 s: 20 minutes of storm.
  for (let b = 0; b < 100; b++) {
    h.record(Array.from({ length: 1000 }, (_, i) => ev(h.now() + i)));
    await run(h, 12 * S, 3 * S);
  }
  await run(h, 10 * M, 30 * S);
  const inc = h.incidents.get(1)!;
  assert.equal(inc.count, 100_000);
  assert.equal(h.incidents.list().length, 1);
  const kinds = slack.received.map((r) => header(r));
  assert.ok(kinds.length >= 2 && kinds.length <= 5, `${kinds.length} messages: ${kinds.join(' | ')}`);
  assert.doesNotMatch(kinds[0], /Update/);
  for (const k of kinds.slice(1)) assert.match(k, /Update: ERROR #1/);
  assert.ok(slack.received[0].at - start >= 10 * S && slack.received[0].at - start < 13 * S);
  for (let i = 1; i < slack.received.length; i++) {
    assert.ok(slack.received[i].at - slack.received[i - 1].at >= 5 * M, 'updates respect group_interval');
  }
  // Exactly: first page (1,000), update at 5 min (≥2,000), update at 10 min (≥2× that); later growth is under 2×.
  assert.equal(kinds.length, 3);
});

test('a reminder goes out at repeat_interval while it is still firing; acknowledging stops it', async () => {
  const slack = await new FakeSlack().start();
  // A config problem: quiet for long stretches but not over, so a long resolve_after.
  const h = harness({ slack, resolveAfterMs: 10 * 3_600_000 });
  h.record([ev(h.now(), {}, { category: 'auth', ref: 'E01', title: 'Invalid token' })]);
  await run(h, 20 * S);
  assert.equal(slack.received.length, 1);
  await run(h, 4 * 3_600_000 - 60 * S, M);
  assert.equal(slack.received.length, 1, 'nothing before repeat_interval');
  await run(h, 2 * M, M);
  assert.equal(slack.received.length, 2);
  assert.match(header(slack.received[1]), /Still firing: ERROR #1/);
  new Lifecycle(h.db).acknowledge(1, 'alice', h.now());
  await run(h, 5 * 3_600_000, 5 * M);
  assert.equal(slack.received.length, 3, 'acknowledged: one note, then no more reminders');
  assert.match(header(slack.received[2]), /^:eyes: Acknowledged: ERROR #1/);
  assert.match(JSON.stringify(slack.received[2].body), /Acknowledged\* by `alice`/);
});

test('auto-resolve after the quiet period sends a resolved notice; a new event reopens it as a regression', async () => {
  const slack = await new FakeSlack().start();
  const h = harness({ slack });
  h.record([ev(h.now())]);
  await run(h, 15 * S);
  assert.equal(slack.received.length, 1);
  await run(h, 29 * M, M);
  assert.equal(h.incidents.get(1)!.state, 'firing', 'not yet quiet for 30 min');
  await run(h, 2 * M, 10 * S);
  assert.equal(h.incidents.get(1)!.state, 'resolved');
  assert.equal(h.incidents.get(1)!.resolved_by, 'auto');
  assert.equal(slack.received.length, 2);
  assert.match(header(slack.received[1]), /Resolved: ERROR #1/);
  assert.match(slack.received[1].body.text, /^RESOLVED #1/);

  h.record([ev(h.now())]);
  const inc = h.incidents.get(1)!;
  assert.equal(inc.state, 'firing');
  assert.equal(inc.epoch, 1);
  assert.equal(inc.regressions, 1);
  await run(h, 15 * S);
  assert.equal(slack.received.length, 3);
  assert.match(header(slack.received[2]), /REGRESSION: ERROR #1/);
  assert.match(JSON.stringify(slack.received[2].body), /Regression/);
  assert.equal(h.incidents.list().length, 1, 'same incident, not a new one');
});

test('resolved notices: off for warning by default, and a rule can turn them off', async () => {
  const slack = await new FakeSlack().start();
  const h = harness({ slack, policy: { minSeverity: 'warning' } });
  h.record([ev(h.now(), { endpoint: '/a' }, { severity: 'warning' })]);
  h.record([ev(h.now(), { endpoint: '/b' }, { notifyResolved: false })]);
  h.record([ev(h.now(), { endpoint: '/c' }, { severity: 'critical' })]);
  await run(h, 20 * S);
  assert.equal(slack.received.length, 3);
  await run(h, 35 * M, M);
  const resolved = slack.received.slice(3).map(header);
  assert.deepEqual(resolved.length, 1, resolved.join('|'));
  assert.match(resolved[0], /Resolved: CRITICAL #3/);
  assert.equal(h.dispatcher.tick().length, 0, 'closed incidents are no longer candidates');
});

test('below min_severity: counted, never paged', async () => {
  const slack = await new FakeSlack().start();
  const h = harness({ slack });
  h.record([ev(h.now(), {}, { severity: 'warning' })]);
  await run(h, 40 * M, M);
  assert.equal(slack.received.length, 0);
  assert.equal(h.incidents.get(1)!.count, 1);
});

test('flapping: after 3 reopenings in an hour, flips stop paging until it settles', async () => {
  const slack = await new FakeSlack().start();
  const h = harness({ slack, resolveAfterMs: 2 * M });
  h.record([ev(h.now())]);
  await run(h, 15 * S);
  for (let i = 0; i < 6; i++) {
    await run(h, 3 * M, 15 * S); // resolves
    h.record([ev(h.now())]); // and comes back
    await run(h, 15 * S);
  }
  const heads = slack.received.map(header);
  // firing, resolved, regression, resolved, regression, resolved, regression(flapping) — then quiet.
  assert.equal(heads.filter((x) => /REGRESSION/.test(x)).length, 3, heads.join('\n'));
  assert.match(JSON.stringify(slack.received.at(-1)!.body), /Flapping/);
  const before = slack.received.length;
  assert.equal(before, 7, heads.join('\n'));
  // Settles: stays resolved past the flap window → one resolved notice.
  await run(h, 70 * M, M);
  assert.equal(slack.received.length, before + 1);
  assert.match(header(slack.received.at(-1)!), /Resolved/);
});

test('restart: paging state survives, nothing is re-paged', async () => {
  const slack = await new FakeSlack().start();
  const h = harness({ slack });
  h.record([ev(h.now())]);
  await run(h, 15 * S);
  assert.equal(slack.received.length, 1);
  h.db.close();
  const h2 = harness({ slack, dbPath: h.dbPath, start: h.now() });
  await run(h2, 2 * M, 10 * S);
  assert.equal(slack.received.length, 1);
  h2.record([ev(h2.now())]);
  await run(h2, 2 * M, 10 * S);
  assert.equal(slack.received.length, 1, 'an update still waits for group_interval after a restart');
});
