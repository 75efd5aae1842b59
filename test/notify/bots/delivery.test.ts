import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseConfig } from '../../../src/config/load.js';
import { createChatNotifiers } from '../../../src/notify/index.js';
import { ev } from '../helpers.js';
import { WecomStandIn, WECOM_PER_MINUTE } from '../standins/wecom.js';
import { DingtalkStandIn, DINGTALK_PER_MINUTE, DINGTALK_THROTTLE_MS } from '../standins/dingtalk.js';
import { FeishuStandIn, FEISHU_PER_MINUTE, FEISHU_PER_SECOND } from '../standins/feishu.js';
import { WebhookStandIn } from '../standins/webhook.js';
import { maxInWindow, type StandIn } from '../standins/base.js';
import { sendDingtalk } from '../../../src/notify/dingtalk/client.js';
import { botHarness } from './harness.js';

const M = 60_000;

interface Stands {
  wecom: WecomStandIn;
  dingtalk: DingtalkStandIn;
  feishu: FeishuStandIn;
  webhook: WebhookStandIn;
}

async function stands(): Promise<Stands> {
  const s = {
    wecom: await new WecomStandIn().start(),
    dingtalk: await new DingtalkStandIn().start(),
    feishu: await new FeishuStandIn().start(),
    webhook: await new WebhookStandIn().start(),
  };
  s.dingtalk.robots.set('test-token', { secret: 'SECding', keywords: ['apiwatch'] });
  s.feishu.bots.set('test-hook', { secret: 'fs-secret' });
  s.webhook.secret = 'wh-secret';
  return s;
}

/** All four channels from a real config: URLs and secrets from the environment, as the config requires. */
function config(s: Stands, dingSecret = 'SECding') {
  const yaml = `
notify:
  wecom: { webhook_url: "\${WECOM_URL}", mention: [oncall] }
  dingtalk: { webhook_url: "\${DING_URL}", secret: "\${DING_SECRET}", at_mobiles: ["13800001111"] }
  feishu: { webhook_url: "\${FEISHU_URL}", secret: "\${FEISHU_SECRET}", language: en }
  webhook: { url: "\${HOOK_URL}", secret: "\${HOOK_SECRET}" }
`;
  return parseConfig(yaml, 'apiwatch.yaml', {
    WECOM_URL: s.wecom.url(), DING_URL: s.dingtalk.url(), DING_SECRET: dingSecret, FEISHU_URL: s.feishu.url(),
    FEISHU_SECRET: 'fs-secret', HOOK_URL: s.webhook.url(), HOOK_SECRET: 'wh-secret',
  });
}

