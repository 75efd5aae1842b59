import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { openDatabase } from '../../../src/store/db.js';
import { IncidentStore } from '../../../src/incidents/store.js';
import { Muter, SilenceStore } from '../../../src/incidents/silences.js';
import { Dispatcher } from '../../../src/notify/dispatch.js';
import { OutboxStore } from '../../../src/notify/outbox/store.js';
import { OutboxWorker, type DeliveryOutcome } from '../../../src/notify/outbox/worker.js';
import { ConsoleNotifier } from '../../../src/notify/console/index.js';
import type { DeliveryResult, Notification, Notifier } from '../../../src/notify/notifier.js';
import { silentLogger } from '../../../src/util/log.js';
import { tempDir } from '../../helpers/tmp.js';
import { ev } from '../helpers.js';

function setup(notifiers: Notifier[]) {
  const db = openDatabase(join(tempDir(), 'apiwatch.db'));
  after(() => db.open && db.close());
  const clock = { t: 1_800_000_000_000 };
  const incidents = new IncidentStore(db);
  const dispatcher = new Dispatcher({
    db, notifiers, log: silentLogger, muter: new Muter(new SilenceStore(db), []), policy: { groupWait: 0 }, now: () => clock.t,
  });
  const record = (endpoint: string) => db.transaction(() => incidents.record([ev(clock.t, { endpoint })], clock.t))();
  const decided = () => (db.prepare('SELECT count(*) AS n FROM incident_notify').get() as { n: number }).n;
  return { db, clock, dispatcher, record, decided, outbox: new OutboxStore(db) };
}

/** A channel that remembers what it delivered; `answer` decides each delivery. */
function channel(name: string, answer: (target: string) => DeliveryResult = () => ({ ok: true, status: 200 })) {
  const delivered: { target: string; payload: unknown }[] = [];
  const n: Notifier = {
    name,
    minSeverity: 'info',
    rate: {},
    render: (x: Notification) => [{ target: 'main', payload: { incident: x.incident.id, kind: x.kind } }],
    deliver: async (target, payload) => {
      delivered.push({ target, payload });
      return answer(target);
    },
  };
  return { n, delivered };
}

test('the paging decision and every channel\'s outbox rows commit together', () => {
  const a = channel('alpha');
  const b = channel('beta');
  const s = setup([a.n, b.n, new ConsoleNotifier('error', () => {})]);
  s.record('/x');
  assert.equal(s.dispatcher.tick().length, 1);
  assert.equal(s.decided(), 1);
  const rows = s.db.prepare('SELECT channel, target, kind, state FROM outbox ORDER BY channel').all();
  assert.deepEqual(rows, [
    { channel: 'alpha', target: 'main', kind: 'firing', state: 'pending' },
    { channel: 'beta', target: 'main', kind: 'firing', state: 'pending' },
    { channel: 'console', target: 'stdout', kind: 'firing', state: 'pending' },
  ]);
  assert.equal(a.delivered.length + b.delivered.length, 0, 'the dispatcher delivers nothing itself');
});

test('a channel that cannot render rolls the decision back: the incident is decided again on the next tick', () => {
  let broken = true;
  const bad: Notifier = {
    ...channel('bad').n,
    render: (x) => {
      if (broken) throw new Error('render failed');
      return [{ target: 'main', payload: { id: x.incident.id } }];
    },
  };
  const good = channel('good');
  const s = setup([good.n, bad]);
  s.record('/x');
  assert.throws(() => s.dispatcher.tick(), /render failed/);
  assert.equal(s.decided(), 0, 'no decision without its messages');
  assert.equal(s.outbox.counts().pending, 0, "nor the other channel's row");
  broken = false;
  assert.equal(s.dispatcher.tick().length, 1);
  assert.equal(s.decided(), 1);
  assert.equal(s.outbox.counts().pending, 2);
});

test('one worker delivers every channel; a dead channel does not hold up the others, and outcomes are counted per channel', async () => {
  const ok = channel('ok');
  const dead = channel('dead', () => ({ ok: false, permanent: true, status: 404, error: 'HTTP 404 no_service; check notify.dead.url' }));
  const printed: string[] = [];
  const con = new ConsoleNotifier('error', (t) => printed.push(t));
  const s = setup([ok.n, dead.n, con]);
  const counted: [string, DeliveryOutcome][] = [];
  const worker = new OutboxWorker({ store: s.outbox, notifiers: [ok.n, dead.n, con], log: silentLogger, now: () => s.clock.t, onResult: (c, r) => counted.push([c, r]) });
  s.record('/x');
  s.record('/y');
  s.dispatcher.tick();
  while ((await worker.pump()) > 0);
  assert.deepEqual(ok.delivered.map((d) => d.payload), [{ incident: 1, kind: 'firing' }, { incident: 2, kind: 'firing' }], 'in order');
  assert.equal(printed.length, 2);
  assert.match(printed[0], /\[NEW\] ERROR #1/);
  const byChannel = s.db.prepare('SELECT channel, state, count(*) AS n FROM outbox GROUP BY channel, state ORDER BY channel').all();
  assert.deepEqual(byChannel, [
    { channel: 'console', state: 'sent', n: 2 },
    { channel: 'dead', state: 'dead', n: 2 },
    { channel: 'ok', state: 'sent', n: 2 },
  ]);
  const last = s.db.prepare("SELECT last_error FROM outbox WHERE channel = 'dead' LIMIT 1").get() as { last_error: string };
  assert.match(last.last_error, /check notify\.dead\.url/);
  const tally = (c: string, r: string) => counted.filter(([x, y]) => x === c && y === r).length;
  assert.equal(tally('ok', 'sent'), 2);
  assert.equal(tally('console', 'sent'), 2);
  assert.equal(tally('dead', 'dead'), 2);
  assert.equal(tally('dead', 'sent'), 0, 'a dead message is never counted as sent');
});

test('rows of a channel that is no longer configured are dead-lettered with the setting to add', async () => {
  const gone = channel('wecom');
  const s = setup([gone.n]);
  s.record('/x');
  s.dispatcher.tick();
  const worker = new OutboxWorker({ store: s.outbox, notifiers: [], log: silentLogger, now: () => s.clock.t });
  assert.equal(await worker.pump(), 1);
  const row = s.outbox.list()[0];
  assert.equal(row.state, 'dead');
  assert.match(row.last_error!, /no "wecom" channel is configured \(notify\.wecom\)/);
});
