import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { readCredential } from '../../src/config/credentials.js';
import { ConfigError, parseConfig } from '../../src/config/load.js';
import { tempDir } from '../helpers/tmp.js';

function credsDir() {
  const dir = join(tempDir('apiwatch-cred-'), 'creds');
  mkdirSync(dir);
  writeFileSync(join(dir, 'slack-webhook'), 'https://hooks.slack.com/services/T000/B000/XXXX\n');
  writeFileSync(join(dir, 'smtp-password'), 's3cret');
  writeFileSync(join(dir, 'empty'), '\n');
  return dir;
}

test('readCredential reads $CREDENTIALS_DIRECTORY/<name> without the trailing newline', () => {
  const env = { CREDENTIALS_DIRECTORY: credsDir() };
  assert.equal(readCredential('slack-webhook', env), 'https://hooks.slack.com/services/T000/B000/XXXX');
  assert.equal(readCredential('smtp-password', env), 's3cret');
  assert.equal(readCredential('empty', env), undefined);
  assert.equal(readCredential('missing', env), undefined);
  assert.equal(readCredential('../creds/smtp-password', env), undefined, 'no path traversal');
  assert.equal(readCredential('slack-webhook', {}), undefined, 'not under systemd');
});

test('config values reference credentials as ${CREDENTIAL:name}; a missing one names the unit line to add', () => {
  const env = { CREDENTIALS_DIRECTORY: credsDir() };
  const text = [
    'notify:',
    '  slack:',
    '    webhook_url: ${CREDENTIAL:slack-webhook}',
    '  email:',
    '    smtp:',
    '      host: smtp.example.com',
    '      user: alerts',
    '      pass: ${CREDENTIAL:smtp-password}',
    '    to: ops@example.com',
  ].join('\n');
  const cfg = parseConfig(text, '/etc/apiwatch/apiwatch.yaml', env);
  assert.equal(cfg.notify.slack?.webhook_url, 'https://hooks.slack.com/services/T000/B000/XXXX');
  assert.equal(cfg.notify.email?.smtp?.pass, 's3cret');
  assert.throws(
    () => parseConfig(text, '/etc/apiwatch/apiwatch.yaml', {}),
    (err: unknown) =>
      err instanceof ConfigError &&
      /apiwatch\.yaml:3: notify\.slack\.webhook_url: credential slack-webhook is not available .*LoadCredential=slack-webhook:/.test(err.message) &&
      /apiwatch\.yaml:8: notify\.email\.smtp\.pass: credential smtp-password/.test(err.message),
  );
});
