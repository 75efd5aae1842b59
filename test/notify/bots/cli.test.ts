import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '../../helpers/tmp.js';
import { apiwatchAsync } from '../../helpers/cli.js';
import { runDoctor } from '../../../src/cli/commands/doctor.js';
import { parseConfig, ConfigError } from '../../../src/config/load.js';
import { WecomStandIn } from '../standins/wecom.js';
import { DingtalkStandIn } from '../standins/dingtalk.js';
import { FeishuStandIn } from '../standins/feishu.js';
import { WebhookStandIn } from '../standins/webhook.js';

const cli = apiwatchAsync;

const YAML = `
sources: []
notify:
  wecom: { webhook_url: "\${WECOM_URL}" }
  dingtalk:
    webhook_url: "\${DING_URL}"
    secret: "\${DING_SECRET}"
    routes: [{ name: ops, webhook_url: "\${DING_OPS_URL}", match: { severity: [critical] } }]
  feishu: { webhook_url: "\${FEISHU_URL}", secret: "\${FEISHU_SECRET}" }
  webhook: { url: "\${HOOK_URL}", secret: "\${HOOK_SECRET}" }
`;

async function setup() {
  const s = {
    wecom: await new WecomStandIn().start(),
    dingtalk: await new DingtalkStandIn().start(),
    feishu: await new FeishuStandIn().start(),
    webhook: await new WebhookStandIn().start(),
  };
  s.dingtalk.robots.set('test-token', { secret: 'SECding' });
  s.dingtalk.robots.set('ops-token', { keywords: ['apiwatch'] });
  s.feishu.bots.set('test-hook', { secret: 'fs-secret' });
  s.webhook.secret = 'wh';
  const dir = tempDir();
  const config = join(dir, 'apiwatch.yaml');
  writeFileSync(config, `state_dir: ${dir}/state\n${YAML}`);
  const env = {
    WECOM_URL: s.wecom.url(), DING_URL: s.dingtalk.url(), DING_OPS_URL: s.dingtalk.url('ops-token'), DING_SECRET: 'SECding',
    FEISHU_URL: s.feishu.url(), FEISHU_SECRET: 'fs-secret', HOOK_URL: s.webhook.url(), HOOK_SECRET: 'wh',
  };
  return { s, config, env };
}

test('notify test wecom|dingtalk|feishu|webhook: a test message per target, and what the server answered', async () => {
  const { s, config, env } = await setup();
  const wecom = await cli(['notify', 'test', 'wecom', '--config', config], env);
  assert.equal(wecom.code, 0, wecom.err + wecom.out);
  assert.match(wecom.out, /^default: ok — server answered: HTTP 200 \{"errcode":0,"errmsg":"ok"\}$/m);
  assert.match(s.wecom.accepted[0]!.json.markdown.content, /apiwatch 测试消息/);
  const ding = await cli(['notify', 'test', 'dingtalk', '--config', config], env);
  assert.equal(ding.code, 0, ding.out);
  assert.match(ding.out, /^default: ok/m);
  assert.match(ding.out, /^ops: ok/m);
  assert.equal(s.dingtalk.accepted.length, 2);
  const bad = await cli(['notify', 'test', 'feishu', '--config', config], { ...env, FEISHU_SECRET: 'wrong' });
  assert.equal(bad.code, 1);
  assert.match(bad.out, /^default: FAILED \(permanent\) code 19021 .* — fix notify\.feishu\.secret/m);
  assert.match(bad.out, /^ {2}server answered: HTTP 200 \{"code":19021,/m);
  assert.doesNotMatch(bad.out + bad.err, /test-hook|wrong/, 'neither the hook token nor the secret is printed');
  const none = await cli(['notify', 'test', 'webhook', '--route', 'nope', '--config', config], env);
  assert.equal(none.code, 2);
  assert.match(none.err, /no route named "nope"; have: default/);
});

test('doctor checks each bot without posting to any group', async () => {
  const { s, config, env } = await setup();
  const saved = { ...process.env };
  Object.assign(process.env, env);
  try {
    const ok = await runDoctor(config);
    const chat = ok.checks.filter((c) => ['wecom', 'dingtalk', 'feishu', 'webhook'].includes(c.area));
    assert.deepEqual(chat.map((c) => [c.area, c.status]), [['wecom', 'ok'], ['dingtalk', 'ok'], ['dingtalk', 'ok'], ['feishu', 'ok'], ['webhook', 'ok']], JSON.stringify(chat, null, 1));
    assert.match(chat[2]!.message, /^ops: .*accepted.*nothing was posted/);
    process.env.DING_SECRET = 'SECwrong';
    process.env.WECOM_URL = s.wecom.url('revoked');
    const bad = await runDoctor(config);
    const ding = bad.checks.find((c) => c.area === 'dingtalk')!;
    assert.equal(ding.status, 'fail');
    assert.match(ding.fix!, /notify\.dingtalk\.secret/);
    const wecom = bad.checks.find((c) => c.area === 'wecom')!;
    assert.match(`${wecom.message} ${wecom.fix}`, /93000.*notify\.wecom\.webhook_url/);
  } finally {
    process.env = saved;
  }
  for (const x of [s.wecom, s.dingtalk, s.feishu]) assert.equal(x.accepted.length, 0, 'no probe reached a group');
  assert.ok(s.wecom.requests.length > 0 && s.feishu.requests.length > 0);
});

test('config: a bot URL or secret written literally is refused with file, line and key; ${ENV} is accepted', () => {
  const yaml = 'notify:\n  dingtalk:\n    webhook_url: https://oapi.dingtalk.com/robot/send?access_token=abc\n    secret: SEC123\n  webhook:\n    routes:\n      - { url: "${HOOK}", secret: plain }\n';
  assert.throws(
    () => parseConfig(yaml, '/etc/apiwatch/apiwatch.yaml', { HOOK: 'https://hooks.example/x' }),
    (e: unknown) => {
      assert.ok(e instanceof ConfigError);
      assert.match(e.message, /^\/etc\/apiwatch\/apiwatch\.yaml:3: notify\.dingtalk\.webhook_url: a secret must not be written in the config file/m);
      assert.match(e.message, /apiwatch\.yaml:4: notify\.dingtalk\.secret: /m);
      assert.match(e.message, /apiwatch\.yaml:7: notify\.webhook\.routes\[0\]\.secret: /m);
      assert.doesNotMatch(e.message, /abc|SEC123|plain/, 'the secret is not echoed');
      return true;
    },
  );
  const cfg = parseConfig('notify:\n  wecom: { webhook_url: "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=${WECOM_KEY}", mention: [zhangsan] }\n', 'a.yaml', { WECOM_KEY: 'k' });
  assert.equal(cfg.notify.wecom!.language, 'zh', 'group bots default to Chinese');
  assert.equal(cfg.notify.wecom!.min_severity, 'error');
  assert.throws(() => parseConfig('notify:\n  wecom: { webhook_url: "${U}", mention: ["<@all>"] }\n', 'a.yaml', { U: 'https://x.example/' }), /a\.yaml:2: notify\.wecom\.mention\[0\]: expected a WeCom userid/);
  assert.throws(() => parseConfig('notify:\n  dingtalk: { webhook_url: "${U}", at_mobiles: ["@all"] }\n', 'a.yaml', { U: 'https://x.example/' }), /notify\.dingtalk\.at_mobiles\[0\]: expected a mobile number/);
});
