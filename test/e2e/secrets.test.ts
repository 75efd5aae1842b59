import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { tempDir } from '../helpers/tmp.js';
import { apiwatch } from '../helpers/cli.js';
import { FakeSlack } from '../notify/helpers.js';
import { DaemonProc, until } from '../daemon/harness.js';

interface Entry {
  eco: string;
  line: string;
  secrets: string[];
}

const CORPUS: Entry[] = readFileSync(new URL('../fixtures/secrets/corpus.jsonl', import.meta.url), 'utf8')
  .trim()
  .split('\n')
  .map((l) => JSON.parse(l) as Entry);

/** Every text cell of every table (BLOBs read as UTF-8): what a copy of the database file would give away. */
function dumpDatabase(file: string): string {
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    const tables = (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as { name: string }[]).map((t) => t.name);
    const out: string[] = [];
    for (const t of tables) {
      for (const row of db.prepare(`SELECT * FROM "${t}"`).raw().all() as unknown[][]) {
        for (const v of row) {
          if (typeof v === 'string') out.push(v);
          else if (Buffer.isBuffer(v)) out.push(v.toString('utf8'));
        }
      }
    }
    return out.join('\n');
  } finally {
    db.close();
  }
}

/** The forms a secret can take in an output: as is, JSON-escaped, HTML-escaped, percent-decoded; and any 12-char piece. */
function leaks(secret: string, text: string): string | null {
  const forms = new Set([secret, JSON.stringify(secret).slice(1, -1), secret.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;')]);
  try {
    forms.add(decodeURIComponent(secret));
  } catch {
    /* not percent-encoded */
  }
  for (const f of forms) if (text.includes(f)) return f;
  // A partly redacted secret (the tail after an unexpected character) is a leak too.
  for (let i = 0; i + 12 <= secret.length; i++) {
    const piece = secret.slice(i, i + 12);
    if (new Set(piece).size > 4 && text.includes(piece)) return piece;
  }
  return null;
}

test(`${CORPUS.length} secret-bearing failing calls: no secret in any table, classify --json, incident show, the digest, Slack or the daemon log`, { timeout: 300_000 }, async () => {
  assert.ok(CORPUS.length >= 60 && new Set(CORPUS.map((e) => e.eco.split('-')[0])).size >= 8, 'a corpus of >= 60 lines from several ecosystems');
  const dir = tempDir('apiwatch-secrets-');
  const log = join(dir, 'app.log');
  writeFileSync(log, CORPUS.map((e) => e.line).join('\n') + '\n');
  const slack = await new FakeSlack().start();
  const config = join(dir, 'apiwatch.yaml');
  writeFileSync(
    config,
    `state_dir: ${dir}/state\nsources:\n  - path: ${log}\n    start_at: beginning\n` +
      `notify:\n  console: { enabled: true, min_severity: info }\n  slack:\n    webhook_url: ${slack.url()}\n    group_wait: 0s\n    min_interval: 10ms\n    min_severity: info\n` +
      `digest:\n  enabled: false\n  timezone: UTC\n` +
      // The lines keep their own (fixed, past) times: retention must not purge them whatever today is.
      'retention:\n  events_days: 36500\n',
  );
  const dbFile = join(dir, 'state', 'apiwatch.db');
  const d = new DaemonProc(config, { APIWATCH_LOG_LEVEL: 'debug' });
  await d.waitLog('apiwatch started', 30_000);
  const count = (sql: string): number => {
    try {
      const db = new Database(dbFile, { readonly: true, fileMustExist: true });
      try {
        return (db.prepare(sql).get() as { n: number }).n;
      } finally {
        db.close();
      }
    } catch {
      return -1;
    }
  };
  try {
    // Every line is one failing call: all stored, all incidents paged and their messages delivered.
    await until('every event stored', () => count('SELECT count(*) AS n FROM events') >= CORPUS.length || undefined, 90_000).catch((err: Error) => {
      throw new Error(`${err.message}: ${count('SELECT count(*) AS n FROM events')} of ${CORPUS.length}`);
    });
    await until('the outbox drained', () => (count("SELECT count(*) AS n FROM outbox WHERE state = 'pending'") === 0 && slack.received.length > 0) || undefined, 120_000);
  } finally {
    await d.stop();
  }
  const events = count('SELECT count(*) AS n FROM events');
  assert.equal(events, CORPUS.length, 'one event per corpus line (else a line would test nothing)');

  const channels: Record<string, string> = {};
  channels['database (daemon)'] = dumpDatabase(dbFile);
  channels.slack = slack.attempts.map((r) => JSON.stringify(r.body)).join('\n');
  channels['daemon log'] = d.logs.map((l) => JSON.stringify(l)).join('\n') + d.stderr;
  const cls = apiwatch(['classify', '--json', '--config', config, log]);
  assert.equal(cls.status, 0, cls.stderr);
  assert.equal(cls.stdout.trim().split('\n').length, CORPUS.length);
  channels['classify --json'] = cls.stdout + cls.stderr;
  const ids = (new Database(dbFile, { readonly: true }).prepare('SELECT id FROM incidents').all() as { id: number }[]).map((r) => r.id);
  assert.ok(ids.length >= 10, `${ids.length} incidents`);
  // Text for every incident (its sample events); JSON (the same fields, unescaped) for the first ten.
  channels['incident show'] = ids
    .flatMap((id, i) => [['incident', 'show', String(id), '--config', config], ...(i < 10 ? [['incident', 'show', String(id), '--json', '--config', config]] : [])])
    .map((args) => {
      const r = apiwatch(args);
      return r.stdout + r.stderr;
    })
    .join('\n');
  assert.match(channels['incident show'], /\[REDACTED\]/, 'incident show prints sample events');
  // The digest of every day the events fall on (a line's own time, or the read time when it has none).
  const days = [...new Set((new Database(dbFile, { readonly: true }).prepare('SELECT ts FROM events').all() as { ts: number }[]).map((r) => new Date(r.ts).toISOString().slice(0, 10)))];
  channels['digest (text)'] = '';
  channels['digest (HTML)'] = '';
  for (const day of days) {
    const html = join(dir, `digest-${day}.html`);
    const dg = apiwatch(['digest', 'preview', '--period', day, '--out', html, '--config', config]);
    assert.equal(dg.status, 0, dg.stderr);
    channels['digest (text)'] += dg.stdout;
    channels['digest (HTML)'] += readFileSync(html, 'utf8');
  }
  assert.match(channels['digest (text)'], /easemob|reach_limit|unauthorized/i, 'the digest lists the incidents');
  // The bulk path: replay into a database of its own, dumped as well.
  const replayConfig = join(dir, 'replay.yaml');
  writeFileSync(replayConfig, readFileSync(config, 'utf8').replace(`state_dir: ${dir}/state`, `state_dir: ${dir}/replay`));
  const rp = apiwatch(['replay', '--config', replayConfig, log]);
  assert.equal(rp.status, 0, rp.stderr);
  channels.replay = rp.stdout + rp.stderr;
  channels['database (replay)'] = dumpDatabase(join(dir, 'replay', 'apiwatch.db'));
  assert.match(channels['database (replay)'], /\[REDACTED\]/);

  const found: string[] = [];
  for (const e of CORPUS) {
    for (const s of e.secrets) {
      for (const [name, text] of Object.entries(channels)) {
        const hit = leaks(s, text);
        if (hit) found.push(`${name}: ${e.eco} secret ${JSON.stringify(hit)}`);
      }
    }
  }
  assert.deepEqual(found, [], `${found.length} leaks`);
});
