import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ConsoleNotifier } from '../../src/notify/console/index.js';
import type { Incident } from '../../src/incidents/types.js';
import type { Notification } from '../../src/notify/notifier.js';

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
  const c = new ConsoleNotifier('error', (t) => out.push(t));
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
  const c = new ConsoleNotifier('error', (t) => out.push(t));
  await print(c, note(incident({ severity: 'warning' })));
  assert.equal(out.length, 0);
  await print(c, note(incident({ severity: 'warning', state: 'resolved' }), 'resolved'));
  assert.match(out.join(''), /\[RESOLVED\]/);
});
