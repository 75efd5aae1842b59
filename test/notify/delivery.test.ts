import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FakeSlack, ev, harness, header, run } from './helpers.js';

const S = 1000;
const M = 60_000;

test('429 with Retry-After: the wait is honoured, then the message is delivered once', async () => {
  const slack = await new FakeSlack().start();
  slack.reply = (_r, n) => (n === 1 ? { status: 429, headers: { 'retry-after': '30' }, body: 'rate_limited' } : { status: 200 });
  const h = harness({ slack });
  h.record([ev(h.now())]);
  await run(h, 11 * S);
  assert.equal(slack.attempts.length, 1);
  const firstAt = slack.attempts[0].at;
  const row = h.outbox.list()[0];
  assert.equal(row.state, 'pending');
  assert.equal(row.last_status, 429);
  assert.equal(row.next_attempt_at, firstAt + 30 * S);
  await run(h, 28 * S);
  assert.equal(slack.attempts.length, 1, 'no retry before Retry-After');
  await run(h, 5 * S);
  assert.equal(slack.attempts.length, 2);
  assert.ok(slack.attempts[1].at - firstAt >= 30 * S);
  assert.equal(slack.received.length, 1);
  assert.equal(h.outbox.get(row.id)!.state, 'sent');
  await run(h, 2 * M);
  assert.equal(slack.attempts.length, 2, 'delivered once');
});

test('429 as an HTTP date is honoured too', async () => {
  const slack = await new FakeSlack().start();
  const h = harness({ slack });
  slack.reply = (_r, n) => (n === 1 ? { status: 429, headers: { 'retry-after': new Date(h.now() + 60 * S).toUTCString() } } : { status: 200 });
  h.record([ev(h.now())]);
  await run(h, 11 * S);
  const row = h.outbox.list()[0];
  const at = slack.attempts[0].at;
  assert.equal(row.next_attempt_at, Math.floor((at + 60 * S) / S) * S, 'HTTP dates have whole seconds');
  await run(h, 50 * S);
  assert.equal(slack.attempts.length, 1);
  await run(h, 12 * S);
  assert.equal(slack.received.length, 1);
});

