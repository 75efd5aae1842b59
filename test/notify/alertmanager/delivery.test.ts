import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after } from 'node:test';
import { parseConfig } from '../../../src/config/load.js';
import { createChatNotifiers } from '../../../src/notify/index.js';
import { AlertmanagerNotifier, originHost } from '../../../src/notify/alertmanager/index.js';
import { originKey } from '../../../src/ingest/http/server.js';
import { Dispatcher } from '../../../src/notify/dispatch.js';
import { OutboxStore } from '../../../src/notify/outbox/store.js';
import { OutboxWorker } from '../../../src/notify/outbox/worker.js';
import { RESOLVED_RETENTION_MS } from '../../../src/notify/resend.js';
import { IncidentStore } from '../../../src/incidents/store.js';
import { Muter, SilenceStore, parseMatcher } from '../../../src/incidents/silences.js';
import { openDatabase } from '../../../src/store/db.js';
import type { ClassifiedEvent } from '../../../src/classify/types.js';
import { silentLogger } from '../../../src/util/log.js';
import { tempDir } from '../../helpers/tmp.js';
import { ev } from '../helpers.js';
import { T0 } from '../bots/fixtures.js';
import { AlertmanagerStandIn } from '../standins/alertmanager.js';

const S = 1000;
const M = 60_000;
const RESOLVE_AFTER = 10 * M;

function amConfig(urls: string[]) {
  return parseConfig(
    `http: { public_url: "https://apiwatch.example.com/ops" }
notify:
  alertmanager:
    urls: [${urls.map((u) => JSON.stringify(u)).join(', ')}]
    resend_interval: 1m
    instance: edge-1
    labels: { team: im, env: prod }
`,
    'apiwatch.yaml',
    {},
  );
}

/** One apiwatch: a real SQLite file, the real dispatcher (with its resend stage) and outbox worker, on a clock the test moves. */
function instance(urls: string[], clock: { t: number }) {
  const db = openDatabase(join(tempDir(), 'apiwatch.db'));
  after(() => db.open && db.close());
  const now = () => clock.t;
  const notifiers = createChatNotifiers(amConfig(urls), { now });
  const incidents = new IncidentStore(db, { resolveAfterMs: RESOLVE_AFTER });
  const outbox = new OutboxStore(db);
  const silences = new SilenceStore(db);
  const dispatcher = new Dispatcher({
    db, notifiers, log: silentLogger, muter: new Muter(silences, []),
    policy: { groupWait: 0, groupInterval: 5 * M, repeatInterval: 4 * 60 * M }, resolveAfterMs: RESOLVE_AFTER, now,
  });
  const worker = new OutboxWorker({ store: outbox, notifiers, log: silentLogger, now, random: () => 0.5 });
  const commit = db.transaction((events: ClassifiedEvent[]) => incidents.record(events, clock.t));
  return {
    db, outbox, dispatcher, worker, silences, incidents,
    record(events: ClassifiedEvent[]) {
      dispatcher.handle(commit(events));
    },
    async settle() {
      dispatcher.tick();
      for (let i = 0; i < 50; i++) {
        await worker.pump();
        const due = worker.nextDueIn();
        if (due === null || due > 0) return;
      }
    },
  };
}

/** One Alertmanager stand-in on the test's clock, and one apiwatch pushing to it. */
async function single() {
  const clock = { t: T0 };
  const am = await new AlertmanagerStandIn().start();
  am.clock = () => clock.t;
  return { clock, am, x: instance([am.base], clock) };
}

/** Moves every instance's clock in steps, ticking and delivering at each. */
async function run(clock: { t: number }, ms: number, step: number, ...xs: { settle(): Promise<void> }[]) {
  const end = clock.t + ms;
  while (clock.t < end) {
    clock.t = Math.min(end, clock.t + step);
    for (const x of xs) await x.settle();
  }
}

test('an incident is pushed to every peer like Prometheus pushes: labels without a host, annotations, endsAt four resend intervals ahead', async () => {
  const clock = { t: T0 };
  const a = await new AlertmanagerStandIn().start();
  const b = await new AlertmanagerStandIn().start();
  a.clock = b.clock = () => clock.t;
  const x = instance([a.base, `${b.base}/`], clock);
  x.record([ev(clock.t - 5 * S, { source: 'web-1:/var/log/app.log' }), ev(clock.t - 2 * S, { source: 'web-2:/var/log/app.log' })]);
  await x.settle();
  for (const peer of [a, b]) {
    assert.equal(peer.accepted.length, 1, 'one push per peer');
    const [alert] = peer.accepted[0]!.json as any[];
    assert.deepEqual(alert.labels, {
      alertname: 'EasemobApiError', ref: 'E37', rule: 'reach_limit', category: 'rate_limit', severity: 'error',
      appkey: 'acme#chat', endpoint: '/messages/users', team: 'im', env: 'prod',
    });
    assert.equal(alert.annotations.summary, 'Rate limit reached');
    assert.equal(alert.annotations.count, '2');
    assert.equal(alert.annotations.hosts, 'web-2, web-1', 'the HTTP origins that saw it, newest first');
    assert.equal(alert.annotations.first_seen, new Date(T0 - 5 * S).toISOString());
    assert.ok(alert.annotations.description && alert.annotations.hint_zh);
    assert.match(alert.generatorURL, /^https:\/\/apiwatch\.example\.com\/ops\/incidents\/\d+$/);
    assert.equal(Date.parse(alert.endsAt), clock.t + 4 * M, 'valid for 4 × resend_interval');
    assert.ok(Date.parse(alert.startsAt) <= clock.t);
    assert.equal(peer.firing().length, 1);
  }
});

