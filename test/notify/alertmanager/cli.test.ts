import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '../../helpers/tmp.js';
import { apiwatchAsync } from '../../helpers/cli.js';
import { runDoctor } from '../../../src/cli/commands/doctor.js';
import { parseConfig, ConfigError } from '../../../src/config/load.js';
import { AlertmanagerStandIn } from '../standins/alertmanager.js';

const cli = apiwatchAsync;

async function setup() {
  const a = await new AlertmanagerStandIn().start();
  const b = await new AlertmanagerStandIn().start();
  a.token = b.token = 'am-token-0123456789';
  const dir = tempDir();
  const config = join(dir, 'apiwatch.yaml');
  writeFileSync(
    config,
    `state_dir: ${dir}/state\nsources: []\nnotify:\n  alertmanager:\n    urls: ["\${AM_A}", "\${AM_B}"]\n    bearer_token: "\${AM_TOKEN}"\n    labels: { team: im }\n`,
  );
  return { a, b, config, env: { AM_A: a.base, AM_B: b.base, AM_TOKEN: 'am-token-0123456789' } };
}

test('notify test alertmanager: a real test alert to every peer, and what each answered', async () => {
  const { a, b, config, env } = await setup();
  const r = await cli(['notify', 'test', 'alertmanager', '--config', config], env);
  assert.equal(r.code, 0, r.err + r.out);
  assert.match(r.out, new RegExp(`^127\\.0\\.0\\.1:${a.port}: ok — server answered: HTTP 200`, 'm'));
  assert.match(r.out, new RegExp(`^127\\.0\\.0\\.1:${b.port}: ok`, 'm'));
  for (const am of [a, b]) {
    const [alert] = am.accepted[0]!.json as any[];
    assert.deepEqual(alert.labels, { team: 'im', alertname: 'ApiwatchTest', severity: 'info' });
    assert.ok(Date.parse(alert.endsAt) > Date.now(), 'firing, and ends by itself');
  }
  const bad = await cli(['notify', 'test', 'alertmanager', '--config', config], { ...env, AM_TOKEN: 'wrong-token-0123456' });
  assert.equal(bad.code, 1);
  assert.match(bad.out, /FAILED \(permanent\) HTTP 401 .*notify\.alertmanager\.basic_auth \/ bearer_token/);
  assert.doesNotMatch(bad.out + bad.err, /wrong-token|am-token/, 'the token is never printed');
});

test('doctor: each peer reachable, its version and cluster state, nothing posted; a wrong path names notify.alertmanager.urls', async () => {
  const { a, b, config, env } = await setup();
  const saved = { ...process.env };
  Object.assign(process.env, env);
  try {
    const ok = await runDoctor(config);
    const am = ok.checks.filter((c) => c.area === 'alertmanager');
    assert.equal(am.length, 2, JSON.stringify(ok.checks, null, 1));
    for (const c of am) {
      assert.equal(c.status, 'ok');
      assert.match(c.message, /Alertmanager 0\.25\.0, API v2, cluster ready \(1 peer\); nothing was sent/);
    }
    b.prefix = '/am';
    process.env.AM_TOKEN = 'wrong-token-0123456';
    const bad = await runDoctor(config);
    const [ca, cb] = bad.checks.filter((c) => c.area === 'alertmanager');
    assert.equal(ca!.status, 'fail');
    assert.match(ca!.fix!, /bearer_token/);
    assert.equal(cb!.status, 'fail');
    assert.match(`${cb!.message} ${cb!.fix}`, /(HTTP 401|HTTP 404).*notify\.alertmanager\.(urls|basic_auth)/);
  } finally {
    process.env = saved;
  }
  assert.equal(a.accepted.length + b.accepted.length, 0, 'doctor posts no alert');
  assert.ok(a.requests.every((r) => r.method === 'GET'));
});

test('config: urls required, credentials from ${ENV} only, apiwatch\'s own labels cannot be replaced, no user:password in a URL', () => {
  const at = (yaml: string, env: Record<string, string> = {}) => () => parseConfig(yaml, '/etc/apiwatch/apiwatch.yaml', env);
  assert.throws(at('notify:\n  alertmanager: { urls: [] }\n'), /apiwatch\.yaml:2: notify\.alertmanager\.urls: list every Alertmanager peer/);
  assert.throws(at('notify:\n  alertmanager:\n    urls: ["http://am:9093"]\n    bearer_token: abc123\n'), (e: unknown) => {
    assert.ok(e instanceof ConfigError);
    assert.match(e.message, /apiwatch\.yaml:4: notify\.alertmanager\.bearer_token: a secret must not be written in the config file/);
    assert.doesNotMatch(e.message, /abc123/);
    return true;
  });
  assert.throws(
    at('notify:\n  alertmanager:\n    urls: ["http://am:9093"]\n    basic_auth: { username: u, password: hunter2 }\n'),
    /notify\.alertmanager\.basic_auth\.password: a secret must not be written/,
  );
  assert.throws(at('notify:\n  alertmanager:\n    urls: ["http://am:9093"]\n    labels: { severity: page }\n'), /notify\.alertmanager\.labels\.severity: "severity" is set by apiwatch/);
  assert.throws(at('notify:\n  alertmanager:\n    urls: ["http://am:9093"]\n    labels: { "team-name": x }\n'), /expected a label name/);
  assert.throws(at('notify:\n  alertmanager: { urls: ["http://u:p@am:9093"] }\n'), /without user:password \(use basic_auth\)/);
  assert.throws(at('notify:\n  alertmanager: { urls: ["http://am:9093"], resend_interval: often }\n'), /notify\.alertmanager\.resend_interval: expected a duration/);
  const cfg = parseConfig('notify:\n  alertmanager:\n    urls: ["http://am1:9093", "http://am2:9093"]\n    bearer_token: "${T}"\n', 'a.yaml', { T: 'x' });
  assert.equal(cfg.notify.alertmanager!.resend_interval, 60_000, 'resend_interval defaults to 1m');
  assert.equal(cfg.notify.alertmanager!.min_severity, 'warning');
  assert.deepEqual(cfg.notify.alertmanager!.labels, {});
});
