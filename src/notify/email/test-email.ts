import { hostname } from 'node:os';
import type { LoadedConfig } from '../../config/load.js';
import { createMailer, type MailerOptions, type SendResult } from './transport.js';

/** `apiwatch notify test email`: one small message through the configured transport. */
export async function testEmail(cfg: LoadedConfig, opts: MailerOptions & { now?: number } = {}): Promise<SendResult> {
  const mailer = createMailer(cfg, opts);
  const at = new Date(opts.now ?? Date.now()).toISOString();
  try {
    return await mailer.send({
      subject: `[apiwatch] test email from ${hostname()}`,
      text: `This is a test message from apiwatch on ${hostname()} at ${at}.\nIf you can read it, the daily digest can reach you.\n`,
      html: `<!DOCTYPE html><html><body style="font-family:Arial,sans-serif;font-size:14px;"><p>This is a test message from <b>apiwatch</b> at ${at}.</p><p>If you can read it, the daily digest can reach you.</p></body></html>`,
      fileBase: `test-${at.replace(/[:.]/g, '')}`,
    });
  } finally {
    mailer.close();
  }
}
