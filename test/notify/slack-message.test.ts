import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FakeSlack, ev, harness, header } from './helpers.js';
import { buildSlackMessage, capBlocks, LIMITS } from '../../src/notify/slack/message.js';
import { codeBlock, esc, truncate, TRUNCATED } from '../../src/notify/slack/escape.js';
import type { Incident } from '../../src/incidents/types.js';

const INJECTION = 'boom <!channel> <!here> <@U123> <https://evil.example|reset password> ```js\nalert(1)``` `x` &lt; & <#C999> *bold*';

function strings(v: unknown, out: string[] = []): string[] {
  if (typeof v === 'string') out.push(v);
  else if (Array.isArray(v)) for (const x of v) strings(x, out);
  else if (v && typeof v === 'object') for (const x of Object.values(v)) strings(x, out);
  return out;
}

function mrkdwnObjects(v: unknown, out: Record<string, unknown>[] = []): Record<string, unknown>[] {
  if (Array.isArray(v)) for (const x of v) mrkdwnObjects(x, out);
  else if (v && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    if (o.type === 'mrkdwn') out.push(o);
    for (const x of Object.values(o)) mrkdwnObjects(x, out);
  }
  return out;
}

test('the injection corpus arrives inert', async () => {
  const slack = await new FakeSlack().start();
  const h = harness({ slack, policy: { groupWait: 0 } });
  h.record([
    ev(h.now(), {
      errorDescription: INJECTION,
      endpoint: '/messages/<!channel>',
      appkey: 'acme#<@U123>',
      host: '<https://evil.example|a1.easemob.com>',
      source: '/var/log/`rm -rf`/<!here>.log',
      error: '<!subteam^S123>',
    }),
  ]);
  await h.settle();
  assert.equal(slack.received.length, 1);
  const body = slack.received[0].body;
  assert.equal(body.link_names, false);
  assert.equal(body.unfurl_links, false);
  assert.equal(body.unfurl_media, false);
  for (const s of strings(body)) {
    assert.doesNotMatch(s, /[<>]/, `no raw angle bracket may reach Slack: ${s}`);
  }
  const all = JSON.stringify(body);
  assert.match(all, /&lt;!channel&gt;/);
  assert.match(all, /&lt;@U123&gt;/);
  assert.match(all, /&lt;https:\/\/evil.example\|reset password&gt;/);
  assert.match(all, /&amp;lt;/, 'an entity in the log shows as typed, not as <');
  for (const o of mrkdwnObjects(body.blocks)) assert.equal(o.verbatim, true, 'no auto-linking of log text');
  // Inside the code block, the log's backticks are gone, so it cannot close the block early.
  const errBlock = body.blocks.find((b: any) => b.text?.text?.startsWith('*Latest error*'));
  const inner = errBlock.text.text.split('```')[1];
  assert.ok(inner.includes('alert(1)'));
  assert.equal(errBlock.text.text.split('```').length, 3, 'exactly one code block');
  assert.doesNotMatch(body.text, /[<>]/);
});

test('what was stored (already redacted by the parser) is exactly what is sent', async () => {
  // The real redact() lands with the parser branch; events here carry text as it leaves redaction.
  const slack = await new FakeSlack().start();
  const h = harness({ slack, policy: { groupWait: 0 } });
  const redacted = 'invalid token: Authorization: Bearer [REDACTED] for app acme#chat';
  h.record([ev(h.now(), { errorDescription: redacted, raw: `{"error_description":"${redacted}"}` }, { ref: 'E01', category: 'auth' })]);
  await h.settle();
  const stored = h.incidents.get(1)!.last_description!;
  assert.equal(stored, redacted);
  const sent = JSON.stringify(slack.received[0].body);
  assert.ok(sent.includes(esc(stored)), 'stored text reaches Slack unchanged but escaped');
  assert.doesNotMatch(sent, /eyJ|Bearer [A-Za-z0-9]{8}/);
});

