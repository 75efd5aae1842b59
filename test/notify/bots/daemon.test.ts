import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { appendFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '../../helpers/tmp.js';
import { ROOT } from '../../helpers/cli.js';
import { openDatabase } from '../../../src/store/db.js';
import { WecomStandIn } from '../standins/wecom.js';
import { FeishuStandIn } from '../standins/feishu.js';

async function until(cond: () => boolean, ms: number): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (cond()) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return cond();
}

test('the daemon pages WeCom and Feishu at once, escaped, signed, secrets only from the environment', async () => {
  const wecom = await new WecomStandIn().start();
  const feishu = await new FeishuStandIn().start();
  feishu.bots.set('test-hook', { secret: 'fs-secret' });
  const dir = tempDir();
  const log = join(dir, 'app.log');
  writeFileSync(log, '');
  const config = join(dir, 'apiwatch.yaml');
  writeFileSync(
    config,
    `state_dir: ${dir}/state\nsources:\n  - path: ${log}\n    start_at: beginning\nnotify:\n  console: { enabled: false }\n` +
      `  slack: { group_wait: 0s }\n  wecom: { webhook_url: "\${WECOM_URL}", mention: [oncall] }\n` +
      `  feishu: { webhook_url: "\${FEISHU_URL}", secret: "\${FEISHU_SECRET}", language: en }\n`,
  );
  const d: ChildProcess = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'run', '--config', config], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, APIWATCH_LOG_LEVEL: 'info', WECOM_URL: wecom.url(), FEISHU_URL: feishu.url(), FEISHU_SECRET: 'fs-secret' },
  });
  let output = '';
  d.stdout!.on('data', (c) => (output += c));
  d.stderr!.on('data', (c) => (output += c));
  try {
    await new Promise((r) => setTimeout(r, 1500));
    appendFileSync(
      log,
      JSON.stringify({
        level: 50, time: Date.now(), msg: 'easemob call failed', method: 'POST', url: 'https://a1.easemob.com/acme/chat/messages/users',
        status: 429, body: { error: 'reach_limit', error_description: '<@all> see [here](https://evil.example) <at id=all></at>' },
      }) + '\n',
    );
    assert.ok(await until(() => wecom.accepted.length === 1 && feishu.accepted.length === 1, 15_000), `both paged:\n${output}`);
  } finally {
    const exited = new Promise((r) => d.once('exit', r));
    d.kill('SIGTERM');
    await exited;
  }
  const content: string = wecom.accepted[0]!.json.markdown.content;
  assert.match(content, /＜＠all＞ see ［here］\(https：\/\/evil\.example\)/);
  assert.equal(WecomStandIn.mentions(content).length, 0, 'an error page mentions nobody; <@all> from the log is inert');
  const card = JSON.stringify(feishu.accepted[0]!.json.card);
  assert.match(card, /&#60;at id=all&#62;&#60;\/at&#62;/);
  const db = openDatabase(join(dir, 'state', 'apiwatch.db'));
  const rows = db.prepare('SELECT channel, state, payload FROM outbox ORDER BY channel').all() as { channel: string; state: string; payload: string }[];
  db.close();
  assert.deepEqual(rows.map((r) => [r.channel, r.state]), [['feishu', 'sent'], ['wecom', 'sent']]);
  for (const secret of ['test-key-1', 'test-hook', 'fs-secret']) {
    assert.ok(!rows.some((r) => r.payload.includes(secret)), `${secret} not in the database`);
    assert.ok(!output.includes(secret), `${secret} not in the daemon's log`);
  }
});
