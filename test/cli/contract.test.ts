import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { apiwatch } from '../helpers/cli.js';
import { tempDir } from '../helpers/tmp.js';

const CLASSIFY_KEYS = ['line', 'ref', 'rule', 'category', 'severity', 'status', 'error', 'description', 'method', 'endpoint', 'appkey', 'ts', 'hint'];
const INCIDENT_KEYS = ['id', 'ref', 'rule', 'category', 'severity', 'state', 'endpoint', 'appkey', 'count', 'first_seen', 'last_seen'];

const rateLimited = (t: number) =>
  JSON.stringify({
    level: 50, time: t, pid: 1, hostname: 'app-1', msg: 'Easemob request failed', method: 'POST',
    url: 'https://a1.easemob.com/acme/chatprod/messages/users', status: 429,
    body: { error: 'reach_limit', exception: 'EasemobRateLimitException', timestamp: t, duration: 0, error_description: 'This request has reached api limit' },
  });
const ordinary = '2026-11-27 10:15:30.123 INFO  [main] c.a.chat.Heartbeat - ok';

/** The two failures' times: five days before the test's own now (on a whole second), so any day works. */
const T0 = Math.floor((Date.now() - 5 * 86_400_000) / 1000) * 1000;
const iso = (t: number) => new Date(t).toISOString();

function fixture(dir: string): string {
  const f = join(dir, 'app.log');
  writeFileSync(f, [ordinary, rateLimited(T0), ordinary, rateLimited(T0 + 1000)].join('\n') + '\n');
  return f;
}

test('--help works on every command', () => {
  for (const args of [['--help'], ['run', '--help'], ['classify', '--help'], ['replay', '--help'], ['incidents', '--help'], ['check-config', '--help'], ['rules', 'lint', '--help']]) {
    const r = apiwatch(args);
    assert.equal(r.status, 0, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stdout, /Usage: apiwatch/, args.join(' '));
  }
});

test('classify --json prints one object per event with the contract keys', () => {
  const dir = tempDir();
  const r = apiwatch(['classify', '--json', fixture(dir)]);
  assert.equal(r.status, 0, r.stderr);
  const events = r.stdout.trim().split('\n').map((l) => JSON.parse(l));
  assert.equal(events.length, 2);
  for (const k of CLASSIFY_KEYS) assert.ok(k in events[0], `missing key ${k}`);
  assert.deepEqual(events.map((e) => e.line), [2, 4]);
  assert.equal(events[0].ref, 'E37');
  assert.equal(events[0].status, 429);
  assert.equal(events[0].error, 'reach_limit');
  assert.equal(events[0].method, 'POST');
  assert.equal(events[0].endpoint, '/messages/users');
  assert.equal(events[0].appkey, 'acme#chatprod');
  assert.equal(events[0].category, 'rate_limit');
  assert.equal(events[0].ts, iso(T0));
  assert.ok(events[0].hint.length > 20, 'a remediation hint');
});

test('classify reads stdin, exits 0 with no events, and fails clearly on an unreadable file', () => {
  const viaStdin = apiwatch(['classify', '--json', '-'], { input: rateLimited(Date.now()) + '\n' });
  assert.equal(viaStdin.status, 0, viaStdin.stderr);
  assert.equal(viaStdin.stdout.trim().split('\n').length, 1);

  const none = apiwatch(['classify', '--json', '-'], { input: `${ordinary}\n${ordinary}\n` });
  assert.equal(none.status, 0);
  assert.equal(none.stdout, '');

  const dir = tempDir();
  const missing = apiwatch(['classify', join(dir, 'nope.log')]);
  assert.notEqual(missing.status, 0);
  assert.match(missing.stderr, /cannot read .*nope\.log/);

  const locked = join(dir, 'locked.log');
  writeFileSync(locked, 'x\n');
  chmodSync(locked, 0o000);
  if (process.getuid?.() !== 0) {
    const denied = apiwatch(['classify', locked]);
    assert.notEqual(denied.status, 0);
    assert.match(denied.stderr, /cannot read .*locked\.log/);
  }
});

test('replay stores events and incidents; incidents --json has the contract keys', () => {
  const dir = tempDir();
  const cfg = join(dir, 'apiwatch.yaml');
  writeFileSync(cfg, 'state_dir: ./state\nsources: []\n');
  const r = apiwatch(['replay', '--config', cfg, fixture(dir)]);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /2 events stored/);
  const inc = apiwatch(['incidents', '--json', '--config', cfg]);
  assert.equal(inc.status, 0, inc.stderr);
  const list = inc.stdout.trim().split('\n').map((l) => JSON.parse(l));
  assert.equal(list.length, 1);
  for (const k of INCIDENT_KEYS) assert.ok(k in list[0], `missing key ${k}`);
  assert.equal(list[0].count, 2);
  assert.equal(list[0].ref, 'E37');
  assert.equal(list[0].state, 'firing');
  assert.equal(list[0].first_seen, iso(T0));
  assert.equal(list[0].last_seen, iso(T0 + 1000));
  const open = apiwatch(['incidents', '--json', '--state', 'open', '--config', cfg]);
  assert.equal(open.stdout.trim().split('\n').length, 1);
  const resolved = apiwatch(['incidents', '--json', '--state', 'resolved', '--config', cfg]);
  assert.equal(resolved.stdout, '');
});

test('check-config: OK on a good file, exit 2 naming file, line and key on a bad one', () => {
  const dir = tempDir();
  const good = join(dir, 'good.yaml');
  writeFileSync(good, 'state_dir: ./s\nsources:\n  - path: ./logs/*.log\n');
  const ok = apiwatch(['check-config', '--config', good]);
  assert.equal(ok.status, 0, ok.stderr);
  assert.match(ok.stdout, /OK/);
  const bad = join(dir, 'bad.yaml');
  writeFileSync(bad, 'state_dir: ./s\nnotify:\n  console:\n    min_severity: loud\n');
  const r = apiwatch(['check-config', '--config', bad]);
  assert.equal(r.status, 2);
  assert.match(r.stderr, /bad\.yaml:4: notify\.console\.min_severity: /);
});
