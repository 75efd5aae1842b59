import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ParsedMail } from 'mailparser';
import { DigestScheduler, type DigestRow } from '../../src/digest/scheduler.js';
import { createMailer } from '../../src/notify/email/transport.js';
import { openDatabase } from '../../src/store/db.js';
import type { LoadedConfig } from '../../src/config/load.js';
import type { DB } from '../../src/store/db.js';
import { tempDir } from '../helpers/tmp.js';
import { memoryLogger, record, refusedPort, startSmtp, testConfig, testDb } from './helpers.js';

const NY = 'America/New_York';
const T = (s: string) => Date.parse(s);

function smtpYaml(port: number, extra = ''): string {
  return `notify:
  email:
    smtp: { host: 127.0.0.1, port: ${port}, connection_timeout: 2s, greeting_timeout: 2s, socket_timeout: 5s }
    from: "apiwatch <apiwatch@example.com>"
    to: [ops@example.com, dev@example.com]
digest:
  at: "02:30"
  timezone: ${NY}
${extra}`;
}

function scheduler(db: DB, cfg: LoadedConfig, clock: { now: number }, log = memoryLogger().log) {
  return new DigestScheduler({ db, cfg, log, mailer: createMailer(cfg, { env: {} }), now: () => clock.now, retryMinMs: 30_000, retryMaxMs: 600_000 });
}

function html(m: ParsedMail): string {
  assert.equal(typeof m.html, 'string', 'message has an HTML part');
  return m.html as string;
}

function rows(db: DB): DigestRow[] {
  return db.prepare('SELECT * FROM digests ORDER BY to_date').all() as DigestRow[];
}

