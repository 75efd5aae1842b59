import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '../helpers/tmp.js';
import { openDatabase } from '../../src/store/db.js';
import { IncidentStore } from '../../src/incidents/store.js';
import { OutboxStore } from '../../src/notify/outbox/store.js';
import { FakeSlack, ev } from './helpers.js';

function cli(args: string[]): Promise<{ code: number; out: string; err: string }> {
  return new Promise((resolve) => {
    const p = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], {
      env: { ...process.env, APIWATCH_LOG_LEVEL: 'silent', APIWATCH_CONFIG: '' },
    });
    let out = '';
    let err = '';
    p.stdout.on('data', (d) => (out += d));
    p.stderr.on('data', (d) => (err += d));
    p.on('close', (code) => resolve({ code: code ?? -1, out, err }));
  });
}

function setup(slackYaml = '') {
  const dir = tempDir();
  const config = join(dir, 'apiwatch.yaml');
  writeFileSync(config, `state_dir: ${dir}/state\nsources: []\n${slackYaml}`);
  const db = openDatabase(join(dir, 'state', 'apiwatch.db'));
  const store = new IncidentStore(db);
  const now = Date.now();
  db.transaction(() => store.record([ev(now - 2000, { errorDescription: 'token=[REDACTED] over limit' }), ev(now - 1000)], now))();
  const outbox = new OutboxStore(db);
  const dead = outbox.enqueue({ channel: 'slack', target: 'default', incidentId: 1, kind: 'firing', payload: { text: 'x' } }, now);
  outbox.markDead(dead, 404, 'HTTP 404 no_service');
  db.close();
  return { dir, config };
}

test('incident show / ack / resolve, and incidents --json keeps its keys', async () => {
  const { config } = setup();
  const show = await cli(['incident', 'show', '1', '--config', config, '--json']);
  assert.equal(show.code, 0, show.err);
  const j = JSON.parse(show.out);
  assert.equal(j.count, 2);
  assert.equal(j.state, 'firing');
  assert.equal(j.samples.length, 2);
  assert.equal(j.samples[1].error_description, 'token=[REDACTED] over limit');
  assert.equal(j.messages[0].state, 'dead');
  const text = await cli(['incident', 'show', '1', '--config', config]);
  assert.match(text.out, /#1 ERROR firing\s+Rate limit reached/);
  assert.match(text.out, /outbox #1 firing → default: dead \(HTTP 404 no_service\)/);

  const ack = await cli(['incident', 'ack', '1', '--by', 'alice', '--config', config]);
  assert.equal(ack.code, 0, ack.err);
  assert.match(ack.out, /#1 acknowledged by alice/);
  const list = await cli(['incidents', '--json', '--config', config]);
  const row = JSON.parse(list.out.trim());
  assert.deepEqual(Object.keys(row), [
    'id', 'ref', 'rule', 'category', 'severity', 'state', 'title', 'method', 'endpoint', 'appkey', 'status', 'error',
    'count', 'first_seen', 'last_seen', 'last_description', 'hint', 'fingerprint',
  ]);
  assert.equal(row.state, 'acknowledged');
  const res = await cli(['incident', 'resolve', '1', '--config', config]);
  assert.equal(res.code, 0, res.err);
  const again = await cli(['incident', 'ack', '1', '--config', config]);
  assert.equal(again.code, 1);
  assert.match(again.err, /resolved; nothing to acknowledge/);
  const missing = await cli(['incident', 'show', '9', '--config', config]);
  assert.equal(missing.code, 1);
  const bad = await cli(['incident', 'show', 'abc', '--config', config]);
  assert.equal(bad.code, 2);
});

test('silence add / list / expire', async () => {
  const { config } = setup();
  const add = await cli(['silence', 'add', '--match', 'ref=E37', '--match', 'endpoint=/messages', '--for', '2h', '--comment', 'bulk import', '--config', config]);
  assert.equal(add.code, 0, add.err);
  assert.match(add.out, /silence #1 until .*: ref=E37 endpoint=\/messages/);
  const shown = await cli(['incidents', '--config', config]);
  assert.match(shown.out, /#1 .*\[muted by silence #1\]/, 'silenced incidents are still shown');
  const list = await cli(['silence', 'list', '--json', '--config', config]);
  const s = JSON.parse(list.out.trim());
  assert.deepEqual(s.matchers, [{ name: 'ref', op: '=', value: 'E37' }, { name: 'endpoint', op: '=', value: '/messages' }]);
  assert.equal(s.comment, 'bulk import');
  assert.equal(Date.parse(s.ends_at) - Date.parse(s.starts_at), 7_200_000);
  const exp = await cli(['silence', 'expire', '1', '--config', config]);
  assert.equal(exp.code, 0, exp.err);
  const after = await cli(['silence', 'list', '--config', config]);
  assert.match(after.out, /no silences/);
  const wrong = await cli(['silence', 'add', '--match', 'colour=red', '--config', config]);
  assert.equal(wrong.code, 2);
  assert.match(wrong.err, /bad matcher "colour=red"/);
});

test('outbox --dead shows dead letters and --retry queues one again', async () => {
  const { config } = setup();
  const dead = await cli(['outbox', '--dead', '--json', '--config', config]);
  assert.equal(dead.code, 0, dead.err);
  const r = JSON.parse(dead.out.trim());
  assert.equal(r.state, 'dead');
  assert.equal(r.last_error, 'HTTP 404 no_service');
  const retry = await cli(['outbox', '--retry', '1', '--config', config]);
  assert.equal(retry.code, 0, retry.err);
  const pending = await cli(['outbox', '--config', config]);
  assert.match(pending.out, /pending 1 {2}sent 0 {2}dead 0/);
});

test('notify test slack posts to the webhook and reports a permanent error', async () => {
  const slack = await new FakeSlack().start();
  slack.reply = (r) => (r.path === '/gone' ? { status: 404, body: 'no_service' } : { status: 200 });
  const { config } = setup(
    `notify:\n  slack:\n    webhook_url: ${slack.url('/ok')}\n    routes:\n      - name: oncall\n        webhook_url: ${slack.url('/gone')}\n        match: { severity: [critical] }\n`,
  );
  const r = await cli(['notify', 'test', 'slack', '--config', config]);
  assert.equal(r.code, 1);
  assert.match(r.out, /default: ok \(HTTP 200\)/);
  assert.match(r.out, /oncall: FAILED \(permanent\) HTTP 404 no_service/);
  assert.doesNotMatch(r.out + r.err, /127\.0\.0\.1/, 'the webhook URL is a secret');
  assert.equal(slack.received.length, 1);
  assert.equal(slack.received[0].body.unfurl_links, false);
  const only = await cli(['notify', 'test', 'slack', '--route', 'default', '--config', config]);
  assert.equal(only.code, 0, only.out + only.err);
});

test('every new command answers --help', async () => {
  for (const args of [['incident', 'show'], ['incident', 'ack'], ['silence', 'add'], ['silence', 'list'], ['outbox'], ['notify', 'test', 'slack']]) {
    const r = await cli([...args, '--help']);
    assert.equal(r.code, 0, args.join(' '));
    assert.match(r.out, /--config <file>/, args.join(' '));
  }
});
