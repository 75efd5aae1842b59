import type { Command } from 'commander';
import { CliError, getConfig } from '../context.js';
import { testEmail } from '../../notify/email/test-email.js';
import { classifySmtpError } from '../../notify/email/errors.js';

/**
 * Adds `email` under `<notify> test`. Takes the `notify` command (whoever creates it) and reuses
 * its `test` subcommand when one exists, so `notify test slack` and `notify test email` coexist.
 */
export function registerNotifyEmail(notify: Command): void {
  const test = notify.commands.find((c) => c.name() === 'test') ?? notify.command('test').description('Send a test notification.');
  test
    .command('email')
    .description('Send a test email through notify.email (SMTP, or a file in state_dir/digests/ without SMTP).')
    .option('-c, --config <file>', 'config file')
    .action(async (opts: { config?: string }) => {
      const cfg = getConfig(opts.config);
      try {
        const res = await testEmail(cfg);
        process.stdout.write(`test email sent via ${res.via}: ${res.detail}\n`);
        if (res.rejected.length) process.stdout.write(`refused recipients: ${res.rejected.join(', ')}\n`);
      } catch (err) {
        const info = classifySmtpError(err);
        throw new CliError(`test email failed (${info.permanent ? 'permanent' : 'transient'}): ${info.summary}`);
      }
    });
}