test('a 10-minute outage of 500s and refused connections: everything delivered after recovery, in order, none twice', async () => {
  const slack = await new FakeSlack().start();
  const h = harness({ slack });
  const start = h.now();
  slack.reply = () => ({ status: 500, body: 'internal_error' });
  // Five incidents open during the outage, 30 s apart, each paging after group_wait.
  for (let i = 0; i < 5; i++) {
    h.record([ev(h.now(), { endpoint: `/e${i}` })]);
    await run(h, 30 * S);
  }
  await run(h, 5 * M - 150 * S);
  const port = slack.port;
  await slack.stop(); // now: connection refused
  await run(h, 5 * M);
  assert.equal(h.outbox.counts().sent, 0);
  assert.ok(h.now() - start >= 10 * M);
  slack.reply = () => ({ status: 200 });
  await slack.start(port);
  await run(h, 6 * M);
  const c = h.outbox.counts();
  assert.deepEqual(c, { pending: 0, sent: 5, dead: 0 });
  assert.equal(slack.received.length, 5, 'none twice');
  assert.deepEqual(
    slack.received.map((r) => header(r).match(/#(\d+)/)![1]),
    ['1', '2', '3', '4', '5'],
    'in the order they were decided',
  );
  for (let i = 1; i < 5; i++) assert.ok(slack.received[i].at - slack.received[i - 1].at >= S, 'at most 1 message per second');
  const attempts = h.db.prepare('SELECT attempts FROM outbox WHERE id = 1').get() as { attempts: number };
  assert.ok(attempts.attempts > 3, 'it was retried with backoff');
  // 10 minutes at a backoff capped at 60 s (jittered to 30–60 s): about a dozen tries, not hundreds.
  assert.ok(attempts.attempts < 30, `backoff keeps attempts few (${attempts.attempts})`);
});

for (const [status, body] of [
  [404, 'no_service'],
  [404, 'channel_not_found'],
  [410, 'channel_is_archived'],
  [403, 'action_prohibited'],
  [400, 'invalid_payload'],
] as const) {
  test(`permanent ${status} ${body} → dead letter, and the queue moves on`, async () => {
    const slack = await new FakeSlack().start();
    slack.reply = (_r, n) => (n === 1 ? { status, body } : { status: 200 });
    const h = harness({ slack });
    h.record([ev(h.now(), { endpoint: '/a' })]);
    h.record([ev(h.now(), { endpoint: '/b' })]);
    await run(h, 20 * S);
    const rows = h.outbox.list().reverse();
    assert.equal(rows[0].state, 'dead');
    assert.equal(rows[0].last_status, status);
    assert.match(rows[0].last_error!, new RegExp(body));
    assert.equal(rows[0].attempts, 1, 'not retried');
    assert.equal(rows[1].state, 'sent');
    assert.equal(slack.attempts.length, 2);
    assert.doesNotMatch(JSON.stringify(rows), /127\.0\.0\.1/, 'the webhook URL is never stored');
  });
}

test('restart with a full outbox: all delivered, nothing twice', async () => {
  const slack = await new FakeSlack().start();
  const port = slack.port;
  const h = harness({ slack, policy: { groupWait: 0 } });
  await slack.stop();
  for (let i = 0; i < 20; i++) h.record([ev(h.now(), { endpoint: `/r${i}` })]);
  await run(h, 30 * S);
  assert.equal(h.outbox.counts().pending, 20);
  h.db.close(); // the daemon dies with a full outbox
  await slack.start(port);
  const h2 = harness({ slack, dbPath: h.dbPath, start: h.now(), policy: { groupWait: 0 } });
  await run(h2, 10 * M, 2 * S);
  assert.deepEqual(h2.outbox.counts(), { pending: 0, sent: 20, dead: 0 });
  assert.equal(slack.received.length, 20);
  assert.equal(new Set(slack.received.map((r) => header(r))).size, 20, 'each exactly once');
  assert.deepEqual(
    slack.received.map((r) => Number(header(r).match(/#(\d+)/)![1])),
    Array.from({ length: 20 }, (_, i) => i + 1),
  );
});

test('a webhook that never answers times out and is retried', async () => {
  const slack = await new FakeSlack().start();
  slack.reply = (_r, n) => (n === 1 ? 'hang' : { status: 200 });
  const h = harness({ slack, timeoutMs: 300, policy: { groupWait: 0 } });
  h.record([ev(h.now())]);
  await h.settle();
  const row = h.outbox.list()[0];
  assert.equal(row.state, 'pending');
  assert.match(row.last_error!, /timed out after 300ms/);
  await run(h, 10 * S);
  assert.equal(h.outbox.get(row.id)!.state, 'sent');
  assert.equal(slack.received.length, 1);
});

test('routes: critical to the on-call webhook, the rest to the default', async () => {
  const slack = await new FakeSlack().start();
  const h = harness({
    slack,
    routes: [{ name: 'oncall', webhook_url: slack.url('/hook/oncall'), match: { severity: ['critical'] }, continue: false }],
  });
  h.record([ev(h.now(), { endpoint: '/x' }, { severity: 'critical' })]);
  h.record([ev(h.now(), { endpoint: '/y' })]);
  await run(h, 15 * S);
  const byPath = Object.fromEntries(slack.received.map((r) => [r.path, header(r)]));
  assert.match(byPath['/hook/oncall'], /CRITICAL #1/);
  assert.match(byPath['/hook/default'], /ERROR #2/);
  assert.deepEqual(h.outbox.list().map((r) => r.target).sort(), ['default', 'oncall']);
});

test('errors never carry the webhook URL, and old sent messages are pruned', async () => {
  const { SlackClient } = await import('../../src/notify/slack/client.js');
  const url = 'https://hooks.slack.test/services/T0/B0/secret-token';
  const client = new SlackClient(1000, (async (u: string) => {
    throw new TypeError(`Failed to parse URL from ${u}`);
  }) as unknown as typeof fetch);
  const r = await client.post(url, { text: 'x' });
  assert.ok(!r.ok && !r.permanent);
  assert.doesNotMatch(r.error!, /secret-token/);
  assert.match(r.error!, /\[webhook URL\]/);

  const slack = await new FakeSlack().start();
  const h = harness({ slack, policy: { groupWait: 0 } });
  h.record([ev(h.now())]);
  await h.settle();
  assert.equal(h.outbox.prune(h.now() - 1), 0, 'younger than the cut-off: kept');
  assert.equal(h.outbox.prune(h.now() + 1), 1);
  assert.deepEqual(h.outbox.counts(), { pending: 0, sent: 0, dead: 0 });
});
