import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Socket } from 'node:net';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after } from 'node:test';
import { createMailer, smtpPassword } from '../../../src/notify/email/transport.js';
import { classifySmtpError } from '../../../src/notify/email/errors.js';
import { testEmail } from '../../../src/notify/email/test-email.js';
import { tempDir } from '../../helpers/tmp.js';
import { refusedPort, startSmtp, testConfig } from '../../digest/helpers.js';

const mail = { subject: 's', html: '<p>h</p>', text: 't', fileBase: '2026-11-27' };

function cfgFor(dir: string, port: number, extra = '', env: NodeJS.ProcessEnv = {}) {
  return testConfig(
    dir,
    `notify:
  email:
    smtp: { host: 127.0.0.1, port: ${port}, connection_timeout: 1s, greeting_timeout: 300ms, socket_timeout: 2s${extra} }
    from: "apiwatch <apiwatch@example.com>"
    to: [ops@example.com, bad@example.com]
`,
    env,
  );
}

async function failure(p: Promise<unknown>) {
  try {
    await p;
  } catch (err) {
    return { err: err as Record<string, unknown>, info: classifySmtpError(err) };
  }
  throw new Error('expected the send to fail');
}

test('real SMTP failures are classified: refused, greeting time-out and 421 retry; 550 and 535 are permanent', async () => {
  const dir = tempDir();
  // Refused connection: nodemailer reports ESOCKET (originalCode ECONNREFUSED).
  const refused = await failure(createMailer(cfgFor(dir, await refusedPort()), { env: {} }).send(mail));
  assert.equal(refused.err.code, 'ESOCKET');
  assert.equal(refused.info.permanent, false);
  assert.match(refused.info.summary, /^ESOCKET \(ECONNREFUSED\)/);

  // A server that accepts TCP but never greets: the explicit greeting time-out fires.
  const sockets: Socket[] = [];
  const silent = createServer((s) => void sockets.push(s));
  await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
  after(() => {
    for (const s of sockets) s.destroy();
    silent.close();
  });
  const port = (silent.address() as { port: number }).port;
  const t0 = Date.now();
  const timeout = await failure(createMailer(cfgFor(dir, port), { env: {} }).send(mail));
  assert.equal(timeout.err.code, 'ETIMEDOUT');
  assert.equal(timeout.info.permanent, false);
  assert.ok(Date.now() - t0 < 1500, 'greeting_timeout, not a default of minutes');

  // 421 at connect (server busy): transient.
  const busy = await startSmtp({
    onConnect(_s, cb) {
      cb(Object.assign(new Error('Too busy, try later'), { responseCode: 421 }));
    },
  });
  const r421 = await failure(createMailer(cfgFor(dir, busy.port), { env: {} }).send(mail));
  assert.equal(r421.err.responseCode, 421);
  assert.equal(r421.info.permanent, false);

  // 550 for every recipient: permanent.
  const rejecting = await startSmtp({
    onRcptTo(_a, _s, cb) {
      cb(Object.assign(new Error('No such user'), { responseCode: 550 }));
    },
  });
  const r550 = await failure(createMailer(cfgFor(dir, rejecting.port), { env: {} }).send(mail));
  assert.equal(r550.info.permanent, true);
  assert.match(r550.info.summary, /EENVELOPE 550 at RCPT TO/);

  // Bad credentials: 535, permanent, and the password is not in what gets logged.
  const authed = await startSmtp({
    authOptional: false,
    allowInsecureAuth: true,
    onAuth(auth, _s, cb) {
      if (auth.username === 'digest' && auth.password === 'right-horse-battery') cb(null, { user: 'digest' });
      else cb(Object.assign(new Error('Invalid credentials'), { responseCode: 535 }));
    },
  });
  const wrong = await failure(createMailer(cfgFor(dir, authed.port, ', user: digest'), { env: { APIWATCH_SMTP_PASS: 'wrong-secret-123' } }).send(mail));
  assert.equal(wrong.err.code, 'EAUTH');
  assert.equal(wrong.info.permanent, true);
  assert.doesNotMatch(wrong.info.summary, /wrong-secret-123/);
  const ok = await createMailer(cfgFor(dir, authed.port, ', user: digest'), { env: { APIWATCH_SMTP_PASS: 'right-horse-battery' } }).send(mail);
  assert.equal(ok.via, 'smtp');
  assert.equal(authed.messages.length, 1);
});

