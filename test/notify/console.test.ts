import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ConsoleNotifier } from '../../src/notify/console/index.js';
import type { Incident } from '../../src/incidents/types.js';
import type { Notification } from '../../src/notify/notifier.js';
import { wantsColor } from '../../src/util/terminal.js';

function incident(over: Partial<Incident> = {}): Incident {
  return {
    id: 7, fingerprint: 'f', ref: 'E37', rule: 'easemob.rate_limit.api-limit', category: 'rate_limit', severity: 'error',
    title: 'API call-rate limit reached', hint: 'Back off and retry.', hint_zh: '', method: 'POST', endpoint: '/messages/users',
    appkey: 'acme#chat', status: 429, error: 'reach_limit', state: 'firing', count: 3, first_seen: 0, last_seen: 0,
    last_description: 'This request has reached api limit', last_source: '/var/log/app.log', last_host: 'a1.easemob.com',
    created_at: 0, updated_at: 0, ...over,
  } as Incident;
}

/** What the console channel prints for a notification: render (the dispatcher's part), then deliver (the worker's). */
async function print(c: ConsoleNotifier, n: Notification): Promise<void> {
  for (const m of c.render(n)) assert.equal((await c.deliver(m.target, JSON.parse(JSON.stringify(m.payload)))).ok, true);
}

const note = (i: Incident, kind: Notification['kind'] = 'firing'): Notification => ({ kind, incident: i, newEvents: 1, at: 0 });

test('console alerts carry ref, endpoint, hint and the ack command; log text cannot drive the terminal', async () => {
  const out: string[] = [];
  const c = new ConsoleNotifier('error', (t) => out.push(t), { timezone: 'UTC', color: false });
  await print(c, note(incident({ last_description: 'evil \u001b[2J\u001b]0;pwned\u0007 text' })));
  const text = out.join('');
  assert.match(text, /\[NEW\] ERROR #7 API call-rate limit reached \(E37, rate_limit\)/);
  assert.match(text, /POST \/messages\/users {2}app acme#chat/);
  assert.match(text, /fix: Back off and retry\./);
  assert.match(text, /ack: apiwatch incident ack 7/);
  assert.doesNotMatch(text, /[\u001b\u0007]/, 'no escape or bell characters reach the terminal');
  assert.match(text, /evil \?\[2J\?\]0;pwned\? text/);
});

test('console alerts below the minimum severity are not printed; resolved notices are', async () => {
  const out: string[] = [];
  const c = new ConsoleNotifier('error', (t) => out.push(t), { timezone: 'UTC', color: false });
  await print(c, note(incident({ severity: 'warning' })));
  assert.equal(out.length, 0);
  await print(c, note(incident({ severity: 'warning', state: 'resolved' }), 'resolved'));
  assert.match(out.join(''), /\[RESOLVED\]/);
});

test('console times are ISO 8601 in the configured zone, with the offset', async () => {
  const out: string[] = [];
  const at = Date.UTC(2026, 10, 27, 2, 15, 30, 123);
  await print(new ConsoleNotifier('error', (t) => out.push(t), { timezone: 'Asia/Shanghai', color: false }), note(incident({ last_seen: at })));
  await print(new ConsoleNotifier('error', (t) => out.push(t), { timezone: 'America/New_York', color: false }), note(incident({ last_seen: at })));
  assert.match(out[0], / last 2026-11-27T10:15:30\.123\+08:00\n/);
  assert.match(out[1], / last 2026-11-26T21:15:30\.123-05:00\n/);
});

test('resolved and acknowledged blocks do not offer ack; the others do', async () => {
  const kinds: Notification['kind'][] = ['firing', 'update', 'reminder', 'regression', 'escalated', 'acknowledged', 'resolved'];
  const offered: string[] = [];
  for (const kind of kinds) {
    const out: string[] = [];
    await print(new ConsoleNotifier('error', (t) => out.push(t), { timezone: 'UTC', color: false }), note(incident(), kind));
    assert.equal(out.length, 1, kind);
    if (/ack: apiwatch incident ack 7/.test(out[0])) offered.push(kind);
  }
  assert.deepEqual(offered, ['firing', 'update', 'reminder', 'regression', 'escalated']);
});

test('colour only when asked for: the first line painted by severity, the log text still escaped', async () => {
  const out: string[] = [];
  await print(new ConsoleNotifier('error', (t) => out.push(t), { timezone: 'UTC', color: true }), note(incident({ severity: 'critical', title: 'x\u001b[31my' })));
  assert.ok(out[0].startsWith('\u001b[1;31m!! [NEW] CRITICAL #7 x?[31my'), JSON.stringify(out[0]));
  assert.equal(out[0].split('\u001b').length - 1, 2, 'only our own two SGR sequences');
  const plain: string[] = [];
  await print(new ConsoleNotifier('error', (t) => plain.push(t), { timezone: 'UTC', color: false }), note(incident({ severity: 'critical' })));
  assert.doesNotMatch(plain[0], /\u001b/);
  // The outbox keeps the text without colour: colour belongs to the terminal it is printed on.
  const [m] = new ConsoleNotifier('error', () => {}, { timezone: 'UTC', color: true }).render(note(incident()));
  assert.doesNotMatch(JSON.stringify(m.payload), /\\u001b/);
});

test('colour: a TTY only, never with NO_COLOR, forced by FORCE_COLOR', () => {
  assert.equal(wantsColor({ isTTY: true }, {}), true);
  assert.equal(wantsColor({ isTTY: false }, {}), false);
  assert.equal(wantsColor({}, {}), false);
  assert.equal(wantsColor({ isTTY: true }, { NO_COLOR: '1' }), false);
  assert.equal(wantsColor({ isTTY: true }, { NO_COLOR: '' }), true, 'an empty NO_COLOR does not count (no-color.org)');
  assert.equal(wantsColor({ isTTY: false }, { FORCE_COLOR: '1' }), true);
  assert.equal(wantsColor({ isTTY: true }, { FORCE_COLOR: '0' }), true);
  assert.equal(wantsColor({ isTTY: true }, { NO_COLOR: '1', FORCE_COLOR: '1' }), false);
});
