/**
 * Sorting nodemailer errors into "retry later" and "give up". A permanent failure (the server
 * rejected the message or our credentials for good) is dead-lettered; anything else — refused
 * connections (ESOCKET with originalCode ECONNREFUSED), time-outs, 4xx replies — is retried.
 */
export interface SmtpErrorInfo {
  permanent: boolean;
  /** One line for logs and the digests table: code, reply code, command, message. Never credentials. */
  summary: string;
}

interface MailErrorShape {
  code?: unknown;
  responseCode?: unknown;
  permanent?: unknown;
  command?: unknown;
  originalCode?: unknown;
  message?: unknown;
}

/** Codes that cannot fix themselves: bad configuration, missing credentials. */
const PERMANENT_CODES = new Set(['ECONFIG', 'ENOAUTH', 'EMAXRECIPIENTS', 'ENORECIPIENTS']);

export function classifySmtpError(err: unknown): SmtpErrorInfo {
  const e = (err && typeof err === 'object' ? err : { message: String(err) }) as MailErrorShape;
  const code = typeof e.code === 'string' ? e.code : undefined;
  const responseCode = typeof e.responseCode === 'number' ? e.responseCode : undefined;
  let permanent: boolean;
  if (typeof e.permanent === 'boolean') permanent = e.permanent; // nodemailer ≥ 8 sets it with responseCode
  else if (responseCode !== undefined) permanent = responseCode >= 500 && responseCode < 600 && responseCode !== 503;
  else permanent = code !== undefined && PERMANENT_CODES.has(code);
  const parts = [
    code,
    typeof e.originalCode === 'string' ? `(${e.originalCode})` : undefined,
    responseCode !== undefined ? String(responseCode) : undefined,
    typeof e.command === 'string' ? `at ${e.command}` : undefined,
  ].filter(Boolean);
  const message = String(e.message ?? 'unknown error').replace(/\s+/g, ' ').slice(0, 300);
  return { permanent, summary: `${parts.length ? `${parts.join(' ')}: ` : ''}${message}` };
}

/** An error this module raises itself, shaped like nodemailer's so classification is uniform. */
export class MailConfigError extends Error {
  readonly code = 'ECONFIG';
  readonly permanent = true;
}
