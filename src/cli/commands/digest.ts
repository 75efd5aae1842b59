import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { CliError, EXIT, getConfig, openExistingDatabase } from '../context.js';
import { buildDigest, digestTimezone } from '../../digest/build.js';
import { DateTime } from 'luxon';
import { addDays, isIsoDate } from '../../digest/period.js';
import { latestDueDate } from '../../digest/schedule.js';
import { createMailer } from '../../notify/email/transport.js';
import { classifySmtpError } from '../../notify/email/errors.js';
import type { LoadedConfig } from '../../config/load.js';

/** `today`, `yesterday` or YYYY-MM-DD, as a local date in digest.timezone; `fallback` when absent. */
function periodOf(cfg: LoadedConfig, period: string | undefined, now: number, fallback: 'today' | 'due'): string {
  const tz = digestTimezone(cfg);
  const today = DateTime.fromMillis(now, { zone: tz }).toISODate()!;
  const p = period ?? fallback;
  if (p === 'today') return today;
  if (p === 'yesterday') return addDays(today, -1);
  if (p === 'due') return latestDueDate(now, cfg.digest.at, tz);
  if (!isIsoDate(p)) throw new CliError(`--period must be today, yesterday or a date YYYY-MM-DD, got "${p}"`, EXIT.USAGE);
  return p;
}

export function registerDigest(program: Command): void {
  const digest = program.command('digest').description('The daily digest email: preview it, or send it now.');

  digest
    .command('preview')
    .description('Render the digest for one local day without sending it (default: today so far).')
    .option('-c, --config <file>', 'config file')
    .option('--period <day>', 'today (default, the period so far), yesterday, or a local date YYYY-MM-DD (digest.timezone)')
    .option('--out <file.html>', 'write the HTML part here (the plain-text part goes to stdout)')
    .action((opts: { config?: string; period?: string; out?: string }) => {
      const cfg = getConfig(opts.config);
      const now = Date.now();
      const day = periodOf(cfg, opts.period, now, 'today');
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
    .option('--period <day>', 'yesterday, today or a local date YYYY-MM-DD (default: the latest day whose digest is due)')
    .action(async (opts: { config?: string; period?: string }) => {
      const cfg = getConfig(opts.config);
      const now = Date.now();
      const day = periodOf(cfg, opts.period, now, 'due');
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
