import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { apiwatch, ROOT } from '../helpers/cli.js';
import { tempDir } from '../helpers/tmp.js';
import { loadConfig } from '../../src/config/load.js';

// The README's fleet configs are files users copy as they are: they must load with only the
// environment the README names, and fail loudly (naming the key) without a required secret.
const CENTRAL = join(ROOT, 'docs/fleet/central-apiwatch.yaml');

test('docs/fleet/central-apiwatch.yaml passes check-config with the README\'s environment', () => {
  const env = {
    APIWATCH_STATE_DIR: tempDir(),
    APIWATCH_INGEST_TOKEN: 'fleet-token-for-the-test-only',
    SLACK_WEBHOOK_URL: 'https://hooks.slack.com/services/T000/B000/XXXXXXXXXXXXXXXXXXXXXXXX',
  };
  const r = apiwatch(['check-config', '--config', CENTRAL], { env });
  assert.equal(r.status, 0, r.stderr + r.stdout);
  assert.ok(!(r.stdout + r.stderr).includes(env.APIWATCH_INGEST_TOKEN), 'the ingest token is never printed');
});

test('docs/fleet/central-apiwatch.yaml without the ingest token: refused, naming the key', () => {
  const r = apiwatch(['check-config', '--config', CENTRAL], {
    env: { APIWATCH_STATE_DIR: tempDir(), APIWATCH_INGEST_TOKEN: '', SLACK_WEBHOOK_URL: 'https://hooks.slack.com/services/T000/B000/XXXXXXXXXXXXXXXXXXXXXXXX' },
  });
  assert.notEqual(r.status, 0, r.stdout);
  assert.match(r.stderr + r.stdout, /token/);
});

const EDGE = join(ROOT, 'docs/fleet/edge-apiwatch.yaml');

test('docs/fleet/edge-apiwatch.yaml passes check-config as it is, and pushes to the two Alertmanager peers its environment names', () => {
  const cfg = loadConfig(EDGE, { APIWATCH_STATE_DIR: tempDir(), ALERTMANAGER_1: 'http://10.0.0.1:9093', ALERTMANAGER_2: 'http://10.0.0.2:9093', APIWATCH_RESOLVE_AFTER: '20s' });
  assert.deepEqual(cfg.notify.alertmanager?.urls, ['http://10.0.0.1:9093', 'http://10.0.0.2:9093']);
  assert.equal(cfg.notify.alertmanager?.resend_interval, 60_000);
  assert.equal(cfg.incidents.resolve_after, 20_000);
  assert.deepEqual(cfg.notify.alertmanager?.labels, { team: 'im', env: 'prod' });
  const check = apiwatch(['check-config', '--config', EDGE], { env: { APIWATCH_STATE_DIR: tempDir() } });
  assert.equal(check.status, 0, check.stderr + check.stdout);
});
