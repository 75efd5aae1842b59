import { test } from 'node:test';
import assert from 'node:assert/strict';
import { WecomStandIn } from '../standins/wecom.js';
import { DingtalkStandIn } from '../standins/dingtalk.js';
import { FeishuStandIn } from '../standins/feishu.js';
import { WebhookStandIn } from '../standins/webhook.js';
import { renderWecom } from '../../../src/notify/wecom/render.js';
import { sendWecom } from '../../../src/notify/wecom/client.js';
import { renderDingtalk, withMentions } from '../../../src/notify/dingtalk/render.js';
import { sendDingtalk } from '../../../src/notify/dingtalk/client.js';
import { dingtalkSign } from '../../../src/notify/dingtalk/sign.js';
import { renderFeishu } from '../../../src/notify/feishu/render.js';
import { sendFeishu } from '../../../src/notify/feishu/client.js';
import { webhookPayload } from '../../../src/notify/webhook/payload.js';
import { sendWebhook } from '../../../src/notify/webhook/client.js';
import { verifyWebhookSignature } from '../../../src/notify/webhook/sign.js';
import { notification, T0 } from './fixtures.js';

const clockAt = (t: number) => {
  const c = { t };
  return { c, now: () => c.t };
};

test('WeCom stand-in: a rendered page is accepted; a wrong key is 93000 → dead letter naming webhook_url', async () => {
  const s = await new WecomStandIn().start();
  const { now } = clockAt(T0);
  s.clock = now;
  const msg = renderWecom(notification('firing', { severity: 'critical' }), { language: 'zh', mention: ['zhangsan'] });
  const ok = await sendWecom(s.url(), msg, { timeoutMs: 2000, now });
  assert.deepEqual(ok.result, { ok: true, status: 200 });
  assert.match(ok.answer, /"errcode":0/);
  assert.deepEqual(WecomStandIn.mentions(s.accepted[0]!.json.markdown.content), ['zhangsan']);
  const bad = await sendWecom(s.url('wrong-key'), msg, { timeoutMs: 2000, now });
  assert.equal(bad.result.ok, false);
  assert.equal(bad.result.permanent, true);
  assert.match(bad.result.error!, /93000.*notify\.wecom\.webhook_url/);
  assert.doesNotMatch(bad.result.error!, /wrong-key/, 'the key never reaches a log line');
});

test('WeCom stand-in: content over 4,096 bytes is 40058 (permanent); the 21st message in a minute is 45009 → wait a minute', async () => {
  const s = await new WecomStandIn().start();
  const { c, now } = clockAt(T0);
  s.clock = now;
  const big = await sendWecom(s.url(), { msgtype: 'markdown', markdown: { content: 'x'.repeat(4097) } }, { timeoutMs: 2000, now });
  assert.equal(big.result.permanent, true);
  assert.match(big.result.error!, /40058 markdown\.content exceed max length 4096/);
  const msg = renderWecom(notification(), { language: 'en' });
  for (let i = 0; i < 20; i++) {
    assert.equal((await sendWecom(s.url(), msg, { timeoutMs: 2000, now })).result.ok, true);
    c.t += 1000;
  }
  const limited = await sendWecom(s.url(), msg, { timeoutMs: 2000, now });
  assert.equal(limited.result.ok, false);
  assert.equal(limited.result.permanent, undefined);
  assert.equal(limited.result.retryAfterMs, 60_000);
  c.t = T0 + 60_000;
  assert.equal((await sendWecom(s.url(), msg, { timeoutMs: 2000, now })).result.ok, true, 'the window has moved on');
});

test('DingTalk stand-in verifies 加签: right secret accepted, wrong secret 310000 → dead letter naming notify.dingtalk.secret', async () => {
  const s = await new DingtalkStandIn().start();
  s.robots.set('signed', { secret: 'SECright' });
  const { c, now } = clockAt(T0);
  s.clock = now;
  const q = renderDingtalk(notification('firing', { severity: 'critical' }), { language: 'zh' });
  // Several timestamps, so signatures with "+" and "/" are among them: the URL-encoding is proven, not assumed.
  let plus = 0;
  for (let i = 0; i < 12; i++) {
    c.t = T0 + i * 7919;
    if (/[+/]/.test(decodeURIComponent(dingtalkSign('SECright', c.t)))) plus++;
    const r = await sendDingtalk(s.url('signed'), 'SECright', withMentions(q, ['13800001111']), { timeoutMs: 2000, now });
    assert.deepEqual(r.result, { ok: true, status: 200 }, r.answer);
  }
  assert.ok(plus > 0);
  const got = s.accepted[0]!;
  assert.equal(got.query.get('timestamp'), String(T0));
  assert.deepEqual(got.json.at, { atMobiles: ['13800001111'], isAtAll: false });
  assert.match(got.json.markdown.text, /@13800001111$/);

  const wrong = await sendDingtalk(s.url('signed'), 'SECwrong', q.message, { timeoutMs: 2000, now });
  assert.equal(wrong.result.permanent, true);
  assert.match(wrong.result.error!, /310000 .*签名不匹配.* — fix notify\.dingtalk\.secret/);
  assert.doesNotMatch(wrong.result.error!, /SECwrong|signed/);
  const unsigned = await sendDingtalk(s.url('signed'), undefined, q.message, { timeoutMs: 2000, now });
  assert.match(unsigned.result.error!, /notify\.dingtalk\.secret/);
});