test('firing alerts are re-sent every resend_interval; the resolve carries endsAt = the resolve time and is repeated for 15 minutes', async () => {
  const { clock, am, x } = await single();
  x.record([ev(clock.t)]);
  await x.settle();
  assert.equal(am.accepted.length, 1);
  // Events keep coming for 5 minutes: the paging policy sends nothing new (group_interval), the resend stage does.
  for (let i = 0; i < 5; i++) {
    await run(clock, M, 10 * S, x);
    x.record([ev(clock.t)]);
  }
  const firingPushes = am.accepted.length;
  assert.ok(firingPushes >= 6 && firingPushes <= 7, `a push a minute while firing (got ${firingPushes})`);
  for (const r of am.accepted) {
    const [alert] = r.json as any[];
    assert.equal(Date.parse(alert.endsAt), r.at + 4 * M, 'each push valid for four intervals from its own delivery');
  }
  assert.equal(am.firing().length, 1);
  // Quiet: resolve_after (10 min) passes, the incident resolves, the resolve goes out at once.
  await run(clock, RESOLVE_AFTER + 30 * S, 10 * S, x);
  const inc = x.incidents.list()[0]!;
  assert.equal(inc.state, 'resolved');
  const resolves = am.accepted.filter((r) => Date.parse((r.json as any[])[0].endsAt) <= r.at);
  assert.ok(resolves.length >= 1, 'a resolve was pushed');
  assert.equal(Date.parse((resolves[0]!.json as any[])[0].endsAt), inc.resolved_at, 'endsAt = the resolve time');
  assert.ok(resolves[0]!.at - inc.resolved_at! < 10 * S + 1, 'pushed on the tick that resolved it');
  assert.equal(am.firing().length, 0, 'Alertmanager sees it resolved');
  // Repeated every minute for RESOLVED_RETENTION_MS, then never again.
  await run(clock, RESOLVED_RETENTION_MS + 5 * M, 30 * S, x);
  const allResolves = am.accepted.filter((r) => Date.parse((r.json as any[])[0].endsAt) <= r.at);
  assert.ok(allResolves.length >= 14 && allResolves.length <= 17, `resolve repeated ~15 times (got ${allResolves.length})`);
  const last = allResolves.at(-1)!.at;
  assert.ok(last - inc.resolved_at! <= RESOLVED_RETENTION_MS, 'no resolve after the retention');
  const n = am.accepted.length;
  await run(clock, 10 * M, M, x);
  assert.equal(am.accepted.length, n, 'nothing more once resolved and retained');
});

test('a peer that is down gets the alert when it is back, unexpired, from one coalesced push; the other peer is never held back', async () => {
  const clock = { t: T0 };
  const up = await new AlertmanagerStandIn().start();
  const down = await new AlertmanagerStandIn().start();
  up.clock = down.clock = () => clock.t;
  let broken = true;
  down.fault = () => (broken ? { status: 503, body: 'starting' } : undefined);
  const x = instance([up.base, down.base], clock);
  x.record([ev(clock.t)]);
  for (let i = 0; i < 10; i++) {
    await run(clock, M, 10 * S, x);
    x.record([ev(clock.t)]);
  }
  assert.ok(up.accepted.length >= 10, `the healthy peer got every resend (${up.accepted.length})`);
  assert.equal(down.accepted.length, 0);
  const pending = x.outbox.list({ state: 'pending' }).filter((r) => r.target === new URL(down.base).host);
  assert.equal(pending.length, 1, 'resends to a down peer coalesce into the one queued push');
  broken = false;
  await run(clock, 2 * M, 5 * S, x);
  assert.ok(down.accepted.length >= 1);
  const [alert] = down.accepted[0]!.json as any[];
  assert.ok(Date.parse(alert.endsAt) > down.accepted[0]!.at, 'endsAt set at delivery: not already expired');
  assert.equal(down.firing().length, 1);
});

