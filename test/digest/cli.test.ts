import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { openDatabase } from '../../src/store/db.js';
import { tempDir } from '../helpers/tmp.js';
import { DateTime } from 'luxon';
import { record, startSmtp, testConfig } from './helpers.js';
import { seedRealistic } from './fixtures.js';

function cli(args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const p = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], {
      env: { ...process.env, APIWATCH_CONFIG: '', APIWATCH_LOG_LEVEL: 'silent', ...env },
    });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d) => (stdout += d));
    p.stderr.on('data', (d) => (stderr += d));
    p.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

test('digest preview renders a chosen day to a file and stdout; digest send mails it; bad input exits 2', async () => {
  const dir = tempDir();
  const smtp = await startSmtp();
  const yaml = `notify:
  email:
    smtp: { host: 127.0.0.1, port: ${smtp.port} }
    to: [ops@example.com]
digest:
  timezone: Asia/Shanghai
  language: zh
`;
  const cfg = testConfig(dir, yaml);
  const db = openDatabase(cfg.dbPath);
  seedRealistic(db, '2026-11-27', 'Asia/Shanghai');
  db.close();
  const file = join(dir, 'apiwatch.yaml');
  const out = join(dir, 'preview.html');

  const [preview, send, bad, byRef] = await Promise.all([
    cli(['digest', 'preview', '--config', file, '--period', '2026-11-27', '--out', out]),
    cli(['digest', 'send', '--config', file, '--period', '2026-11-27']),
    cli(['digest', 'preview', '--config', file, '--period', '27/11/2026']),
    // The digest's pointer for the incidents a cause group leaves out.
    cli(['incidents', '--config', file, '--ref', 'S429', '--json']),
  ]);
  assert.equal(byRef.code, 0, byRef.stderr);
  const refs = byRef.stdout.trim().split('\n').map((l) => JSON.parse(l).ref);
  assert.deepEqual(refs, ['S429']);
  assert.equal(preview.code, 0, preview.stderr);
  assert.match(preview.stdout, /^Subject: \[apiwatch\] 2026-11-27：E01 App token is invalid or expired（严重，254 次） \+ 另外 6 个原因，共 462 次调用失败\n/);
  assert.match(preview.stdout, /处理方法: 应用 token 无效或已过期/);
  assert.match(readFileSync(out, 'utf8'), /<h2[^>]*>新增和复发的事件 \(新增 2, 复发 4\)<\/h2>/);
  assert.equal(smtp.messages.length, 1, 'preview does not send; send does');

  assert.equal(send.code, 0, send.stderr);
  assert.match(send.stdout, /sent: \[apiwatch\] 2026-11-27：/);
  assert.equal(smtp.messages[0].subject, '[apiwatch] 2026-11-27：E01 App token is invalid or expired（严重，254 次） + 另外 6 个原因，共 462 次调用失败');
  assert.match(smtp.messages[0].text ?? '', /本期失败原因（7）/);

  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /--period must be today, yesterday or a date YYYY-MM-DD/);
});

test('digest preview without --period shows today so far and says so; --period yesterday covers the day before', async () => {
  const dir = tempDir();
  const cfg = testConfig(dir, 'digest:\n  timezone: Asia/Shanghai\n');
  const db = openDatabase(cfg.dbPath);
  // Times relative to the test's own now, in the configured zone: one call today, three yesterday.
  const now = DateTime.now().setZone('Asia/Shanghai');
  const today = now.startOf('day');
  const midToday = today.toMillis() + Math.floor((now.toMillis() - today.toMillis()) / 2);
  const yesterday = today.minus({ days: 1 }).plus({ hours: 12 }).toMillis();
  record(db, [{ ts: yesterday, ref: 'T01', category: 'timeout', severity: 'error' }, { ts: yesterday + 1, ref: 'T01', category: 'timeout', severity: 'error' }, { ts: yesterday + 2, ref: 'T01', category: 'timeout', severity: 'error' }]);
  record(db, [{ ts: midToday, severity: 'critical' }]);
  db.close();
  const file = join(dir, 'apiwatch.yaml');
  const [sofar, yday] = await Promise.all([
    cli(['digest', 'preview', '--config', file]),
    cli(['digest', 'preview', '--config', file, '--period', 'yesterday']),
  ]);
  assert.equal(sofar.code, 0, sofar.stderr);
  const todayDate = today.toISODate();
  assert.match(sofar.stdout, new RegExp(`^Subject: \\[apiwatch\\] ${todayDate} \\(so far\\): E01 .* \\(critical, 1 call\\), 1 failed call\n`));
  assert.match(sofar.stdout, /Period so far: today until \d{4}-\d\d-\d\d \d\d:\d\d; the day is not over\./);
  assert.equal(yday.code, 0, yday.stderr);
  assert.match(yday.stdout, new RegExp(`^Subject: \\[apiwatch\\] ${today.minus({ days: 1 }).toISODate()}: T01 .* \\(error, 3 calls\\), 3 failed calls\n`));
  assert.doesNotMatch(yday.stdout, /Period so far/);
});

test('notify test email sends through SMTP, reports a refusal with exit 1, and every command has --help', async () => {
  const dir = tempDir();
  const smtp = await startSmtp();
  const ok = testConfig(dir, `notify:\n  email:\n    smtp: { host: 127.0.0.1, port: ${smtp.port} }\n    to: ops@example.com\n`);
  const dir2 = tempDir();
  const down = testConfig(dir2, `notify:\n  email:\n    smtp: { host: 127.0.0.1, port: 1, connection_timeout: 1s }\n    to: ops@example.com\n`);
  const [sent, failed, h1, h2, h3] = await Promise.all([
    cli(['notify', 'test', 'email', '--config', ok.configFile!]),
    cli(['notify', 'test', 'email', '--config', down.configFile!]),
    cli(['digest', 'send', '--help']),
    cli(['notify', 'test', 'email', '--help']),
    cli(['digest', 'preview', '--help']),
  ]);
  assert.equal(sent.code, 0, sent.stderr);
  assert.match(sent.stdout, /test email sent via smtp/);
  assert.equal(smtp.messages.length, 1);
  assert.match(smtp.messages[0].subject ?? '', /^\[apiwatch\] test email from /);
  assert.equal(failed.code, 1);
  assert.match(failed.stderr, /test email failed \(transient\): ESOCKET/);
  for (const h of [h1, h2, h3]) {
    assert.equal(h.code, 0);
    assert.match(h.stdout, /--config <file>/);
  }
  assert.match(h3.stdout, /--period <day>/);
  assert.match(h3.stdout, /--out <file.html>/);
});