test('DingTalk stand-in: a timestamp over an hour off is 310000 过期 → names the host clock', async () => {
  const s = await new DingtalkStandIn().start();
  s.robots.set('signed', { secret: 'SECright' });
  s.clock = () => T0;
  const q = renderDingtalk(notification(), { language: 'en' });
  const skewed = await sendDingtalk(s.url('signed'), 'SECright', q.message, { timeoutMs: 2000, now: () => T0 - 3_700_000 });
  assert.equal(skewed.result.permanent, true);
  assert.match(skewed.result.error!, /310000 .*过期.*clock/);
  const near = await sendDingtalk(s.url('signed'), 'SECright', q.message, { timeoutMs: 2000, now: () => T0 - 3_500_000 });
  assert.equal(near.result.ok, true, 'within the hour');
});

test('DingTalk stand-in: keywords, a bad token, and "send too fast" throttling for 10 minutes', async () => {
  const s = await new DingtalkStandIn().start();
  s.robots.set('kw', { keywords: ['apiwatch'] });
  s.robots.set('kw2', { keywords: ['生产告警'] });
  const { c, now } = clockAt(T0);
  s.clock = now;
  const q = renderDingtalk(notification(), { language: 'zh' });
  assert.equal((await sendDingtalk(s.url('kw'), undefined, q.message, { timeoutMs: 2000, now })).result.ok, true, '"apiwatch" is in every title');
  const kw = await sendDingtalk(s.url('kw2'), undefined, q.message, { timeoutMs: 2000, now });
  assert.match(kw.result.error!, /关键词不匹配.*add "apiwatch" as a keyword/);
  const tok = await sendDingtalk(s.url('nope'), undefined, q.message, { timeoutMs: 2000, now });
  assert.equal(tok.result.permanent, true);
  assert.match(tok.result.error!, /300001 .*notify\.dingtalk\.webhook_url/);

  for (let i = 0; i < 20; i++) {
    assert.equal((await sendDingtalk(s.url(), undefined, q.message, { timeoutMs: 2000, now })).result.ok, true);
    c.t += 500;
  }
  const fast = await sendDingtalk(s.url(), undefined, q.message, { timeoutMs: 2000, now });
  assert.equal(fast.result.retryAfterMs, 600_000);
  assert.match(fast.result.error!, /130101/);
  c.t += 120_000; // a fresh minute, but still inside the 10-minute throttle
  assert.equal((await sendDingtalk(s.url(), undefined, q.message, { timeoutMs: 2000, now })).result.retryAfterMs, 600_000);
  c.t += 600_000;
  assert.equal((await sendDingtalk(s.url(), undefined, q.message, { timeoutMs: 2000, now })).result.ok, true);
});

test('Feishu stand-in verifies 签名校验: right secret accepted, wrong secret 19021 → names notify.feishu.secret', async () => {
  const s = await new FeishuStandIn().start();
  s.bots.set('signed', { secret: 'fs-secret' });
  const { now } = clockAt(T0 + 999); // not on a second boundary: the timestamp must be in seconds
  s.clock = now;
  const card = renderFeishu(notification('firing', { severity: 'critical' }), { language: 'zh' });
  const ok = await sendFeishu(s.url('signed'), 'fs-secret', card, { timeoutMs: 2000, now });
  assert.deepEqual(ok.result, { ok: true, status: 200 }, ok.answer);
  assert.equal(s.accepted[0]!.json.timestamp, String(Math.floor((T0 + 999) / 1000)));
  assert.equal(s.accepted[0]!.json.card.header.template, 'red');
  const wrong = await sendFeishu(s.url('signed'), 'nope', card, { timeoutMs: 2000, now });
  assert.equal(wrong.result.permanent, true);
  assert.match(wrong.result.error!, /19021 sign match fail.* — fix notify\.feishu\.secret/);
  const old = await sendFeishu(s.url('signed'), 'fs-secret', card, { timeoutMs: 2000, now: () => T0 - 2 * 3_600_000 });
  assert.match(old.result.error!, /19021/);
  const tok = await sendFeishu(s.url('gone'), undefined, card, { timeoutMs: 2000, now });
  assert.match(tok.result.error!, /19001 .*notify\.feishu\.webhook_url/);
});

