import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { tempDir } from '../helpers/tmp.js';
import { apiwatch } from '../helpers/cli.js';

const BIDI = /[\u202a-\u202e\u2066-\u2069]/;

test('bidi controls (U+202A–202E, U+2066–2069) from log lines are stripped from the digest, HTML and text', () => {
  const dir = tempDir('apiwatch-bidi-');
  const log = join(dir, 'app.log');
  const controls = ['\u202a', '\u202b', '\u202c', '\u202d', '\u202e', '\u2066', '\u2067', '\u2068', '\u2069'];
  const lines = controls.map((c, i) =>
    JSON.stringify({
      level: 50, time: 1764300000000 + i, msg: 'easemob call failed', method: 'POST',
      url: `https://a1.easemob.com/acme/im/users/u${i}${c}gpj.exe`, status: 400,
      body: { error: 'illegal_argument', error_description: `username [${c}evil${i}] is not legal` },
    }),
  );
  writeFileSync(log, lines.join('\n') + '\n');
  const config = join(dir, 'apiwatch.yaml');
  writeFileSync(config, `state_dir: ${dir}/state\nsources:\n  - path: ${log}\ndigest:\n  enabled: false\n  timezone: UTC\n`);
  const rp = apiwatch(['replay', '--config', config, log]);
  assert.equal(rp.status, 0, rp.stderr);
  const db = new Database(join(dir, 'state', 'apiwatch.db'), { readonly: true });
  const t = (db.prepare('SELECT min(ts) AS t FROM events').get() as { t: number }).t;
  const stored = (db.prepare('SELECT error_description FROM events').all() as { error_description: string }[]).map((r) => r.error_description);
  db.close();
  assert.ok(stored.some((s) => BIDI.test(s)), `the stored events keep what the log said (stripping is for display): ${JSON.stringify(stored)} ${rp.stdout}`);
  const html = join(dir, 'digest.html');
  const dg = apiwatch(['digest', 'preview', '--period', new Date(t).toISOString().slice(0, 10), '--out', html, '--config', config]);
  assert.equal(dg.status, 0, dg.stderr);
  const text = dg.stdout;
  const page = readFileSync(html, 'utf8');
  assert.match(text, /evil\d/, 'the digest shows the incident');
  assert.match(page, /evil\d/);
  for (const [name, out] of [['text', text], ['HTML', page]] as const) {
    const hit = BIDI.exec(out);
    assert.equal(hit, null, `${name} digest holds U+${hit?.[0].codePointAt(0)?.toString(16).toUpperCase()} at ${hit ? JSON.stringify(out.slice(Math.max(0, hit.index - 40), hit.index + 20)) : ''}`);
  }
});