test('sends at the configured local time on a DST transition day, once, with both parts; a restart sends nothing again', async () => {
  const dir = tempDir();
  const smtp = await startSmtp();
  const cfg = testConfig(dir, smtpYaml(smtp.port));
  const db = testDb(dir);
  const clock = { now: T('2026-03-07T12:00:00Z') };
  const s = scheduler(db, cfg, clock);
  await s.tick(); // first start: baseline, no mail
  assert.equal(smtp.messages.length, 0);
  assert.deepEqual(rows(db).map((r) => [r.to_date, r.state]), [['2026-03-06', 'skipped']]);

  // The local day of the spring-forward transition (23 h), sent the next day at 02:30 EDT = 06:30Z.
  record(db, [
    { ts: T('2026-03-08T06:10:00Z'), severity: 'critical', ref: 'E01', title: 'App token is invalid or expired' },
    { ts: T('2026-03-08T06:20:00Z'), severity: 'critical', ref: 'E01', title: 'App token is invalid or expired' },
    { ts: T('2026-03-08T15:00:00Z'), severity: 'warning', ref: 'S429', category: 'rate_limit', endpoint: '/messages/users', title: 'Rate limited', status: 429, error: 'too_many_requests', description: 'Too many requests' },
  ]);
  clock.now = T('2026-03-08T08:00:00Z');
  await s.tick(); // 2026-03-07 is due (03:30 EDT after the skipped hour): quiet digest
  assert.equal(smtp.messages.length, 1);
  assert.match(smtp.messages[0].subject ?? '', /^\[apiwatch\] 2026-03-07: no failed calls$/);

  clock.now = T('2026-03-09T06:29:00Z');
  await s.tick();
  assert.equal(smtp.messages.length, 1, 'not before 02:30 local');
  clock.now = T('2026-03-09T06:30:00Z');
  await s.tick();
  assert.equal(smtp.messages.length, 2, 'at 02:30 local');
  const m = smtp.messages[1];
  assert.equal(m.subject, '[apiwatch] 2026-03-08: E01 App token is invalid or expired (critical, 2 calls) + 1 more cause, 3 failed calls');
  assert.deepEqual(smtp.rcpts[1], ['ops@example.com', 'dev@example.com']);
  assert.ok(m.messageId?.includes('apiwatch-digest-2026-03-08'), m.messageId);
  const text = m.text ?? '';
  assert.match(text, /3 failed calls/);
  assert.match(text, /New and regressed incidents \(2 new, 0 regressed\)/);
  assert.match(text, /Refresh the app token/);
  // 23 hourly lines, none for the skipped 02:00 hour.
  const hourLines = text.split('\n').filter((l) => /^\d\d\s+\d+ ?#*$/.test(l));
  assert.equal(hourLines.length, 23, hourLines.join('\n'));
  assert.ok(!hourLines.some((l) => l.startsWith('02 ')));
  assert.match(html(m), /Failed calls per hour/);
  assert.match(html(m), /E01/);

  for (const t of ['2026-03-09T06:31:00Z', '2026-03-09T20:00:00Z']) {
    clock.now = T(t);
    await s.tick();
  }
  assert.equal(smtp.messages.length, 2, 'no second mail the same day');

  // Restart: a new process on the same database file.
  await s.stop();
  db.close();
  const db2 = openDatabase(cfg.dbPath);
  const s2 = scheduler(db2, cfg, clock);
  clock.now = T('2026-03-09T06:45:00Z');
  await s2.tick();
  await s2.tick();
  assert.equal(smtp.messages.length, 2, 'restart after sending sends nothing');
  assert.deepEqual(rows(db2).map((r) => [r.to_date, r.state, r.attempts]), [
    ['2026-03-06', 'skipped', 0],
    ['2026-03-07', 'sent', 1],
    ['2026-03-08', 'sent', 1],
  ]);
  await s2.stop();
  db2.close();
});

test('daemon down at send time: one catch-up on start that says which days it covers', async () => {
  const dir = tempDir();
  const smtp = await startSmtp();
  const cfg = testConfig(dir, smtpYaml(smtp.port));
  const db = testDb(dir);
  const clock = { now: T('2026-11-20T12:00:00Z') };
  await scheduler(db, cfg, clock).tick(); // baseline: 2026-11-19
  record(db, [
    { ts: T('2026-11-21T15:00:00Z') },
    { ts: T('2026-11-22T15:00:00Z') },
    { ts: T('2026-11-23T15:00:00Z'), severity: 'critical', ref: 'S500', category: 'server', status: 500, title: 'Easemob server error' },
  ]);
  // Down from the 20th until the 24th, 14:00 local: days 20..23 are due.
  clock.now = T('2026-11-24T19:00:00Z');
  const s = scheduler(db, cfg, clock);
  await s.tick();
  await s.tick();
  assert.equal(smtp.messages.length, 1, 'one catch-up, not one per missed day');
  const m = smtp.messages[0];
  assert.equal(m.subject, '[apiwatch] 2026-11-20 – 2026-11-23 (catch-up): S500 Easemob server error (critical, 1 call) + 1 more cause, 3 failed calls');
  assert.match(m.text ?? '', /covers 4 days \(2026-11-20 – 2026-11-23\)/);
  assert.match(m.text ?? '', /Failed calls per day/);
  assert.match(m.text ?? '', /This digest was due at 2026-11-24 02:30 and goes out late: apiwatch was not running then\./);
  assert.match(html(m), /catch-up digest covers 4 days/);
  clock.now = T('2026-11-25T07:29:00Z'); // before the next 02:30 EST
  await s.tick();
  assert.equal(smtp.messages.length, 1);
  clock.now = T('2026-11-25T07:30:00Z');
  await s.tick();
  assert.equal(smtp.messages.length, 2, 'back to one a day');
  assert.match(smtp.messages[1].subject ?? '', /^\[apiwatch\] 2026-11-24: /);
});

test('SMTP refusing connections across the send hour: retried with back-off, exactly one mail after it recovers', async () => {
  const dir = tempDir();
  const port = await refusedPort();
  const cfg = testConfig(dir, smtpYaml(port));
  const db = testDb(dir);
  const { log, lines } = memoryLogger();
  const clock = { now: T('2026-11-27T12:00:00Z') };
  const s = scheduler(db, cfg, clock, log);
  await s.tick();
  record(db, [{ ts: T('2026-11-27T15:00:00Z') }]);
  // From the send time (07:30Z) every minute for 90 minutes, with the server down.
  for (let t = T('2026-11-28T07:30:00Z'); t <= T('2026-11-28T09:00:00Z'); t += 60_000) {
    clock.now = t;
    await s.tick();
  }
  const row = rows(db).find((r) => r.to_date === '2026-11-27')!;
  assert.equal(row.state, 'pending');
  // Back-off 30s, 1m, 2m, 4m, 8m, then every 10m (cap): 13 attempts in 91 minutes, not 91.
  assert.equal(row.attempts, 13);
  assert.ok(row.next_attempt_at! - clock.now <= 600_000);
  assert.match(row.last_error ?? '', /ESOCKET/);
  assert.match(row.last_error ?? '', /ECONNREFUSED/);
  assert.ok(lines.some((l) => l.msg === 'digest: send failed, will retry' && l.level === 40));

  const smtp = await startSmtp({}, port);
  for (let t = T('2026-11-28T09:01:00Z'); t <= T('2026-11-28T09:40:00Z'); t += 60_000) {
    clock.now = t;
    await s.tick();
  }
  assert.equal(smtp.messages.length, 1);
  assert.match(smtp.messages[0].subject ?? '', /^\[apiwatch\] 2026-11-27: E01 App token is invalid or expired \(error, 1 call\), 1 failed call$/);
  const after = rows(db).find((r) => r.to_date === '2026-11-27')!;
  assert.equal(after.state, 'sent');
  assert.equal(after.attempts, row.attempts + 1);
});

test('a permanent 550 rejection is dead-lettered, logged, and not retried', async () => {
  const dir = tempDir();
  const smtp = await startSmtp({
    onRcptTo(_addr, _session, cb) {
      cb(Object.assign(new Error('5.1.1 mailbox unavailable'), { responseCode: 550 }));
    },
  });
  const cfg = testConfig(dir, smtpYaml(smtp.port));
  const db = testDb(dir);
  const { log, lines } = memoryLogger();
  const clock = { now: T('2026-11-27T12:00:00Z') };
  const s = scheduler(db, cfg, clock, log);
  await s.tick();
  record(db, [{ ts: T('2026-11-27T15:00:00Z') }]);
  clock.now = T('2026-11-28T07:30:00Z');
  await s.tick();
  const row = rows(db).find((r) => r.to_date === '2026-11-27')!;
  assert.equal(row.state, 'dead');
  assert.equal(row.attempts, 1);
  assert.match(row.last_error ?? '', /EENVELOPE 550 at RCPT TO/);
  const logged = lines.find((l) => l.level === 50);
  assert.ok(logged, 'an error line is logged');
  assert.match(String(logged.msg), /dead-lettered/);
  const conns = smtp.connections;
  for (const t of ['2026-11-28T08:00:00Z', '2026-11-28T12:00:00Z']) {
    clock.now = T(t);
    await s.tick();
  }
  assert.equal(smtp.connections, conns, 'no retry after a permanent failure');
  assert.equal(smtp.messages.length, 0);
});

test('log content is HTML-escaped end to end: <script> and <img onerror> arrive as text', async () => {
  const dir = tempDir();
  const smtp = await startSmtp();
  const cfg = testConfig(dir, smtpYaml(smtp.port));
  const db = testDb(dir);
  const clock = { now: T('2026-11-27T12:00:00Z') };
  const s = scheduler(db, cfg, clock);
  await s.tick();
  record(db, [{
    ts: T('2026-11-27T15:00:00Z'),
    endpoint: '/users/<img src=x onerror=alert(1)>',
    appkey: 'acme#<b>chat</b>',
    error: 'bad"request',
    description: '<script>alert("pwned")</script> and <img src=x onerror="alert(2)">',
  }]);
  clock.now = T('2026-11-28T07:30:00Z');
  await s.tick();
  assert.equal(smtp.messages.length, 1);
  const h = html(smtp.messages[0]);
  assert.ok(!/<script/i.test(h), 'no script element');
  assert.ok(!/<img/i.test(h), 'no img element');
  assert.ok(!/<b>chat/i.test(h), 'no markup from the appkey');
  assert.ok(!/<[^>]*onerror/i.test(h), 'no onerror attribute on any element');
  assert.match(h, /&lt;script&gt;alert\(&quot;pwned&quot;\)&lt;\/script&gt;/);
  assert.match(h, /\/users\/&lt;img src=x onerror=alert\(1\)&gt;/);
  // The plain-text part shows the same text literally.
  assert.match(smtp.messages[0].text ?? '', /<script>alert\("pwned"\)<\/script>/);
});

test('a quiet day sends a short "no failed calls" digest, or nothing with send_quiet: false', async () => {
  const dir = tempDir();
  const smtp = await startSmtp();
  const cfg = testConfig(dir, smtpYaml(smtp.port));
  const db = testDb(dir);
  const clock = { now: T('2026-11-27T12:00:00Z') };
  const s = scheduler(db, cfg, clock);
  await s.tick();
  clock.now = T('2026-11-28T07:30:00Z');
  await s.tick();
  assert.equal(smtp.messages.length, 1);
  const m = smtp.messages[0];
  assert.equal(m.subject, '[apiwatch] 2026-11-27: no failed calls');
  assert.match(m.text ?? '', /No failed calls to the Easemob/);
  assert.doesNotMatch(m.text ?? '', /Causes of the period/);
  assert.match(html(m), /<b>No failed calls to the Easemob/);
  assert.ok((m.text ?? '').split('\n').length < 25, 'short');

  const dir2 = tempDir();
  const cfg2 = testConfig(dir2, smtpYaml(smtp.port, '  send_quiet: false\n'));
  const db2 = testDb(dir2);
  const s2 = scheduler(db2, cfg2, { now: T('2026-11-27T12:00:00Z') });
  await s2.tick();
  const clock2 = { now: T('2026-11-28T07:30:00Z') };
  const s3 = scheduler(db2, cfg2, clock2);
  await s3.tick();
  assert.equal(smtp.messages.length, 1, 'nothing sent for the quiet day');
  const r = rows(db2).find((x) => x.to_date === '2026-11-27')!;
  assert.equal(r.state, 'skipped');
  assert.match(r.reason ?? '', /send_quiet/);
});

test('rejected credentials dead-letter the digest; the password is in no log line and not in the database', async () => {
  const dir = tempDir();
  const smtp = await startSmtp({
    authOptional: false,
    allowInsecureAuth: true,
    onAuth(_auth, _s, cb) {
      cb(Object.assign(new Error('5.7.8 Authentication credentials invalid'), { responseCode: 535 }));
    },
  });
  const cfg = testConfig(dir, smtpYaml(smtp.port).replace('socket_timeout: 5s', 'socket_timeout: 5s, user: digest'));
  const db = testDb(dir);
  const { log, lines } = memoryLogger();
  const clock = { now: T('2026-11-27T12:00:00Z') };
  const env = { APIWATCH_SMTP_PASS: 'Sup3r-Secret-Pa55' };
  const s = new DigestScheduler({ db, cfg, log, mailer: createMailer(cfg, { env }), now: () => clock.now });
  await s.tick();
  clock.now = T('2026-11-28T07:30:00Z');
  await s.tick();
  const row = rows(db).find((r) => r.to_date === '2026-11-27')!;
  assert.equal(row.state, 'dead');
  assert.match(row.last_error ?? '', /EAUTH 535/);
  assert.ok(lines.length > 0);
  assert.doesNotMatch(JSON.stringify(lines), /Sup3r-Secret-Pa55/);
  const dump = JSON.stringify(db.prepare('SELECT * FROM digests').all());
  assert.doesNotMatch(dump, /Sup3r-Secret-Pa55/);
});