function incident(over: Partial<Incident> = {}): Incident {
  return {
    id: 42, fingerprint: 'f', ref: 'E37', rule: 'reach_limit', category: 'rate_limit', severity: 'critical', title: 'Rate limit reached',
    hint: 'Slow down.', hint_zh: '调用频率超过限制，请降低调用频率。', method: 'POST', endpoint: '/messages/users', appkey: 'acme#chat', status: 429,
    error: 'reach_limit', state: 'firing', count: 120, first_seen: 1_764_331_200_000, last_seen: 1_764_331_500_000,
    last_description: 'This request has reached api limit', last_source: '/var/log/app.log', last_host: 'a1.easemob.com',
    created_at: 0, updated_at: 0, epoch: 0, epoch_started_at: 0, last_event_at: 0, resolve_after_ms: null, notify_resolved: null,
    base_severity: 'error', escalated_at: null, page_requested_at: null, page_reason: null, reopens: '[]', acknowledged_at: null,
    acknowledged_by: null, resolved_at: null, resolved_by: null, regressions: 0, ...over,
  };
}

test('Block Kit message: header, fields, error, hint, ack command, fallback text', () => {
  const m = buildSlackMessage({ kind: 'firing', incident: incident(), newEvents: 120, at: 1_764_331_500_000, rate: 24 });
  assert.equal(m.blocks[0].type, 'header');
  assert.match(header({ body: m } as never), /^:rotating_light: CRITICAL #42 Rate limit reached$/);
  const fields = (m.blocks[2].fields as { text: string }[]).map((f) => f.text);
  for (const label of ['Category', 'Ref', 'Count', 'First / last seen', 'Endpoint', 'App key', 'Source']) {
    assert.ok(fields.some((f) => f.startsWith(`*${label}*`)), label);
  }
  assert.ok(fields.some((f) => f.includes('120 (24/min)')));
  assert.match(JSON.stringify(m), /apiwatch incident ack 42/);
  assert.match(m.text, /^CRITICAL #42 Rate limit reached — 120× POST \/messages\/users acme#chat$/);
  const zh = buildSlackMessage({ kind: 'firing', incident: incident(), newEvents: 1, at: 0 }, { language: 'zh' });
  assert.match(JSON.stringify(zh), /调用频率超过限制/);
  assert.doesNotMatch(JSON.stringify(m), /调用频率/);
});

test('resolved and regression messages are distinct', () => {
  const res = buildSlackMessage({ kind: 'resolved', incident: incident({ state: 'resolved', resolved_by: 'auto' }), newEvents: 0, at: 0 });
  const reg = buildSlackMessage({ kind: 'regression', incident: incident({ regressions: 2 }), newEvents: 1, at: 0 });
  assert.match(res.blocks[0].text && (res.blocks[0] as any).text.text, /^:white_check_mark: Resolved: CRITICAL #42/);
  assert.match((reg.blocks[0] as any).text.text, /^:repeat: REGRESSION: CRITICAL #42/);
  assert.doesNotMatch(JSON.stringify(res), /incident ack/, 'nothing to acknowledge once resolved');
  assert.match(res.text, /^RESOLVED/);
  assert.match(reg.text, /^REGRESSION/);
});

test("Slack's limits: header ≤ 150, section ≤ 3000 with a marker, ≤ 50 blocks", () => {
  const m = buildSlackMessage({
    kind: 'firing',
    incident: incident({ title: 'T'.repeat(400), last_description: '&'.repeat(10_000) }),
    newEvents: 1,
    at: 0,
  });
  assert.ok(((m.blocks[0] as any).text.text as string).length <= LIMITS.header);
  for (const b of m.blocks as any[]) if (b.text?.text) assert.ok(b.text.text.length <= LIMITS.section, `${b.text.text.length}`);
  const err = (m.blocks as any[]).find((b) => b.text?.text?.startsWith('*Latest error*')).text.text as string;
  assert.ok(err.includes(TRUNCATED));
  assert.ok(err.endsWith('```'));
  assert.doesNotMatch(err, /&(a|am)?```/, 'an entity is never cut in half');
  const many = capBlocks(Array.from({ length: 80 }, () => ({ type: 'divider' })));
  assert.equal(many.length, 50);
  assert.match(JSON.stringify(many.at(-1)), /truncated: 31 more blocks/);
  assert.equal(truncate('abc', 10), 'abc');
  assert.equal(codeBlock('a`b', 100), '```a\'b```');
});
