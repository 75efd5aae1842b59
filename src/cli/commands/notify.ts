import type { Command } from 'commander';
import { CliError, EXIT, getConfig } from '../context.js';
import { slackDefaults } from '../../config/schema.js';
import { SlackClient } from '../../notify/slack/client.js';
import { SlackRouter } from '../../notify/slack/index.js';
import { registerChatTests } from './notify-chat.js';

export function registerNotify(program: Command): void {
  const cmd = program.command('notify').description('Check notification integrations.');
  const test = cmd.command('test').description('Send a test message.');
  test
    .command('slack')
    .description('POST a test message to every configured Slack webhook (or one --route) and report what Slack answered.')
    .option('-c, --config <file>', 'config file')
    .option('--route <name>', 'only this route ("default" is notify.slack.webhook_url)')
    .action(async (opts: { config?: string; route?: string }) => {
      const cfg = getConfig(opts.config);
      const slack = cfg.notify.slack ?? slackDefaults();
      const router = new SlackRouter(slack);
      if (!router.configured) throw new CliError('no Slack webhook configured (notify.slack.webhook_url or notify.slack.routes)', EXIT.USAGE);
      const targets = [...router.urls].filter(([name]) => !opts.route || name === opts.route);
      if (!targets.length) throw new CliError(`no route named "${opts.route}"; have: ${[...router.urls.keys()].join(', ')}`, EXIT.USAGE);
      const client = new SlackClient(slack.timeout);
      let failed = 0;
      for (const [name, url] of targets) {
        const text = `apiwatch test message for route "${name}" — if you can read this, paging works.`;
        const res = await client.post(url, {
          text,
          blocks: [
            { type: 'section', text: { type: 'mrkdwn', text: `:white_check_mark: *apiwatch test* — route \`${name}\` reaches this channel.` } },
          ],
          unfurl_links: false,
          unfurl_media: false,
          link_names: false,
        });
        if (res.ok) process.stdout.write(`${name}: ok (HTTP 200)\n`);
        else {
          failed++;
          process.stdout.write(`${name}: FAILED (${res.permanent ? 'permanent' : 'transient'}) ${res.error}\n`);
        }
      }
      if (failed) process.exitCode = EXIT.FAILURE;
    });
  registerChatTests(test);
}
