import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseConfig, ConfigError } from '../../src/config/load.js';

test('notify and incidents keys parse with defaults and durations', () => {
  const cfg = parseConfig(
    `notify:
  slack:
    webhook_url: \${SLACK_URL}
    group_wait: 0s
    routes:
      - name: oncall
        webhook_url: https://hooks.slack.test/T/B/oncall
        match: { severity: [critical] }
  maintenance:
    - name: nightly
      timezone: Asia/Shanghai
      days: [sat, sun]
      start: "02:00"
      end: "04:00"
      match: { appkey: acme#chat, ref: [E37, E38] }
incidents:
  resolve_after: 20m
  resolve_after_by_category: { auth: 2h }
`,
    'apiwatch.yaml',
    { SLACK_URL: 'https://hooks.slack.test/T/B/x' },
  );
  const s = cfg.notify.slack!;
  assert.equal(s.group_wait, 0);
  assert.equal(s.group_interval, 300_000);
  assert.equal(s.repeat_interval, 14_400_000);
  assert.equal(s.min_interval, 1000);
  assert.equal(s.routes[0].name, 'oncall');
  assert.equal(cfg.notify.maintenance[0].timezone, 'Asia/Shanghai');
  assert.deepEqual(cfg.incidents.resolve_after_by_category, { auth: 7_200_000 });
  assert.equal(cfg.incidents.flap_threshold, 3);
  assert.deepEqual(parseConfig('', 'x.yaml').notify.maintenance, []);
});

test('a bad maintenance window is reported with its line', () => {
  assert.throws(
    () => parseConfig('notify:\n  maintenance:\n    - name: x\n      start: "25:00"\n      end: "04:00"\n      match: { colour: red }\n', 'a.yaml'),
    (e: unknown) => e instanceof ConfigError && /a\.yaml:4: notify\.maintenance\[0\]\.start: expected a local time/.test(e.message) && /colour/.test(e.message),
  );
});

test('a webhook URL that is not http(s) is refused without echoing it', () => {
  assert.throws(
    () => parseConfig('notify:\n  slack:\n    webhook_url: "T000/B000/secret-token"\n', 'a.yaml'),
    (e: unknown) => e instanceof ConfigError && /a\.yaml:3: notify\.slack\.webhook_url: expected an http\(s\) webhook URL/.test(e.message) && !e.message.includes('secret-token'),
  );
});
