import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { appendFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '../helpers/tmp.js';
import { FakeSlack } from './helpers.js';
import { openDatabase } from '../../src/store/db.js';

function start(config: string): ChildProcess {
  return spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'run', '--config', config], {
    stdio: 'ignore',
    env: { ...process.env, APIWATCH_LOG_LEVEL: 'silent' },
  });
}

async function stop(p: ChildProcess): Promise<void> {
  const exited = new Promise((r) => p.once('exit', r));
  p.kill('SIGTERM');
  await exited;
}

async function until(cond: () => boolean, ms: number): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (cond()) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return cond();
}

/** A config tailing `log` from its start, paging to `webhook` with no group_wait, console off. */
function writeSlackConfig(config: string, dir: string, log: string, webhook: string, slackExtra = ''): void {
  writeFileSync(
    config,
    `state_dir: ${dir}/state\nsources:\n  - path: ${log}\n    start_at: beginning\nnotify:\n  console: { enabled: false }\n` +
      `  slack:\n    webhook_url: ${webhook}\n    group_wait: 0s\n${slackExtra}`,
  );
}

test('the daemon pages a failing call to Slack once, and a restart does not page it again', async () => {
  const slack = await new FakeSlack().start();
  const dir = tempDir();
  const log = join(dir, 'app.log');
  writeFileSync(log, '');
  const config = join(dir, 'apiwatch.yaml');
  writeSlackConfig(config, dir, log, slack.url());
  const line = (t: number) =>
    JSON.stringify({
      level: 50, time: t, msg: 'easemob call failed', method: 'POST', url: 'https://a1.easemob.com/acme/chat/messages/users',
      status: 429, body: { error: 'reach_limit', error_description: 'This request has reached api limit <!channel>' },
    }) + '\n';
  let d = start(config);
  await new Promise((r) => setTimeout(r, 1500));
  appendFileSync(log, line(Date.now()));
  assert.ok(await until(() => slack.received.length === 1, 8000), 'paged');
  const body = slack.received[0].body;
  assert.match(body.text, /#1/);
  assert.match(JSON.stringify(body), /&lt;!channel&gt;/);
  await stop(d);

  d = start(config);
  appendFileSync(log, line(Date.now())); // an update inside group_interval: no page
  const db = openDatabase(join(dir, 'state', 'apiwatch.db'));
  const count = () => (db.prepare('SELECT count FROM incidents WHERE id = 1').get() as { count: number }).count;
  assert.ok(await until(() => count() === 2, 15_000), 'the second line was read');
  await new Promise((r) => setTimeout(r, 1500)); // room for a wrong page to arrive
  await stop(d);
  assert.equal(slack.attempts.length, 1, 'nothing re-paged after the restart');
  assert.deepEqual((db.prepare("SELECT state, COUNT(*) AS n FROM outbox GROUP BY state").all()), [{ state: 'sent', n: 1 }]);
  db.close();
});

test('incidents from `apiwatch replay` are not paged by the next `apiwatch run`; new ones are', async () => {
  const slack = await new FakeSlack().start();
  const dir = tempDir();
  const old = join(dir, 'old.log');
  const log = join(dir, 'app.log');
  const line = (t: number, status: number, error: string) =>
    JSON.stringify({
      level: 50, time: t, msg: 'easemob call failed', method: 'POST', url: 'https://a1.easemob.com/acme/chat/messages/users',
      status, body: { error, error_description: 'x' },
    }) + '\n';
  writeFileSync(old, line(Date.now() - 60_000, 429, 'reach_limit'));
  writeFileSync(log, '');
  const config = join(dir, 'apiwatch.yaml');
  writeSlackConfig(config, dir, log, slack.url(), '    min_severity: info\n');
  const replay = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'replay', '--config', config, old], { stdio: 'ignore' });
  assert.equal(await new Promise((r) => replay.once('exit', r)), 0);
  const d = start(config);
  await new Promise((r) => setTimeout(r, 1500));
  appendFileSync(log, line(Date.now(), 503, 'service_unavailable'));
  assert.ok(await until(() => slack.received.length >= 1, 8000), 'the live incident was paged');
  await new Promise((r) => setTimeout(r, 1500)); // room for a wrong page about the replayed one
  await stop(d);
  assert.equal(slack.received.length, 1);
  assert.doesNotMatch(JSON.stringify(slack.received[0].body), /reach_limit|E37/);
});

