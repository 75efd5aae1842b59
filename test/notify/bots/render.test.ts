import { test } from 'node:test';
import assert from 'node:assert/strict';
import { renderWecom, CONTENT_MAX_BYTES } from '../../../src/notify/wecom/render.js';
import { renderDingtalk, withMentions } from '../../../src/notify/dingtalk/render.js';
import { renderFeishu, BODY_MAX_BYTES, headerTemplate, cutEscaped } from '../../../src/notify/feishu/render.js';
import { webhookPayload } from '../../../src/notify/webhook/payload.js';
import { incidentJson } from '../../../src/incidents/json.js';
import { formatTime } from '../../../src/notify/chat/facts.js';
import { HOSTILE, hostileIncident, notification, T0 } from './fixtures.js';

const bytes = (s: string) => Buffer.byteLength(s, 'utf8');

test('WeCom: the markdown a page becomes, in Chinese by default wording', () => {
  const { msgtype, markdown } = renderWecom(notification('firing'), { language: 'zh' });
  assert.equal(msgtype, 'markdown');
  const c = markdown.content;
  assert.match(c, /^### <font color="warning">错误 #42 Rate limit reached<\/font>\n/);
  assert.match(c, /新告警 — 自 2026-11-28 11:58:00 UTC 起共 17 次/);
  assert.match(c, /> 次数: <font color="comment">17 \(8\.5次\/分钟\)<\/font>/);
  assert.match(c, /\*\*原因 \/ 处理\*\*\n> 调用频率超过限制，请降低调用频率/);
  assert.match(c, /认领: `apiwatch incident ack 42`/);
  assert.doesNotMatch(c, /<@/, 'no mentions for an error');
});

test('WeCom in English, and resolved notices are green and carry no fix', () => {
  const c = renderWecom(notification('resolved', { state: 'resolved', resolved_by: 'quiet' }), { language: 'en' }).markdown.content;
  assert.match(c, /^### <font color="info">Resolved: ERROR #42/);
  assert.match(c, /Resolved after a quiet period — 17 events over 2m/);
  assert.doesNotMatch(c, /Fix|Latest error/);
  assert.match(c, /Details: `apiwatch incident show 42`/);
});

test('WeCom mentions <@userid> on a critical page only, and not on its resolved notice', () => {
  const o = { language: 'zh' as const, mention: ['zhangsan', 'lisi'] };
  assert.match(renderWecom(notification('firing', { severity: 'critical' }), o).markdown.content, /\n<@zhangsan> <@lisi>$/);
  assert.doesNotMatch(renderWecom(notification('firing', { severity: 'error' }), o).markdown.content, /<@/);
  assert.doesNotMatch(renderWecom(notification('resolved', { severity: 'critical', state: 'resolved' }), o).markdown.content, /<@/);
});

test('WeCom: a huge message is cut under 4,096 bytes with "…" and a pointer, mentions kept', () => {
  const big = '错'.repeat(3000); // 9,000 bytes of log text in every slot
  const c = renderWecom(notification('firing', { ...hostileIncident(big), severity: 'critical' }), { language: 'zh', mention: ['oncall'] }).markdown.content;
  assert.ok(bytes(c) <= CONTENT_MAX_BYTES, `${bytes(c)} bytes`);
  assert.match(c, /…/);
  assert.match(c, /`apiwatch incident show 42`/);
  assert.match(c, /<@oncall>$/);
  // Every line's tags are whole: as many <font as </font>.
  for (const line of c.split('\n')) assert.equal((line.match(/<font/g) ?? []).length, (line.match(/<\/font>/g) ?? []).length, line);
});

/** The template's own markup (no log text can add any). */
function wecomShape(content: string) {
  return {
    lines: content.split('\n').length,
    fonts: (content.match(/<font/g) ?? []).length,
    mentions: (content.match(/<@[^>]*>/g) ?? []).length,
    links: (content.match(/\]\(/g) ?? []).length,
    urls: (content.match(/:\/\//g) ?? []).length,
    code: (content.match(/`/g) ?? []).length,
  };
}

test('WeCom: hostile text in every field leaves the layout exactly as for a clean incident', () => {
  const clean = wecomShape(renderWecom(notification('acknowledged', { state: 'acknowledged', acknowledged_by: 'ops' }), { language: 'zh' }).markdown.content);
  for (const s of HOSTILE.slice(0, -1)) {
    const c = renderWecom(notification('acknowledged', { ...hostileIncident(s), state: 'acknowledged' }), { language: 'zh' }).markdown.content;
    assert.deepEqual(wecomShape(c), clean, `${JSON.stringify(s)}:\n${c}`);
  }
});

test('DingTalk: markdown with title and text; the at list is added at delivery, with @mobile in the text', () => {
  const q = renderDingtalk(notification('firing', { severity: 'critical' }), { language: 'zh' });
  assert.equal(q.mention, true);
  assert.equal(q.message.msgtype, 'markdown');
  assert.match(q.message.markdown.title, /^apiwatch 严重 #42 Rate limit reached$/);
  assert.match(q.message.markdown.text, /^### 严重 #42 Rate limit reached\n\n新告警/);
  assert.match(q.message.markdown.text, /- \*\*接口\*\*: POST \/messages\/users/);
  assert.doesNotMatch(JSON.stringify(q), /1380000/, 'no phone number in what the outbox stores');
  const sent = withMentions(q, ['13800001111']);
  assert.deepEqual(sent.at, { atMobiles: ['13800001111'], isAtAll: false });
  assert.match(sent.markdown.text, /\n\n@13800001111$/);
  const quiet = renderDingtalk(notification('update', { severity: 'critical' }), { language: 'en' });
  assert.equal(quiet.mention, false, 'updates do not ping');
  assert.deepEqual(withMentions(quiet, ['13800001111']).at, { isAtAll: false });
});

test('DingTalk: hostile text cannot add mentions, links, images, headings or paragraphs', () => {
  const shape = (t: string) => ({ paras: t.split('\n\n').length, at: (t.match(/@/g) ?? []).length, link: (t.match(/\]\(/g) ?? []).length, head: (t.match(/^#/gm) ?? []).length });
  const clean = shape(renderDingtalk(notification('firing'), { language: 'zh' }).message.markdown.text);
  for (const s of HOSTILE.slice(0, -1)) {
    const t = renderDingtalk(notification('firing', hostileIncident(s)), { language: 'zh' }).message.markdown.text;
    assert.deepEqual(shape(t), clean, `${JSON.stringify(s)}:\n${t}`);
  }
});

test('Feishu: an interactive card, header coloured by severity, fix and ack command', () => {
  const card = renderFeishu(notification('firing', { severity: 'critical' }), { language: 'en' });
  assert.equal(card.msg_type, 'interactive');
  assert.deepEqual(card.card.header, { title: { tag: 'plain_text', content: 'apiwatch CRITICAL #42 Rate limit reached' }, template: 'red' });
  const text = JSON.stringify(card.card.elements);
  assert.match(text, /\*\*Fix\*\*\\nSlow down/);
  assert.match(text, /Acknowledge: `apiwatch incident ack 42`/);
  assert.equal(headerTemplate(notification('resolved', { state: 'resolved' })), 'green');
  assert.equal(headerTemplate(notification('firing', { severity: 'warning' })), 'yellow');
  assert.equal(headerTemplate(notification('firing', { severity: 'error' })), 'orange');
});

test('Feishu: hostile text stays inside entities and the body under 20 KB', () => {
  for (const s of HOSTILE) {
    const card = renderFeishu(notification('acknowledged', { ...hostileIncident(s), state: 'acknowledged' }), { language: 'zh' });
    const body = JSON.stringify(card);
    assert.ok(bytes(body) <= BODY_MAX_BYTES - 100, `${bytes(body)} bytes`);
    for (const el of card.card.elements) {
      const parts = [el.text, ...((el.fields as { text: unknown }[] | undefined) ?? []).map((f) => f.text), ...((el.elements as unknown[] | undefined) ?? [])];
      for (const p of parts.filter(Boolean) as { content: string }[]) {
        assert.doesNotMatch(p.content, /<at|<font|<a |\]\(|:\/\//, `${JSON.stringify(s)} → ${p.content}`);
      }
    }
    assert.doesNotMatch(card.card.header.title.content, /[\n\u202e\u0007]/);
  }
  assert.equal(cutEscaped('ab&#42;cd', 6), 'ab…');
});

test('webhook payload: the incidents --json fields plus kind, hint, hint_zh and a stable dedup key', () => {
  const n = notification('regression', { epoch: 2 });
  const p = webhookPayload(n);
  for (const [k, v] of Object.entries(incidentJson(n.incident))) assert.deepEqual((p as Record<string, unknown>)[k], v, k);
  assert.equal(p.kind, 'regression');
  assert.equal(p.hint_zh, '调用频率超过限制，请降低调用频率');
  assert.equal(p.dedup_key, `apiwatch:42:2:regression:${T0}`);
  assert.equal(p.notified_at, new Date(T0).toISOString());
});

test('times are shown in the configured zone, whatever the host zone', () => {
  assert.equal(formatTime(T0, 'UTC'), '2026-11-28 12:00:00 UTC');
  assert.equal(formatTime(T0, 'Asia/Shanghai'), '2026-11-28 20:00:00 Asia/Shanghai');
  const c = renderWecom(notification('firing'), { language: 'en', timezone: 'Asia/Shanghai' }).markdown.content;
  assert.match(c, /First seen: <font color="comment">2026-11-28 19:58:00 Asia\/Shanghai/);
});
