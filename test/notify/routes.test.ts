import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SlackRouter } from '../../src/notify/slack/index.js';
import { parseConfig } from '../../src/config/load.js';
import type { Incident } from '../../src/incidents/types.js';

const router = () => {
  const cfg = parseConfig(
    [
      'notify:',
      '  slack:',
      '    webhook_url: https://hooks.slack.com/services/T/B/default',
      '    routes:',
      '      - { name: oncall, webhook_url: "https://hooks.slack.com/services/T/B/oncall", match: { severity: [critical] }, continue: true }',
      '      - { name: limits, webhook_url: "https://hooks.slack.com/services/T/B/limits", match: { category: [rate_limit, quota] } }',
      '      - { name: vip, webhook_url: "https://hooks.slack.com/services/T/B/vip", match: { appkey: ["acme#vip"] } }',
    ].join('\n'),
    '/etc/apiwatch/apiwatch.yaml',
    {},
  );
  return new SlackRouter(cfg.notify.slack!);
};

const inc = (over: Partial<Incident>) => ({ severity: 'error', category: 'server', appkey: 'acme#chat', ...over }) as Incident;

test('routes send by severity, category and app key; first match wins unless continue; else the default webhook', () => {
  const r = router();
  assert.deepEqual(r.targetsFor(inc({ category: 'rate_limit' })), ['limits']);
  assert.deepEqual(r.targetsFor(inc({ appkey: 'acme#vip' })), ['vip']);
  assert.deepEqual(r.targetsFor(inc({ severity: 'critical', category: 'quota' })), ['oncall', 'limits'], 'continue: true goes on to the next match');
  assert.deepEqual(r.targetsFor(inc({ severity: 'critical' })), ['oncall']);
  assert.deepEqual(r.targetsFor(inc({})), ['default']);
  assert.deepEqual(r.targetsFor(inc({ appkey: null })), ['default']);
});