test('the daemon honours notify.slack.min_severity below the default: a warning is paged with min_severity info', async () => {
  const slack = await new FakeSlack().start();
  const dir = tempDir();
  const log = join(dir, 'app.log');
  writeFileSync(log, '');
  const config = join(dir, 'apiwatch.yaml');
  writeSlackConfig(config, dir, log, slack.url(), '    min_severity: info\n');
  const d = start(config);
  await new Promise((r) => setTimeout(r, 1500));
  // 409 is in no row of the table: ref null, severity warning.
  appendFileSync(
    log,
    JSON.stringify({ level: 50, time: Date.now(), msg: 'easemob call failed', method: 'POST', url: 'https://a1.easemob.com/acme/chat/users', status: 409, body: { error: 'conflict', error_description: 'x' } }) + '\n',
  );
  const paged = await until(() => slack.received.length === 1, 8000);
  await stop(d);
  assert.ok(paged, 'the warning was paged');
  assert.match(JSON.stringify(slack.received[0].body), /409/);
});

test('a line carrying secrets reaches Slack and the database redacted', async () => {
  const slack = await new FakeSlack().start();
  const dir = tempDir();
  const log = join(dir, 'app.log');
  writeFileSync(log, '');
  const config = join(dir, 'apiwatch.yaml');
  writeSlackConfig(config, dir, log, slack.url());
  const token = 'YWMtq8Zr3B9Lq0m1Ehh2cU9sAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA';
  const d = start(config);
  await new Promise((r) => setTimeout(r, 1500));
  appendFileSync(
    log,
    JSON.stringify({
      level: 50, time: Date.now(), msg: 'easemob call failed', method: 'POST',
      url: `https://a1.easemob.com/acme/chat/messages/users?access_token=${token}`,
      headers: { authorization: `Bearer ${token}` }, status: 401,
      body: { error: 'unauthorized', error_description: `Unable to authenticate due to expired access token ${token}` },
      client_secret: 'YXA6s3cr3tS3cr3tS3cr3tS3cr3t',
    }) + '\n',
  );
  const paged = await until(() => slack.received.length === 1, 8000);
  await stop(d);
  assert.ok(paged, 'paged');
  const sent = JSON.stringify(slack.received[0].body);
  assert.doesNotMatch(sent, /q8Zr3B9Lq0m1Ehh2cU9s|s3cr3tS3cr3t/);
  const db = openDatabase(join(dir, 'state', 'apiwatch.db'));
  const stored = JSON.stringify(db.prepare('SELECT * FROM events').all()) + JSON.stringify(db.prepare('SELECT * FROM incidents').all());
  db.close();
  assert.match(stored, /REDACTED/);
  assert.doesNotMatch(stored, /q8Zr3B9Lq0m1Ehh2cU9s|s3cr3tS3cr3t/);
});

test('with no webhook configured, the console notifier prints the alert', async () => {
  const dir = tempDir();
  const log = join(dir, 'app.log');
  writeFileSync(log, '');
  const config = join(dir, 'apiwatch.yaml');
  writeFileSync(config, `state_dir: ${dir}/state\nsources:\n  - path: ${log}\n    start_at: beginning\nnotify:\n  slack:\n    group_wait: 0s\n`);
  const p = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'run', '--config', config], {
    stdio: ['ignore', 'pipe', 'ignore'],
    env: { ...process.env, APIWATCH_LOG_LEVEL: 'silent' },
  });
  let out = '';
  p.stdout!.on('data', (d) => (out += d));
  await new Promise((r) => setTimeout(r, 1500));
  appendFileSync(
    log,
    JSON.stringify({ level: 50, time: Date.now(), msg: 'easemob call failed', method: 'POST', url: 'https://a1.easemob.com/acme/chat/messages/users', status: 429, body: { error: 'reach_limit', error_description: 'This request has reached api limit' } }) + '\n',
  );
  const printed = await until(() => out.includes('ack: apiwatch incident ack 1'), 8000);
  await stop(p);
  assert.ok(printed, out);
  assert.match(out, /\[NEW\] ERROR #1 .*\(E37, rate_limit\)/);
});
