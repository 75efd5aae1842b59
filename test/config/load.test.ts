import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError, loadConfig, parseConfig } from '../../src/config/load.js';
import { parseDuration } from '../../src/config/duration.js';
import { tempDir } from '../helpers/tmp.js';

test('durations', () => {
  assert.equal(parseDuration('500ms'), 500);
  assert.equal(parseDuration('10s'), 10_000);
  assert.equal(parseDuration('5m'), 300_000);
  assert.equal(parseDuration('4h'), 14_400_000);
  assert.equal(parseDuration('1h30m'), 5_400_000);
  assert.equal(parseDuration('10'), null);
  assert.equal(parseDuration('ten seconds'), null);
});

test('defaults, relative paths against the config folder, durations, env interpolation', () => {
  const dir = tempDir();
  const file = join(dir, 'apiwatch.yaml');
  writeFileSync(
    file,
    [
      'state_dir: ./state',
      'sources:',
      '  - path: ./logs/*.log',
      '    timezone: Asia/Shanghai',
      'notify:',
      '  slack:',
      '    webhook_url: ${SLACK_URL}',
      '    group_wait: 2s',
    ].join('\n'),
  );
  const cfg = loadConfig(file, { SLACK_URL: 'https://hooks.slack.test/T/B/x' });
  assert.equal(cfg.state_dir, join(dir, 'state'));
  assert.equal(cfg.dbPath, join(dir, 'state', 'apiwatch.db'));
  assert.deepEqual(cfg.sources[0].path, [join(dir, 'logs', '*.log')]);
  assert.equal(cfg.sources[0].start_at, 'end');
  assert.equal(cfg.notify.slack?.webhook_url, 'https://hooks.slack.test/T/B/x');
  assert.equal(cfg.notify.slack?.group_wait, 2000);
  assert.equal(cfg.notify.slack?.repeat_interval, 4 * 3600_000);
  assert.equal(cfg.notify.console.min_severity, 'error');
});

function problem(text: string, env: NodeJS.ProcessEnv = {}): ConfigError {
  try {
    parseConfig(text, '/etc/apiwatch/apiwatch.yaml', env);
  } catch (err) {
    assert.ok(err instanceof ConfigError, String(err));
    return err;
  }
  assert.fail('expected a ConfigError');
}

test('errors name the file, line, key and what was expected', () => {
  let e = problem('state_dir: ./d\nsources:\n  - path: a.log\n    start_at: middle\n');
  assert.match(e.message, /^\/etc\/apiwatch\/apiwatch\.yaml:4: sources\[0\]\.start_at: .*"end".*"beginning"/);

  e = problem('notify:\n  slack:\n    webhook_url: x\n    group_wait: soon\n');
  assert.match(e.message, /apiwatch\.yaml:4: notify\.slack\.group_wait: expected a duration/);

  e = problem('state_dir: ./d\nsoruces: []\n');
  assert.match(e.message, /apiwatch\.yaml:2: soruces: unknown key "soruces": did you mean "sources"\?/);

  // Each unknown key on its own line, with the nearest known key; no guess when nothing is close.
  e = problem('notify:\n  console:\n    min_severty: error\nzzz: 1\n');
  assert.deepEqual(e.message.split('\n'), [
    '/etc/apiwatch/apiwatch.yaml:3: notify.console.min_severty: unknown key "min_severty": did you mean "min_severity"?',
    '/etc/apiwatch/apiwatch.yaml:4: zzz: unknown key "zzz" (expected one of state_dir, sources, api_hosts, rules, notify, digest, incidents, retention, http, health, database, shutdown, log)',
  ]);

  e = problem('notify:\n  slack:\n    webhook_url: ${NOPE}\n');
  assert.match(e.message, /apiwatch\.yaml:3: notify\.slack\.webhook_url: environment variable NOPE is not set/);

  e = problem('sources:\n  - path: a\n    timezone: Mars/Olympus\n');
  assert.match(e.message, /:3: sources\[0\]\.timezone: expected an IANA timezone/);

  // Abbreviations are refused even though the zone database knows some: CST is US Central there.
  e = problem('sources:\n  - path: a\n    timezone: CST\ndigest:\n  timezone: EST\n');
  assert.match(e.message, /:3: sources\[0\]\.timezone: "CST" is an abbreviation.*did you mean "Asia\/Shanghai" or "America\/Chicago"\?/);
  assert.match(e.message, /:5: digest\.timezone: "EST" is an abbreviation.*"America\/New_York"/);
  e = problem('digest:\n  timezone: PRC\n');
  assert.match(e.message, /:2: digest\.timezone: "PRC" .*"Asia\/Shanghai"/);
  assert.equal(parseConfig('digest:\n  timezone: UTC\n', '/x.yaml', {}).digest.timezone, 'UTC');

  e = problem('sources: [\n');
  assert.match(e.message, /apiwatch\.yaml:2:1: YAML syntax: /);
  e = problem('sources:\n  - path: x\n  bad\n');
  assert.match(e.message, /apiwatch\.yaml:3:1: YAML syntax: All mapping items must start at the same column/);

  // A "billion laughs" alias bomb is refused, naming the file.
  const bomb = ['a: &a [x,x,x,x,x,x,x,x,x]', ...'bcde'.split('').map((k, i) => `${k}: &${k} [${Array(9).fill(`*${'abcd'[i]}`).join(',')}]`), `f: [${Array(9).fill('*e').join(',')}]`].join('\n');
  e = problem(bomb + '\n');
  assert.match(e.message, /^\/etc\/apiwatch\/apiwatch\.yaml: YAML refused: .*alias/);

  e = problem('notify:\n  email:\n    to: ops@example.com\n    smtp:\n      host: mail\n      pass: hunter2\n');
  assert.match(e.message, /apiwatch\.yaml:6: notify\.email\.smtp\.pass: a password must not be written in the config file/);
  assert.doesNotMatch(e.message, /hunter2/);

  e = problem('retention:\n  events_days: "many"\n');
  assert.match(e.message, /:2: retention\.events_days: expected number/);
});

test('an unreadable config file is a ConfigError naming it', () => {
  assert.throws(() => loadConfig('/nonexistent/apiwatch.yaml'), (err: unknown) => err instanceof ConfigError && /\/nonexistent\/apiwatch\.yaml: cannot read/.test(err.message));
});

test('the bundled default config is valid', () => {
  const cfg = loadConfig(new URL('../../apiwatch.yaml', import.meta.url).pathname);
  assert.equal(cfg.sources.length, 1);
  assert.match(cfg.sources[0].path[0], /\/logs\/\*\.log$/);
});
