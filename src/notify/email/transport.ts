import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { readCredential } from '../../config/credentials.js';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { createRequire } from 'node:module';
import type { createTransport } from 'nodemailer';
import type { LoadedConfig } from '../../config/load.js';
import { MailConfigError } from './errors.js';

export interface OutgoingMail {
  subject: string;
  html: string;
  text: string;
  /** Stable per digest, so a retry after an ambiguous failure can be de-duplicated by clients. */
  messageId?: string;
  /** File name (without extension) for the file sink, e.g. the period key. */
  fileBase: string;
}

export interface SendResult {
  via: 'smtp' | 'file';
  /** Human-readable: recipients or file paths. */
  detail: string;
  /** Recipients the server refused while accepting others (the message still went out). */
  rejected: string[];
}

export interface Mailer {
  readonly via: 'smtp' | 'file';
  send(mail: OutgoingMail): Promise<SendResult>;
  close(): void;
}

/**
 * nodemailer (~14 MB of RSS once loaded) is loaded when the first mail goes out over SMTP, not
 * with the daemon: most daemons send none, and a bulk catch-up's peak RSS counts every module.
 */
const nodemailer = (): typeof import('nodemailer') => createRequire(import.meta.url)('nodemailer') as typeof import('nodemailer');

type EmailConfig = NonNullable<LoadedConfig['notify']['email']>;
type SmtpConfig = NonNullable<EmailConfig['smtp']>;

/**
 * The SMTP password, never from a literal in the config file or a log line. First found wins:
 * $APIWATCH_SMTP_PASS, `smtp.pass_file`, `$CREDENTIALS_DIRECTORY/smtp-password` (systemd
 * LoadCredential=smtp-password:…), then `smtp.pass` (meant for `${SOME_ENV}` interpolation).
 */
export function smtpPassword(smtp: SmtpConfig, configFile: string | null, env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (env.APIWATCH_SMTP_PASS) return env.APIWATCH_SMTP_PASS;
  const readSecret = (file: string, what: string) => {
    try {
      return readFileSync(file, 'utf8').replace(/\r?\n$/, '');
    } catch (err) {
      throw new MailConfigError(`cannot read ${what} ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
    }
  };
  if (smtp.pass_file) {
    const base = configFile ? dirname(configFile) : process.cwd();
    return readSecret(isAbsolute(smtp.pass_file) ? smtp.pass_file : resolve(base, smtp.pass_file), 'notify.email.smtp.pass_file');
  }
  // The shipped unit loads it as LoadCredential=smtp-password:… (systemd/apiwatch.service).
  const credential = readCredential('smtp-password', env);
  if (credential !== undefined) return credential;
  return smtp.pass || undefined;
}

export interface MailerOptions {
  env?: NodeJS.ProcessEnv;
}

/** SMTP when `notify.email.smtp` is configured, else files under `state_dir/digests/` (the embedded default). */
export function createMailer(cfg: LoadedConfig, opts: MailerOptions = {}): Mailer {
  const email = cfg.notify.email;
  if (email?.smtp) return smtpMailer(email, email.smtp, cfg.configFile, opts.env ?? process.env);
  return fileMailer(join(cfg.state_dir, 'digests'));
}

function smtpMailer(email: EmailConfig, smtp: SmtpConfig, configFile: string | null, env: NodeJS.ProcessEnv): Mailer {
  let transport: ReturnType<typeof createTransport> | null = null;
  const get = () => {
    if (transport) return transport;
    const user = env.APIWATCH_SMTP_USER || smtp.user;
    const pass = smtpPassword(smtp, configFile, env);
    if (user && pass === undefined) {
      throw new MailConfigError(
        'notify.email.smtp.user is set but no password was found (set APIWATCH_SMTP_PASS, smtp.pass_file, or a systemd credential "smtp-password")',
      );
    }
    transport = nodemailer().createTransport({
      host: smtp.host,
      port: smtp.port,
      secure: smtp.secure,
      // secure: false still upgrades with STARTTLS when offered; require_tls makes that mandatory.
      requireTLS: !smtp.secure && smtp.require_tls,
      auth: user ? { user, pass } : undefined,
      connectionTimeout: smtp.connection_timeout,
      greetingTimeout: smtp.greeting_timeout,
      socketTimeout: smtp.socket_timeout,
      dnsTimeout: smtp.connection_timeout,
      tls: { rejectUnauthorized: smtp.tls_reject_unauthorized },
      // Digest HTML must never make the mailer read local files or fetch URLs.
      disableFileAccess: true,
      disableUrlAccess: true,
      logger: false,
    });
    return transport;
  };
  return {
    via: 'smtp',
    async send(mail) {
      if (!email.to.length) throw new MailConfigError('notify.email.to is empty');
      const info = await get().sendMail({
        from: email.from,
        to: email.to,
        subject: mail.subject,
        text: mail.text,
        html: mail.html,
        messageId: mail.messageId,
        headers: { 'Auto-Submitted': 'auto-generated', 'X-Auto-Response-Suppress': 'All' },
      });
      const rejected = (info.rejected ?? []).map((r: string | { address: string }) => (typeof r === 'string' ? r : r.address));
      const accepted = (info.accepted ?? []).map((r: string | { address: string }) => (typeof r === 'string' ? r : r.address));
      return { via: 'smtp', detail: `accepted by ${smtp.host}:${smtp.port} for ${accepted.join(', ')}`, rejected };
    },
    close() {
      transport?.close();
      transport = null;
    },
  };
}

function fileMailer(dir: string): Mailer {
  const write = (file: string, body: string) => {
    // Write-then-rename: a reader (or a crash) never sees half a digest.
    const tmp = `${file}.tmp-${process.pid}`;
    writeFileSync(tmp, body);
    renameSync(tmp, file);
  };
  return {
    via: 'file',
    async send(mail) {
      mkdirSync(dir, { recursive: true });
      const base = join(dir, mail.fileBase.replace(/[^0-9A-Za-z._-]/g, '_'));
      write(`${base}.html`, mail.html);
      write(`${base}.txt`, `Subject: ${mail.subject}\n\n${mail.text}`);
      return { via: 'file', detail: `${base}.html, ${base}.txt`, rejected: [] };
    },
    close() {},
  };
}
