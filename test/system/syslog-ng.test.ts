// Layout (a) of the README's "Running for many app servers", for real: a real syslog-ng (Debian
// syslog-ng-core + syslog-ng-mod-http) on docs/fleet/syslog-ng.conf (as it is) tails an app log and
// POSTs it to a central apiwatch on docs/fleet/central-apiwatch.yaml (as it is), which pages Slack
// (a stand-in on 127.0.0.1). A multi-line Java exception is one record; a successful call and a chat
// text quoting an error body are no events.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { ROOT } from '../helpers/cli.js';
import { tempDir } from '../helpers/tmp.js';
import { FakeSlack } from '../notify/helpers.js';
import { apiwatchDaemon, freePort, getText, start, waitFor } from './fleet/procs.js';

const SYSLOG_NG = process.env.SYSLOG_NG_BIN ?? 'syslog-ng';
const CENTRAL = join(ROOT, 'docs/fleet/central-apiwatch.yaml');
const SHIPPER = join(ROOT, 'docs/fleet/syslog-ng.conf');
const TOKEN = 'fleet-token-for-the-system-test';

test('syslog-ng tails an app log and posts it to a central apiwatch, which pages once per failure and nothing else', { timeout: 180_000 }, async () => {
  const dir = tempDir();
  const slack = await new FakeSlack().start();
  const [ingest, metrics] = [await freePort(), await freePort()];
  const state = join(dir, 'state');
  const central = apiwatchDaemon('central apiwatch', CENTRAL, {
    APIWATCH_STATE_DIR: state,
    APIWATCH_INGEST_LISTEN: `127.0.0.1:${ingest}`,
    APIWATCH_INGEST_TOKEN: TOKEN,
    APIWATCH_METRICS_LISTEN: `127.0.0.1:${metrics}`,
    SLACK_WEBHOOK_URL: slack.url('/services/T000/B000/XXXXXXXXXXXXXXXXXXXXXXXX'),
  });
  await waitFor('the central apiwatch', async () => (await getText(`http://127.0.0.1:${metrics}/healthz`))?.includes('"ok":true'), 30_000, [central]);

  const log = join(dir, 'app.log');
  writeFileSync(log, '');
  const shipper = start('syslog-ng', SYSLOG_NG, ['-F', '--no-caps', '-f', SHIPPER, '-R', join(dir, 'syslog-ng.persist'), '-p', join(dir, 'syslog-ng.pid'), '-c', join(dir, 'syslog-ng.ctl')], {
    APP_LOG: log,
    APIWATCH_URL: `http://127.0.0.1:${ingest}/ingest`,
    APIWATCH_INGEST_TOKEN: TOKEN,
  });
  const procs = [central, shipper];
  const ts = () => new Date().toISOString().replace('T', ' ').slice(0, 23);
  appendFileSync(
    log,
    [
      `${ts()} INFO  im.easemob: GET https://a1.easemob.com/acme/chat/users/bob -> 200 {"action":"get","entities":[{"username":"bob"}]}`,
      `${ts()} INFO  chat.relay: relay message alice -> bob: "the server said {\\"error\\":\\"reach_limit\\"} again"`,
      `${ts()} ERROR im.easemob: send message failed: POST https://a1.easemob.com/acme/chat/messages/users -> 429 Too Many Requests {"error":"reach_limit","exception":"EasemobException","timestamp":1764238530120,"duration":0,"error_description":"This request has reached api limit"}`,
      `${ts()} ERROR [http-nio-8080-exec-3] c.a.im.EasemobClient - create group failed`,
      `org.springframework.web.client.HttpClientErrorException$Unauthorized: 401 Unauthorized: "{"error":"unauthorized","exception":"UnauthorizedException","timestamp":1764238530121,"duration":0,"error_description":"Unable to authenticate due to expired access token"}"`,
      `\tat org.springframework.web.client.HttpClientErrorException.create(HttpClientErrorException.java:105)`,
      `\tat com.acme.im.EasemobClient.createGroup(EasemobClient.java:88)`,
      `${ts()} INFO  app: done`,
      '',
    ].join('\n'),
  );

  const dbFile = join(state, 'apiwatch.db');
  const events = await waitFor('the two failures stored', () => {
    try {
      const db = new Database(dbFile, { readonly: true, fileMustExist: true });
      try {
        const rows = db.prepare('SELECT source, ref, status FROM events ORDER BY id').all() as { source: string; ref: string; status: number }[];
        return rows.length >= 2 ? rows : undefined;
      } finally {
        db.close();
      }
    } catch {
      return undefined;
    }
  }, 60_000, procs);
  assert.deepEqual(events.map((e) => e.status), [429, 401], 'the two failed calls, and not the 200 nor the quoted chat text');
  for (const e of events) assert.equal(e.source, `${hostname()}:${log}`, 'origin host:file from syslog-ng\'s ${HOST} and ${FILE_NAME}');
  await waitFor('both pages at the Slack stand-in', () => slack.received.length >= 2, 60_000, procs);
  const m = (await getText(`http://127.0.0.1:${metrics}/metrics`)) ?? '';
  const records = Number(/apiwatch_http_ingest_records_total\{[^}]*\} (\d+)/.exec(m)?.[1] ?? 0);
  assert.ok(records >= 8, `syslog-ng's records were counted at the HTTP source (${records})`);
  assert.equal(slack.received.length, 2, 'one page per failure');
});
