import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { apiwatch } from '../helpers/cli.js';
import { tempDir } from '../helpers/tmp.js';

const DAY = 86400000;

/** Python logging's `%(asctime)s` (zone-less: read in UTC, as the config below says). */
function asctime(t: number): string {
  return new Date(t).toISOString().replace('T', ' ').replace('Z', '').replace('.', ',');
}

function log(dir: string, t: number): string {
  const f = join(dir, 'app.log');
  writeFileSync(f, [
    `${asctime(t)} INFO chat.relay: relay message alice -> bob: "lol the server said {\\"error\\":\\"reach_limit\\"} again"`,
    `${asctime(t + 1000)} INFO im.easemob: GET https://a1.easemob.com/acme/chat/chatgroups/42 -> 200 {"action":"get","entities":[],"data":{"description":"HTTP 429 Too Many Requests is my life"}}`,
    `${asctime(t + 2000)} ERROR cache: redis connection lost: Error: connect ECONNREFUSED 127.0.0.1:6379`,
    `${asctime(t + 3000)} ERROR payments: charge failed: POST https://a1.easemob.com/ext/v1/charges -> 402 Payment Required`,
    `${asctime(t + 4000)} ERROR im.easemob: get user bob failed: GET https://a1.easemob.com/acme/chat/users/bob -> 404 Not Found body={"error":"service_resource_not_found","exception":"org.apache.usergrid.services.exceptions.ServiceResourceNotFoundException","timestamp":1,"duration":0,"error_description":"Service resource not found"}`,
    `${asctime(t + 5000)} WARNING im.easemob: send failed: POST https://a1.easemob.com/acme/chat/messages: ReadTimeout: HTTPSConnectionPool(host='a1.easemob.com', port=443): Read timed out. (read timeout=5)`,
    `${asctime(t + 6000)} INFO app: served 12 requests`,
  ].join('\n') + '\n');
  return f;
}

function config(dir: string): string {
  const cfg = join(dir, 'apiwatch.yaml');
  writeFileSync(cfg, 'state_dir: ./state\nsources: []\n');
  return cfg;
}

test('classify --explain: the evidence used for every event, the evidence missing for every other record', () => {
  const dir = tempDir();
  const r = apiwatch(['classify', '--explain', '--timezone', 'UTC', log(dir, Date.now() - DAY)]);
  assert.equal(r.status, 0, r.stderr);
  const verdicts = r.stdout.split('\n').filter((l) => /^\d/.test(l));
  assert.deepEqual(verdicts.map((l) => l.split(/\s+/)[0]), ['1', '2', '3', '4', '5', '6'], r.stdout); // line 7 names nothing
  assert.match(verdicts[0], /no event: no Easemob call in the record; error body inside a message text/);
  assert.match(verdicts[1], /no event: status 200 belongs to a successful response/);
  assert.match(verdicts[2], /no event: no Easemob call in the record/);
  assert.match(verdicts[3], /no event: \/ext\/v1\/charges on a1\.easemob\.com is not an Easemob REST path/);
  assert.match(verdicts[4], /event E31: Easemob URL a1\.easemob\.com\/acme\/chat\/users\/bob; status 404/);
  assert.match(verdicts[5], /event T01: .*no response \(timeout\)/);
  // Each verdict quotes its record's first line.
  assert.match(r.stdout, /\| .* relay message alice -> bob/);

  const j = apiwatch(['classify', '--explain', '--json', '--timezone', 'UTC', join(dir, 'app.log')]);
  assert.equal(j.status, 0, j.stderr);
  const rows = j.stdout.trim().split('\n').map((l) => JSON.parse(l) as { line: number; event: boolean; ref: string | null; missing: string | null; call: string | null });
  assert.deepEqual(rows.map((x) => [x.line, x.event, x.ref]), [[1, false, null], [2, false, null], [3, false, null], [4, false, null], [5, true, 'E31'], [6, true, 'T01']]);
  assert.equal(rows[4].call, 'Easemob URL a1.easemob.com/acme/chat/users/bob');
});

test('classify and replay of a 30-day-old log give every event its record\'s time', () => {
  const dir = tempDir();
  const t0 = Math.floor((Date.now() - 30 * DAY) / 1000) * 1000;
  const f = log(dir, t0);
  const c = apiwatch(['classify', '--json', '--timezone', 'UTC', f]);
  assert.equal(c.status, 0, c.stderr);
  const events = c.stdout.trim().split('\n').map((l) => JSON.parse(l) as { line: number; ts: string });
  assert.deepEqual(events.map((e) => [e.line, e.ts]), [[5, new Date(t0 + 4000).toISOString()], [6, new Date(t0 + 5000).toISOString()]]);

  const cfg = config(dir);
  const r = apiwatch(['replay', '--config', cfg, '--timezone', 'UTC', f]);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /2 events stored/);
  const inc = apiwatch(['incidents', '--json', '--config', cfg]);
  assert.equal(inc.status, 0, inc.stderr);
  const seen = inc.stdout.trim().split('\n').map((l) => JSON.parse(l) as { ref: string; first_seen: string }).sort((a, b) => a.ref.localeCompare(b.ref));
  assert.deepEqual(seen.map((x) => [x.ref, x.first_seen]), [['E31', new Date(t0 + 4000).toISOString()], ['T01', new Date(t0 + 5000).toISOString()]]);
});
