import type { Command } from 'commander';
import { CliError, EXIT, getConfig } from '../context.js';
import { CHAT_CHANNELS, createChatNotifiers, type ChatChannel } from '../../notify/index.js';

const SETTING: Record<ChatChannel, string> = {
  wecom: 'notify.wecom.webhook_url',
  dingtalk: 'notify.dingtalk.webhook_url',
  feishu: 'notify.feishu.webhook_url',
  webhook: 'notify.webhook.url',
  alertmanager: 'notify.alertmanager.urls',
};

/** `notify test wecom|dingtalk|feishu|webhook|alertmanager`: one test message per target, and what the server answered. */
export function registerChatTests(test: Command): void {
  for (const channel of CHAT_CHANNELS) {
    test
      .command(channel)
      .description(`POST a test message to every configured ${channel} target (or one --route) and print what the server answered.`)
      .option('-c, --config <file>', 'config file')
      .option('--route <name>', `only this route ("default" is ${SETTING[channel]})`)
      .action(async (opts: { config?: string; route?: string }) => {
        const cfg = getConfig(opts.config);
        const notifier = createChatNotifiers(cfg).find((n) => n.name === channel);
        if (!notifier) throw new CliError(`no ${channel} target configured (${SETTING[channel]} or notify.${channel}.routes)`, EXIT.USAGE);
        const names = [...notifier.router.targets.keys()].filter((name) => !opts.route || name === opts.route);
        if (!names.length) throw new CliError(`no route named "${opts.route}"; have: ${[...notifier.router.targets.keys()].join(', ')}`, EXIT.USAGE);
        let failed = 0;
        for (const name of names) {
          const { result, answer } = await notifier.test(name);
          if (result.ok) process.stdout.write(`${name}: ok — server answered: ${answer}\n`);
          else {
            failed++;
            process.stdout.write(`${name}: FAILED (${result.permanent ? 'permanent' : result.retryAfterMs !== undefined ? 'rate limited' : 'transient'}) ${result.error}\n`);
            process.stdout.write(`  server answered: ${answer}\n`);
          }
        }
        if (failed) process.exitCode = EXIT.FAILURE;
      });
  }
}
