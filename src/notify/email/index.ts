export { createMailer, smtpPassword, type Mailer, type OutgoingMail, type SendResult } from './transport.js';
export { classifySmtpError, MailConfigError, type SmtpErrorInfo } from './errors.js';
export { testEmail } from './test-email.js';