test('a resolve goes out even when the paging policy sends no resolved notice (warning, notify_resolved off by default)', async () => {
  const { clock, am, x } = await single();
  x.record([ev(clock.t, {}, { severity: 'warning', ref: 'S404', rule: 'not_found', category: 'not_found' })]);
  await x.settle();
  assert.equal(am.firing().length, 1);
  await run(clock, RESOLVE_AFTER + M, 10 * S, x);
  assert.equal(x.incidents.list()[0]!.state, 'resolved');
  assert.equal(am.firing().length, 0, 'resolved in Alertmanager');
  assert.equal(x.outbox.list().filter((r) => r.channel === 'alertmanager' && r.kind === 'resolved').length >= 1, true);
});

test('a silence stops the pushes, so Alertmanager ends the alert by itself after its validity', async () => {
  const { clock, am, x } = await single();
  x.record([ev(clock.t)]);
  await x.settle();
  x.silences.add({ matchers: [parseMatcher('ref=E37')], startsAt: clock.t, endsAt: clock.t + 60 * M, createdBy: 'test', comment: 'known' }, clock.t);
  const before = am.accepted.length;
  for (let i = 0; i < 6; i++) {
    await run(clock, M, 20 * S, x);
    x.record([ev(clock.t)]);
  }
  assert.equal(am.accepted.length, before, 'no push while silenced');
  assert.equal(am.firing().length, 0, 'expired after 4 intervals');
});

test('two apiwatch instances seeing the same failure make one alert in Alertmanager', async () => {
  const clock = { t: T0 };
  const am = await new AlertmanagerStandIn().start();
  am.clock = () => clock.t;
  const one = instance([am.base], clock);
  const two = instance([am.base], clock);
  one.record([ev(clock.t, { source: '/var/log/app/a.log' })]);
  two.record([ev(clock.t + S, { source: '/var/log/app/b.log' })]);
  await run(clock, 3 * M, 10 * S, one, two);
  assert.ok(am.accepted.length >= 4);
  assert.equal(am.alerts.size, 1, 'one label set: one alert');
  assert.equal(am.firing().length, 1);
});

test('a push Alertmanager refuses as invalid is a dead letter that names the reason; auth and path errors name the setting', async () => {
  const clock = { t: T0 };
  const am = await new AlertmanagerStandIn().start();
  am.clock = () => clock.t;
  am.token = 'sekret-token-123';
  const cfg = amConfig([am.base]);
  const n = createChatNotifiers(cfg, { now: () => clock.t }).find((x) => x.name === 'alertmanager') as AlertmanagerNotifier;
  const [msg] = n.render({ kind: 'firing', incident: { ...incidentRow(), id: 7 }, newEvents: 1, at: clock.t });
  const denied = await n.deliver(msg!.target, msg!.payload);
  assert.equal(denied.ok, false);
  assert.equal(denied.permanent, true);
  assert.match(denied.error!, /notify\.alertmanager\.basic_auth \/ bearer_token/);
  am.token = undefined;
  am.prefix = '/alertmanager';
  const missing = await n.deliver(msg!.target, msg!.payload);
  assert.match(missing.error!, /HTTP 404.*notify\.alertmanager\.urls/);
  am.prefix = '';
  const bad = await n.deliver(msg!.target, { alert: { ...(msg!.payload as any).alert, labels: {} } });
  assert.equal(bad.status, 400);
  assert.match(bad.error!, /at least one label pair required/);
  const ok = await n.deliver(msg!.target, msg!.payload);
  assert.equal(ok.ok, true);
});

function incidentRow() {
  return {
    fingerprint: 'E37|/messages/users|acme#chat', ref: 'E37', rule: 'reach_limit', category: 'rate_limit', severity: 'error',
    title: 'Rate limit reached', hint: 'Slow down.', hint_zh: '请降低调用频率', method: 'POST', endpoint: '/messages/users', appkey: 'acme#chat',
    status: 429, error: 'reach_limit', state: 'firing', count: 3, first_seen: T0 - M, last_seen: T0, last_description: null, last_source: null,
    last_host: null, created_at: T0 - M, updated_at: T0, epoch: 0, epoch_started_at: T0 - M, last_event_at: T0, resolve_after_ms: null,
    notify_resolved: null, base_severity: null, escalated_at: null, page_requested_at: null, page_reason: null, reopens: '[]',
    acknowledged_at: null, acknowledged_by: null, resolved_at: null, resolved_by: null, regressions: 0,
  } as const;
}

test('the hosts annotation reads HTTP-source origins the way the HTTP source writes them; local files are this instance', () => {
  assert.equal(originHost(originKey('web-7.prod', '/var/log/app/app.log'), 'edge-1'), 'web-7.prod');
  assert.equal(originHost(originKey('10.0.0.5', 'C:/logs/app.log'), 'edge-1'), '10.0.0.5');
  assert.equal(originHost('/var/log/app/server.log', 'edge-1'), 'edge-1');
  assert.equal(originHost('/var/log/odd:name.log', 'edge-1'), 'edge-1', 'a path with a colon is still a local file');
});