test('Feishu stand-in: keywords (19024), the 20 KB body limit (9499), and 5 a second (11232 → wait)', async () => {
  const s = await new FeishuStandIn().start();
  s.bots.set('kw', { keywords: ['生产'] });
  const { c, now } = clockAt(T0);
  s.clock = now;
  const card = renderFeishu(notification(), { language: 'en' });
  const kw = await sendFeishu(s.url('kw'), undefined, card, { timeoutMs: 2000, now });
  assert.match(kw.result.error!, /19024 Key Words Not Found.*apiwatch/);
  const big = await sendFeishu(s.url(), undefined, { msg_type: 'text', content: { text: 'x'.repeat(21 * 1024) } }, { timeoutMs: 2000, now });
  assert.match(big.result.error!, /9499 Bad Request/);
  assert.equal(big.result.permanent, true);
  for (let i = 0; i < 5; i++) assert.equal((await sendFeishu(s.url(), undefined, card, { timeoutMs: 2000, now })).result.ok, true);
  const limited = await sendFeishu(s.url(), undefined, card, { timeoutMs: 2000, now });
  assert.equal(limited.result.retryAfterMs, 60_000);
  c.t += 1000;
  assert.equal((await sendFeishu(s.url(), undefined, card, { timeoutMs: 2000, now })).result.ok, true);
});

test('webhook stand-in checks X-Apiwatch-Signature with its own HMAC; a wrong secret is 401 → names notify.webhook.secret', async () => {
  const s = await new WebhookStandIn().start();
  s.secret = 'hook-secret';
  s.requiredHeaders = { authorization: 'Bearer t0ken' };
  const p = webhookPayload(notification('escalated'));
  const ok = await sendWebhook({ url: s.url(), secret: 'hook-secret', headers: { authorization: 'Bearer t0ken' } }, p, { timeoutMs: 2000 });
  assert.deepEqual(ok.result, { ok: true, status: 204 });
  const got = s.accepted[0]!;
  assert.equal(got.headers['x-apiwatch-event'], 'escalated');
  assert.equal(got.headers['x-apiwatch-delivery'], p.dedup_key);
  assert.ok(verifyWebhookSignature('hook-secret', got.raw, String(got.headers['x-apiwatch-signature'])));
  assert.deepEqual(got.json, p);
  const wrong = await sendWebhook({ url: s.url(), secret: 'other', headers: { authorization: 'Bearer t0ken' } }, p, { timeoutMs: 2000 });
  assert.equal(wrong.result.permanent, true);
  assert.match(wrong.result.error!, /HTTP 401 .*notify\.webhook\.secret/);
  const noAuth = await sendWebhook({ url: s.url(), secret: 'hook-secret' }, p, { timeoutMs: 2000 });
  assert.match(noAuth.result.error!, /HTTP 403/);
});

test('no answer: refused, dropped and hung connections are transient, and never quote the URL', async () => {
  const s = await new WecomStandIn().start();
  s.keys.add('secret-key-in-url');
  const msg = renderWecom(notification(), { language: 'en' });
  s.fault = (_r, n) => (n === 1 ? 'drop' : n === 2 ? 'hang' : { status: 502, body: 'bad gateway' });
  const dropped = await sendWecom(s.url('secret-key-in-url'), msg, { timeoutMs: 500 });
  const hung = await sendWecom(s.url('secret-key-in-url'), msg, { timeoutMs: 300 });
  const bad = await sendWecom(s.url('secret-key-in-url'), msg, { timeoutMs: 500 });
  await s.stop();
  const refused = await sendWecom(s.url('secret-key-in-url'), msg, { timeoutMs: 500 });
  for (const [r, re] of [
    [dropped, /request failed/],
    [hung, /timed out after 300ms/],
    [bad, /HTTP 502/],
    [refused, /request failed: (ECONNREFUSED|UND_ERR_SOCKET)/],
  ] as const) {
    assert.equal(r.result.ok, false);
    assert.equal(r.result.permanent, undefined, r.result.error);
    assert.match(r.result.error!, re);
    assert.doesNotMatch(r.result.error! + r.answer, /secret-key-in-url/);
  }
});
