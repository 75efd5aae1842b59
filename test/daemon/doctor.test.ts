import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { createServer as createNetServer } from 'node:net';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { SMTPServer } from 'smtp-server';
import { runDoctor, formatChecks } from '../../src/cli/commands/doctor.js';
import { tempDir } from '../helpers/tmp.js';
import { appendLines, failLine } from './harness.js';
import { FakeSlack } from '../notify/helpers.js';

async function listen(server: Server | SMTPServer): Promise<number> {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const addr = (server as unknown as { server?: Server }).server?.address() ?? (server as Server).address();
  return (addr as { port: number }).port;
}

/** A port nothing listens on. */
async function closedPort(): Promise<number> {
  const s = createNetServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
  const port = (s.address() as { port: number }).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

test('doctor: everything reachable → ok, and the webhook gets an empty message Slack refuses, never a real one', async () => {
  const dir = tempDir('apiwatch-doctor-');
  mkdirSync(join(dir, 'logs'));
  appendLines(join(dir, 'logs', 'app.log'), [failLine()]);
  const web = await new FakeSlack().start();
  let ehlo = 0;
  const smtp = new SMTPServer({ disabledCommands: ['STARTTLS'], authOptional: true, onConnect: (_s, cb) => (ehlo++, cb()) });
  const webPort = web.port;
  const smtpPort = await listen(smtp);
  try {
    writeFileSync(
      join(dir, 'apiwatch.yaml'),
      `state_dir: ./data\nsources:\n  - path: ./logs/*.log\nnotify:\n  slack:\n    webhook_url: http://127.0.0.1:${webPort}/services/T0/B0/SECRETTOKEN\n` +
        `  email:\n    smtp:\n      host: 127.0.0.1\n      port: ${smtpPort}\n    to: ops@example.com\n`,
    );
    const { checks } = await runDoctor(join(dir, 'apiwatch.yaml'), { timeoutMs: 3000 });
    const text = formatChecks(checks);
    assert.deepEqual(checks.filter((c) => c.status === 'fail'), [], text);
    assert.deepEqual(checks.map((c) => c.area).filter((a, i, all) => all.indexOf(a) === i).sort(), ['config', 'database', 'rules', 'slack', 'smtp', 'sources'].sort(), text);
    assert.deepEqual(web.refused, [{ method: 'POST', path: '/services/T0/B0/SECRETTOKEN', error: 'no_text' }]);
    assert.equal(web.attempts.length, 0, 'nothing was posted');
    assert.match(text, /the webhook is live \(HTTP 400 no_text/);
    assert.equal(ehlo, 1);
    assert.doesNotMatch(text, /SECRETTOKEN/, 'the webhook path is a secret');
    assert.match(text, /database .* does not exist yet; .* is writable/);
  } finally {
    await web.stop();
    smtp.close();
  }
});

for (const [status, body] of [[404, 'no_service'], [403, 'invalid_token'], [410, 'channel_is_archived']] as const) {
  test(`doctor: a dead webhook (${status} ${body}) fails and names the setting to replace`, async () => {
    const dir = tempDir('apiwatch-doctor-');
    const live = await new FakeSlack().start();
    const dead = await new FakeSlack().start();
    dead.gone = { status, body };
    const file = join(dir, 'apiwatch.yaml');
    writeFileSync(
      file,
      `state_dir: ./data\nsources: []\nnotify:\n  slack:\n    webhook_url: ${live.url('/services/T0/B0/LIVE')}\n` +
        `    routes:\n      - name: oncall\n        webhook_url: ${dead.url('/services/T0/B1/DEAD')}\n        match: { severity: [critical] }\n`,
    );
    const { checks } = await runDoctor(file, { timeoutMs: 3000 });
    const slack = checks.filter((c) => c.area === 'slack');
    assert.equal(slack.length, 2, formatChecks(checks));
    assert.equal(slack[0].status, 'ok');
    assert.match(slack[0].message, /notify\.slack\.webhook_url/);
    assert.equal(slack[1].status, 'fail');
    assert.match(slack[1].message, new RegExp(`routes "oncall".*dead \\(HTTP ${status} ${body}\\)`));
    assert.match(slack[1].fix!, /create a new incoming webhook.*replace the webhook_url of notify\.slack\.routes "oncall"/);
    assert.doesNotMatch(formatChecks(checks), /LIVE|DEAD/, 'the webhook paths are secrets');
  });
}

test('doctor: what is wrong comes with its fix (missing files, unreachable Slack and SMTP, bad config)', async () => {
  const dir = tempDir('apiwatch-doctor-');
  const slackPort = await closedPort();
  const smtpPort = await closedPort();
  const file = join(dir, 'apiwatch.yaml');
  writeFileSync(
    file,
    `state_dir: ./data\nsources:\n  - path: ./nowhere/*.log\n  - path: ./empty/*.log\nnotify:\n  slack:\n    webhook_url: http://127.0.0.1:${slackPort}/services/x\n` +
      `  email:\n    to: ops@example.com\n    smtp:\n      host: 127.0.0.1\n      port: ${smtpPort}\n`,
  );
  mkdirSync(join(dir, 'empty'));
  const { checks } = await runDoctor(file, { timeoutMs: 2000 });
  const by = (area: string) => checks.find((c) => c.area === area)!;
  // A configured folder that does not exist is a fault (the daemon would watch nothing there)…
  const missing = checks.find((c) => c.area === 'sources' && c.message.includes('nowhere'))!;
  assert.equal(missing.status, 'fail');
  assert.match(missing.message, /nowhere\/\*\.log: folder .*nowhere does not exist \(ENOENT\)/);
  assert.match(missing.fix!, /create .*nowhere, or correct sources\[\]\.path/);
  // …a folder with no matching file yet is only a warning (files that appear later are picked up).
  const empty = checks.find((c) => c.area === 'sources' && c.message.includes('empty'))!;
  assert.equal(empty.status, 'warn');
  assert.match(empty.message, /empty\/\*\.log: no file matches/);
  assert.equal(by('slack').status, 'fail');
  assert.match(by('slack').message, /ECONNREFUSED/);
  assert.match(by('slack').fix!, /outbound HTTPS/);
  assert.equal(by('smtp').status, 'fail');
  assert.match(by('smtp').message, /ECONNREFUSED|ESOCKET|ECONNECTION/);
  assert.ok(by('smtp').fix);

  writeFileSync(file, 'state_dir: ./data\nsourcez: []\n');
  const bad = await runDoctor(file);
  assert.equal(bad.checks.length, 1);
  assert.equal(bad.checks[0].status, 'fail');
  assert.match(bad.checks[0].message, /apiwatch\.yaml:2: sourcez: unknown key/);
});