/** The incident id each accepted message is about. */
function ids(stand: StandIn, channel: keyof Stands): number[] {
  return stand.accepted.map((r) => {
    if (channel === 'webhook') return r.json.id as number;
    const text = channel === 'wecom' ? r.json.markdown.content : channel === 'dingtalk' ? r.json.markdown.text : r.json.card.header.title.content;
    return Number(/#(\d+)/.exec(text)![1]);
  });
}

function clockAll(s: Stands, now: () => number) {
  for (const x of Object.values(s) as StandIn[]) x.clock = now;
}

test('a storm of 60 incidents: every channel gets each page once, in order, and no bot rate limit is ever crossed', async () => {
  const s = await stands();
  const cfg = config(s);
  const h = botHarness((now) => createChatNotifiers(cfg, { now }));
  clockAll(s, h.now);
  const events = Array.from({ length: 60 }, (_, i) => ev(h.now(), { endpoint: `/storm/${i}` }));
  h.record(events);
  assert.equal(h.outbox.counts().pending, 240, '60 pages × 4 channels queued with the decisions');
  await h.drain(60 * M);
  assert.deepEqual(h.outbox.counts(), { pending: 0, sent: 240, dead: 0 });
  for (const ch of ['wecom', 'dingtalk', 'feishu', 'webhook'] as const) {
    const got = ids(s[ch], ch);
    assert.equal(got.length, 60, ch);
    assert.deepEqual(got, [...got].sort((a, b) => a - b), `${ch}: in the order decided`);
    assert.equal(new Set(got).size, 60, `${ch}: none twice`);
  }
  const at = (x: StandIn) => x.accepted.map((r) => r.at);
  assert.ok(maxInWindow(at(s.wecom), M) <= WECOM_PER_MINUTE, `wecom ${maxInWindow(at(s.wecom), M)}/min`);
  assert.ok(maxInWindow(at(s.dingtalk), M) <= DINGTALK_PER_MINUTE);
  assert.ok(maxInWindow(at(s.feishu), M) <= FEISHU_PER_MINUTE);
  assert.ok(maxInWindow(at(s.feishu), 1000) <= FEISHU_PER_SECOND);
  // Not one rate-limit answer: pacing kept under the limits rather than bouncing off them.
  for (const x of [s.wecom, s.dingtalk, s.feishu]) {
    assert.equal(x.requests.length, 60, 'one request per message');
  }
  // The storm drains at the bots' pace: 60 messages at 19/min take three minutes.
  const last = Math.max(...at(s.wecom));
  assert.ok(last - s.wecom.accepted[0]!.at >= 3 * M - 10_000 && last - s.wecom.accepted[0]!.at < 4 * M);
  // Mentions: the stored rows carry no phone number; the POSTed DingTalk body has none either for errors.
  const rows = h.db.prepare("SELECT payload FROM outbox WHERE channel = 'dingtalk'").all() as { payload: string }[];
  assert.ok(rows.every((r) => !r.payload.includes('13800001111')));
});

test('a bot throttled by someone else (130101 for 10 minutes): the worker waits it out, then delivers all, none twice', async () => {
  const s = await stands();
  const cfg = config(s);
  const h = botHarness((now) => createChatNotifiers(cfg, { now }).filter((n) => n.name === 'dingtalk'));
  clockAll(s, h.now);
  // Another system posts 21 messages to the same robot: DingTalk throttles it for ten minutes.
  for (let i = 0; i < 21; i++) await sendDingtalk(s.dingtalk.url(), 'SECding', { msgtype: 'markdown', markdown: { title: 'apiwatch x', text: 'other app' }, at: { isAtAll: false } }, { timeoutMs: 2000, now: h.now });
  const throttledAt = h.now();
  const before = s.dingtalk.accepted.length;
  h.record(Array.from({ length: 5 }, (_, i) => ev(h.now(), { endpoint: `/t/${i}` })));
  await h.drain(30 * M);
  const ours = s.dingtalk.accepted.slice(before);
  assert.deepEqual(ids({ accepted: ours } as unknown as StandIn, 'dingtalk'), [1, 2, 3, 4, 5]);
  assert.ok(ours[0]!.at >= throttledAt + DINGTALK_THROTTLE_MS, 'nothing got through before the throttle ended');
  const tries = s.dingtalk.requests.length - 21;
  assert.ok(tries <= 5 + 2, `the wait is the 10-minute window, not a retry loop (${tries} requests for 5 messages)`);
  assert.deepEqual(h.outbox.counts(), { pending: 0, sent: 5, dead: 0 });
});

test('a 10-minute outage of every service (dropped connections, 502s): nothing lost, nothing doubled, order kept', async () => {
  const s = await stands();
  const cfg = config(s);
  const h = botHarness((now) => createChatNotifiers(cfg, { now }));
  clockAll(s, h.now);
  const outageEnd = h.now() + 10 * M;
  for (const x of Object.values(s) as StandIn[]) x.fault = (req, n) => (req.at < outageEnd ? (n % 2 ? 'drop' : { status: 502, body: 'bad gateway' }) : undefined);
  for (let i = 0; i < 4; i++) {
    h.record([ev(h.now(), { endpoint: `/o/${i}` })]);
    h.clock.t += 30_000;
    await h.worker.pump();
  }
  await h.drain(60 * M);
  assert.deepEqual(h.outbox.counts(), { pending: 0, sent: 16, dead: 0 });
  for (const ch of ['wecom', 'dingtalk', 'feishu', 'webhook'] as const) {
    assert.deepEqual(ids(s[ch], ch), [1, 2, 3, 4], ch);
    assert.ok(s[ch].accepted[0]!.at >= outageEnd);
    // Backoff capped at 60 s: the first message goes out within about a minute of the recovery.
    assert.ok(s[ch].accepted[0]!.at - outageEnd <= 61_000, `${ch}: ${s[ch].accepted[0]!.at - outageEnd} ms after recovery`);
  }
});

test('a wrong DingTalk secret: the stand-in answers 310000, the page is dead-lettered naming notify.dingtalk.secret', async () => {
  const s = await stands();
  const cfg = config(s, 'SECwrong');
  const h = botHarness((now) => createChatNotifiers(cfg, { now }).filter((n) => n.name === 'dingtalk'));
  clockAll(s, h.now);
  h.record([ev(h.now())]);
  await h.drain(5 * M);
  const [row] = h.outbox.list();
  assert.equal(row!.state, 'dead');
  assert.equal(row!.attempts, 1, 'never retried');
  assert.match(row!.last_error!, /310000 .* — fix notify\.dingtalk\.secret/);
  assert.doesNotMatch(row!.last_error!, /SECwrong|test-token/);
  assert.equal(s.dingtalk.accepted.length, 0);
});

test('a wrong Feishu secret: 19021 → dead letter naming notify.feishu.secret; a route names its own setting', async () => {
  const s = await stands();
  s.feishu.bots.set('ops-hook', { secret: 'ops-secret' });
  const yaml = `
notify:
  feishu:
    webhook_url: "\${FEISHU_URL}"
    secret: "\${FEISHU_SECRET}"
    routes:
      - { name: ops, webhook_url: "\${OPS_URL}", secret: "\${OPS_SECRET}", match: { severity: [critical] }, continue: true }
`;
  const cfg = parseConfig(yaml, 'apiwatch.yaml', { FEISHU_URL: s.feishu.url(), FEISHU_SECRET: 'nope', OPS_URL: s.feishu.url('ops-hook'), OPS_SECRET: 'bad' });
  const h = botHarness((now) => createChatNotifiers(cfg, { now }));
  clockAll(s, h.now);
  h.record([ev(h.now(), {}, { severity: 'critical' })]);
  await h.drain(5 * M);
  const rows = h.outbox.list();
  assert.deepEqual(rows.map((r) => [r.target, r.state]).sort(), [['ops', 'dead']]);
  assert.match(rows[0]!.last_error!, /19021 .* — fix notify\.feishu\.routes\[name=ops\]\.secret/);
  h.record([ev(h.now(), { endpoint: '/other' })]);
  await h.drain(5 * M);
  const dflt = h.outbox.list().find((r) => r.target === 'default')!;
  assert.match(dflt.last_error!, /fix notify\.feishu\.secret/);
});