test('one refused recipient does not fail the message; it is reported', async () => {
  const dir = tempDir();
  const smtp = await startSmtp({
    onRcptTo(addr, _s, cb) {
      if (addr.address.startsWith('bad@')) cb(Object.assign(new Error('No such user'), { responseCode: 550 }));
      else cb();
    },
  });
  const res = await createMailer(cfgFor(dir, smtp.port), { env: {} }).send(mail);
  assert.deepEqual(res.rejected, ['bad@example.com']);
  assert.deepEqual(smtp.rcpts, [['ops@example.com']]);
});

test('SMTP password: env first, then pass_file, then the systemd credential, then the (interpolated) config value', () => {
  const dir = tempDir();
  const creds = join(dir, 'creds');
  mkdirSync(creds);
  writeFileSync(join(creds, 'smtp-password'), 'from-systemd\n');
  writeFileSync(join(dir, 'pass.txt'), 'from-file\n');
  const smtp = (extra: Record<string, unknown> = {}) =>
    ({ host: 'h', port: 587, secure: false, require_tls: false, tls_reject_unauthorized: true, connection_timeout: 1, greeting_timeout: 1, socket_timeout: 1, ...extra }) as never;
  const cfgFile = join(dir, 'apiwatch.yaml');
  assert.equal(smtpPassword(smtp({ pass_file: 'pass.txt', pass: 'cfg' }), cfgFile, { APIWATCH_SMTP_PASS: 'from-env', CREDENTIALS_DIRECTORY: creds }), 'from-env');
  assert.equal(smtpPassword(smtp({ pass_file: 'pass.txt', pass: 'cfg' }), cfgFile, { CREDENTIALS_DIRECTORY: creds }), 'from-file');
  assert.equal(smtpPassword(smtp({ pass: 'cfg' }), cfgFile, { CREDENTIALS_DIRECTORY: creds }), 'from-systemd');
  assert.equal(smtpPassword(smtp({ pass: 'cfg' }), cfgFile, {}), 'cfg');
  assert.equal(smtpPassword(smtp(), cfgFile, {}), undefined);
  assert.throws(() => smtpPassword(smtp({ pass_file: 'missing.txt' }), cfgFile, {}), (e: Error & { code?: string }) => e.code === 'ECONFIG' && /ENOENT/.test(e.message));
});

test('config: smtp needs recipients; the SMTP password can come from ${ENV} but other keys are validated', () => {
  const dir = tempDir();
  assert.throws(() => testConfig(dir, 'notify:\n  email:\n    smtp: { host: mail.example.com }\n'), /notify\.email\.to: at least one recipient/);
  const cfg = testConfig(dir, 'notify:\n  email:\n    smtp: { host: mail.example.com, pass: "${SMTP_PASS}", socket_timeout: 30s }\n    to: ops@example.com\n', { SMTP_PASS: 'x' });
  assert.equal(cfg.notify.email?.smtp?.socket_timeout, 30_000);
  assert.equal(cfg.notify.email?.smtp?.connection_timeout, 10_000);
  assert.equal(cfg.notify.email?.smtp?.require_tls, false);
});

test('without SMTP, mail goes to state_dir/digests/<date>.html and .txt (the embedded default)', async () => {
  const dir = tempDir();
  const cfg = testConfig(dir, '');
  const res = await createMailer(cfg).send({ subject: '[apiwatch] 2026-11-27 — no failed calls', html: '<p>x</p>', text: 'plain\n', fileBase: '2026-11-27' });
  assert.equal(res.via, 'file');
  const base = join(cfg.state_dir, 'digests', '2026-11-27');
  assert.equal(readFileSync(`${base}.html`, 'utf8'), '<p>x</p>');
  assert.equal(readFileSync(`${base}.txt`, 'utf8'), 'Subject: [apiwatch] 2026-11-27 — no failed calls\n\nplain\n');
  const t = await testEmail(cfg);
  assert.equal(t.via, 'file');
  assert.ok(existsSync(t.detail.split(', ')[0]));
});
