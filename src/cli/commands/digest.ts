import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { CliError, EXIT, getConfig, openExistingDatabase } from '../context.js';
import { buildDigest, digestTimezone } from '../../digest/build.js';
import { isIsoDate } from '../../digest/period.js';
import { latestDueDate } from '../../digest/schedule.js';
import { createMailer } from '../../notify/email/transport.js';
import { classifySmtpError } from '../../notify/email/errors.js';
import type { LoadedConfig } from '../../config/load.js';

function periodOf(cfg: LoadedConfig, period: string | undefined, now: number): string {
  if (period === undefined) return latestDueDate(now, cfg.digest.at, digestTimezone(cfg));
  if (!isIsoDate(period)) throw new CliError(`--period must be a date YYYY-MM-DD, got "${period}"`, EXIT.USAGE);
  return period;
}

export function registerDigest(program: Command): void {
  const digest = program.command('digest').description('The daily digest email: preview it, or send it now.');

  digest
    .command('preview')
    .description('Render the digest for one local day without sending it (default: the latest day whose digest is due).')
    .option('-c, --config <file>', 'config file')
    .option('--period <YYYY-MM-DD>', 'local date (digest.timezone) to cover')
    .option('--out <file.html>', 'write the HTML part here (the plain-text part goes to stdout)')
    .action((opts: { config?: string; period?: string; out?: string }) => {
      const cfg = getConfig(opts.config);
      const now = Date.now();
      const day = periodOf(cfg, opts.period, now);
      const db = openExistingDatabase(cfg);
      try {
        const r = buildDigest(db, cfg, { fromDate: day, toDate: day }, now);
        if (opts.out) {
          writeFileSync(resolve(opts.out), r.html);
          process.stderr.write(`wrote ${resolve(opts.out)}\n`);
        }
        process.stdout.write(`Subject: ${r.subject}\n\n${r.text}`);
      } finally {
        db.close();
      }
    });

  digest
    .command('send')
    .description('Render and send the digest for one local day now (SMTP, or state_dir/digests/ when no SMTP is configured).')
    .option('-c, --config <file>', 'config file')
    .option('--period <YYYY-MM-DD>', 'local date (digest.timezone) to cover')
    .action(async (opts: { config?: string; period?: string }) => {
      const cfg = getConfig(opts.config);
      const now = Date.now();
      const day = periodOf(cfg, opts.period, now);
      const db = openExistingDatabase(cfg);
      const mailer = createMailer(cfg);
      try {
        const r = buildDigest(db, cfg, { fromDate: day, toDate: day }, now);
        let res;
        try {
          res = await mailer.send({ subject: r.subject, html: r.html, text: r.text, fileBase: day });
        } catch (err) {
          const info = classifySmtpError(err);
          throw new CliError(`digest not sent (${info.permanent ? 'permanent' : 'transient'} failure): ${info.summary}`);
        }
        // A manual resend settles a scheduled digest for the same day that is still retrying or dead,
        // so the daemon does not mail it a second time.
        db.prepare(
          "UPDATE digests SET state = 'sent', sent_at = ?, delivered_via = ?, last_error = NULL, next_attempt_at = NULL WHERE period_key = ? AND from_date = ? AND state IN ('pending', 'dead')",
        ).run(Date.now(), res.via, day, day);
        process.stdout.write(`sent: ${r.subject}\n  ${res.detail}\n`);
        if (res.rejected.length) process.stdout.write(`  refused recipients: ${res.rejected.join(', ')}\n`);
      } finally {
        mailer.close();
        db.close();
      }
    });
}
