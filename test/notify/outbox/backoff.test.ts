import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BACKOFF } from '../../../src/notify/outbox/worker.js';
import { FakeSlack, ev, harness, header, run } from '../helpers.js';

const S = 1000;
const STEP = 250;
const BACKLOG = 30;

/**
 * The operator's bad day from issue 11, on a fake clock against a real HTTP stand-in: Slack answers
 * 429 (Retry-After 2) for 60 s, then 500 for 60 s, then recovers, with 30 pages queued.
 */
test('429 then 500 then recovery: Retry-After is kept exactly, the 500 backoff starts small and is capped, the backlog drains at 1/s', async (t) => {
  const slack = await new FakeSlack().start();
  const h = harness({ slack, policy: { groupWait: 0 } });
  const t0 = h.now();
  const RECOVERED = t0 + 120 * S;
  slack.reply = (req) =>
    req.at < t0 + 60 * S
      ? { status: 429, headers: { 'retry-after': '2' }, body: 'rate_limited' }
      : req.at < RECOVERED
        ? { status: 500, body: 'internal_error' }
        : { status: 200 };
  for (let i = 0; i < BACKLOG; i++) h.record([ev(h.now(), { endpoint: `/b${i}` })]);
  await run(h, 200 * S, STEP);

  const limited = slack.attempts.filter((a) => a.at < t0 + 60 * S);
  const failing = slack.attempts.filter((a) => a.at >= t0 + 60 * S && a.at < RECOVERED);
  const ok = slack.received;
  const gaps = (xs: { at: number }[]) => xs.slice(1).map((x, i) => x.at - xs[i].at);

  // 429: exactly Retry-After apart, and only the head is tried (order per webhook).
  assert.ok(limited.length >= 29, `${limited.length} attempts while rate limited`);
  assert.ok(gaps(limited).every((g) => g === 2 * S), `429 gaps ${gaps(limited)}`);
  assert.ok(limited.every((a) => /#1\b/.test(header(a))));
  // The 429s did not grow the error backoff: the first 500 is retried after about a second.
  const afterFirst500 = gaps([...failing, ...ok].slice(0, 2))[0];
  assert.ok(afterFirst500 <= BACKOFF.baseMs + STEP, `first retry after a 500 came ${afterFirst500} ms later`);
  // Exponential, never past the cap.
  const failGaps = gaps([...failing, ok[0]]);
  assert.ok(failGaps.every((g) => g <= BACKOFF.capMs + STEP), `500 gaps ${failGaps}`);
  assert.ok(failGaps.slice(0, 4).every((g, i, a) => i === 0 || g > a[i - 1]), `it backs off: ${failGaps}`);

  // Recovery: the first delivery within one capped backoff, then the backlog at Slack's rate.
  const firstAfter = ok[0].at - RECOVERED;
  const drained = ok[ok.length - 1].at - RECOVERED;
  assert.ok(firstAfter <= BACKOFF.capMs, `first delivery ${firstAfter} ms after recovery`);
  assert.equal(ok.length, BACKLOG, 'everything delivered, none twice');
  assert.deepEqual(ok.map((r) => Number(header(r).match(/#(\d+)/)![1])), Array.from({ length: BACKLOG }, (_, i) => i + 1));
  assert.ok(gaps(ok).every((g) => g >= S && g <= S + STEP), `drain gaps ${gaps(ok)}`);
  assert.deepEqual(h.outbox.counts(), { pending: 0, sent: BACKLOG, dead: 0 });
  t.diagnostic(
    `429 attempts ${limited.length} (every ${2 * S} ms), 500 attempts ${failing.length} (gaps ${failGaps.map((g) => g / S).join(', ')} s); ` +
      `first delivery ${firstAfter / S} s after recovery, ${BACKLOG} messages drained ${drained / S} s after recovery`,
  );
});

test('a success resets the error backoff: after an outage, the next 500 is retried after about a second', async () => {
  const slack = await new FakeSlack().start();
  const h = harness({ slack, policy: { groupWait: 0 } });
  let failing = true;
  slack.reply = () => (failing ? { status: 503, body: 'service_unavailable' } : { status: 200 });
  h.record([ev(h.now(), { endpoint: '/a' })]);
  await run(h, 5 * 60 * S, STEP); // a 5-minute outage: the backoff reaches its cap
  const capped = slack.attempts.slice(-3).map((a, i, xs) => (i ? a.at - xs[i - 1].at : 0)).slice(1);
  assert.ok(capped.every((g) => g > BACKOFF.capMs / 2 - STEP && g <= BACKOFF.capMs + STEP), `capped gaps ${capped}`);
  failing = false;
  await run(h, 61 * S, STEP);
  assert.equal(slack.received.length, 1);
  // One more failure on a fresh message: it starts from the base again.
  failing = true;
  h.record([ev(h.now(), { endpoint: '/b' })]);
  await run(h, 2 * S, STEP);
  const n = slack.attempts.length;
  failing = false;
  await run(h, 3 * S, STEP);
  const [a, b] = slack.attempts.slice(n - 1, n + 1);
  assert.ok(b.at - a.at <= BACKOFF.baseMs * 2 + STEP, `retry after ${b.at - a.at} ms`);
  assert.equal(slack.received.length, 2);
});
