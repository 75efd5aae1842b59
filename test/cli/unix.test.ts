// The CLI as a Unix tool: each test spawns the built binary (dist/cli/main.js), as a user would.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { appendFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { apiwatch, BIN, ROOT } from '../helpers/cli.js';
import { tempDir } from '../helpers/tmp.js';

/** A pino line for a failed Easemob call, stamped now (fixture times follow the test's clock). */
const failing = (i: number, t = Date.now()) =>
  JSON.stringify({
    level: 50, time: t, msg: 'Easemob request failed', method: 'POST', url: `https://a1.easemob.com/acme/app${i}/messages/users`,
    status: 429, body: { error: 'reach_limit', error_description: 'This request has reached api limit' },
  });

/** More than a pipe buffer (64 KiB) of output, so writes continue after the reader has gone. */
const MANY = 1500;

function writeConfig(dir: string, body = 'state_dir: ./state\nsources: []\n'): string {
  const cfg = join(dir, 'apiwatch.yaml');
  writeFileSync(cfg, body);
  return cfg;
}

/** `apiwatch ARGS | head -N` in bash with pipefail: the status is apiwatch's, stderr is apiwatch's. */
function piped(args: string[], n: number) {
  const quoted = args.map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ');
  return spawnSync('bash', ['-c', `set -o pipefail; "${process.execPath}" "${BIN}" ${quoted} | head -${n}`], {
    encoding: 'utf8', cwd: ROOT, env: { ...process.env, APIWATCH_LOG_LEVEL: 'silent' }, timeout: 60_000,
  });
}

/** A database with MANY incidents (one app key each) and MANY outbox rows. */
function populated(dir: string): string {
  const cfg = writeConfig(dir);
  const log = join(dir, 'many.log');
  const now = Date.now();
  writeFileSync(log, Array.from({ length: MANY }, (_, i) => failing(i, now - 60_000 + i)).join('\n') + '\n');
  const r = apiwatch(['replay', '--config', cfg, log]);
  assert.equal(r.status, 0, r.stderr);
  const db = new Database(join(dir, 'state', 'apiwatch.db'));
  const insert = db.prepare(
    "INSERT INTO outbox (channel, target, incident_id, kind, payload, state, attempts, next_attempt_at, created_at) VALUES ('slack', 'default', ?, 'firing', '{}', 'pending', 0, ?, ?)",
  );
  db.transaction(() => {
    for (let i = 1; i <= MANY; i++) insert.run(i, now, now);
  })();
  db.close();
  return cfg;
}

test('output into a pipe closed early (| head): no EPIPE trace, exit 0, the lines head asked for', () => {
  const dir = tempDir();
  const cfg = populated(dir);
  const log = join(dir, 'many.log');
  for (const [args, n] of [
    [['classify', '--json', log], 2],
    [['incidents', '--config', cfg], 3],
    [['incidents', '--json', '--config', cfg], 1],
    [['outbox', '--limit', String(MANY), '--config', cfg], 2],
  ] as [string[], number][]) {
    const r = piped(args, n);
    assert.equal(r.stderr, '', `${args.join(' ')}: ${r.stderr}`);
    assert.equal(r.status, 0, args.join(' '));
    assert.equal(r.stdout.split('\n').length - 1, n, args.join(' '));
  }
  // Without the pipe closing, the same commands print everything (so the above did cut them short).
  assert.ok(apiwatch(['incidents', '--config', cfg]).stdout.length > 64 * 1024);
  assert.ok(apiwatch(['outbox', '--limit', String(MANY), '--config', cfg]).stdout.length > 64 * 1024);
});

test('global options go before the subcommand too: apiwatch --config FILE incidents', () => {
  const dir = tempDir();
  const cfg = writeConfig(dir);
  const log = join(dir, 'app.log');
  writeFileSync(log, failing(1) + '\n');
  assert.equal(apiwatch(['--config', cfg, 'replay', log]).status, 0);
  const other = tempDir(); // run elsewhere, so only the option can find the database
  for (const args of [['--config', cfg, 'incidents', '--json'], ['-c', cfg, 'incidents', '--json'], ['incidents', '--json', '--config', cfg]]) {
    const r = apiwatch(args, { cwd: other });
    assert.equal(r.status, 0, `${args.join(' ')}: ${r.stderr}`);
    assert.equal(JSON.parse(r.stdout.trim()).appkey, 'acme#app1', args.join(' '));
  }
  const show = apiwatch(['--config', cfg, 'incident', 'show', '1'], { cwd: other });
  assert.equal(show.status, 0, show.stderr);
  assert.equal(existsSync(join(other, 'data')), false);
});

test('read-only commands never create a database: a missing one is an error naming the path and the config', () => {
  const dir = tempDir();
  const cfg = writeConfig(dir, 'state_dir: ./nowhere\nsources: []\n');
  const db = join(dir, 'nowhere', 'apiwatch.db');
  for (const args of [['incidents'], ['incidents', '--json'], ['incident', 'show', '1'], ['outbox'], ['digest', 'preview'], ['silence', 'list']]) {
    const r = apiwatch([...args, '--config', cfg]);
    assert.equal(r.status, 1, `${args.join(' ')}: ${r.stdout}`);
    assert.equal(r.stdout, '', args.join(' '));
    assert.ok(r.stderr.includes(`no database at ${db} (state_dir from ${cfg})`), `${args.join(' ')}: ${r.stderr}`);
  }
  // With no config at all, it says the built-in default was used.
  const bare = tempDir();
  const r = apiwatch(['incidents'], { cwd: bare, env: { APIWATCH_CONFIG: '' } });
  assert.equal(r.status, 1);
  assert.match(r.stderr, /no database at .*\/data\/apiwatch\.db \(the built-in default state_dir/);
  assert.equal(existsSync(join(bare, 'data')), false);
  // classify stores nothing, with or without a database.
  const log = join(dir, 'app.log');
  writeFileSync(log, failing(1) + '\n');
  assert.equal(apiwatch(['classify', '--json', '--config', cfg, log]).status, 0);
  assert.equal(existsSync(join(dir, 'nowhere')), false, 'no state folder was created');
});

test('--version prints the version in package.json', () => {
  const { version } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string };
  const r = apiwatch(['--version']);
  assert.equal(r.status, 0);
  assert.equal(r.stdout.trim(), version);
});

test('config errors: YAML syntax at line:column, an alias bomb refused naming the file, the nearest key for a typo (exit 2)', () => {
  const dir = tempDir();
  const check = (name: string, text: string) => {
    const f = join(dir, name);
    writeFileSync(f, text);
    const r = apiwatch(['check-config', '--config', f]);
    assert.equal(r.status, 2, `${name}: ${r.stdout}${r.stderr}`);
    return { f, err: r.stderr };
  };
  let c = check('syntax.yaml', 'state_dir: ./s\nsources:\n  - path: x\n  bad\n');
  assert.ok(c.err.includes(`${c.f}:4:1: YAML syntax: `), c.err);
  const bomb = ['a: &a [x,x,x,x,x,x,x,x,x]', ...'bcde'.split('').map((k, i) => `${k}: &${k} [${Array(9).fill(`*${'abcd'[i]}`).join(',')}]`), `f: [${Array(9).fill('*e').join(',')}]`];
  c = check('bomb.yaml', bomb.join('\n') + '\n');
  assert.ok(c.err.includes(`${c.f}: YAML refused: `), c.err);
  c = check('typo.yaml', 'notify:\n  console:\n    min_severty: error\n');
  assert.ok(c.err.includes(`${c.f}:3: notify.console.min_severty: unknown key "min_severty": did you mean "min_severity"?`), c.err);
});

test('ambiguous zone abbreviations are refused with the zones meant, in the config and in --timezone', () => {
  const dir = tempDir();
  const cfg = writeConfig(dir, 'state_dir: ./s\nsources:\n  - path: ./x.log\n    timezone: CST\n');
  const r = apiwatch(['check-config', '--config', cfg]);
  assert.equal(r.status, 2);
  assert.match(r.stderr, /apiwatch\.yaml:4: sources\[0\]\.timezone: "CST" is an abbreviation.*"Asia\/Shanghai" or "America\/Chicago"/);
  const cli = apiwatch(['classify', '--timezone', 'IST', '-'], { input: '' });
  assert.equal(cli.status, 2);
  assert.match(cli.stderr, /--timezone: "IST" is an abbreviation.*"Asia\/Kolkata"/);
  assert.equal(apiwatch(['classify', '--timezone', 'Asia/Shanghai', '-'], { input: '' }).status, 0);
});

interface Run {
  out: () => string;
  stop: () => Promise<number | null>;
}

function startRun(cfg: string, env: NodeJS.ProcessEnv = {}): Run {
  const p = spawn(process.execPath, [BIN, 'run', '--config', cfg], {
    cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, APIWATCH_LOG_LEVEL: 'info', ...env },
  });
  let out = '';
  p.stdout.on('data', (d: Buffer) => (out += d.toString()));
  p.stderr.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((r) => p.on('exit', (code) => r(code)));
  return {
    out: () => out,
    stop: async () => {
      p.kill('SIGTERM');
      const timer = setTimeout(() => p.kill('SIGKILL'), 10_000);
      const code = await exited;
      clearTimeout(timer);
      return code;
    },
  };
}

async function until(what: string, fn: () => boolean, ms = 15_000): Promise<void> {
  const end = Date.now() + ms;
  while (!fn()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

test('run with sources: [] or no matching file starts, says so, and stops on SIGTERM with exit 0', async () => {
  const dir = tempDir();
  const empty = writeConfig(dir, 'state_dir: ./a\nsources: []\nnotify: { console: { enabled: false } }\n');
  const none = join(dir, 'none.yaml');
  writeFileSync(none, 'state_dir: ./b\nsources:\n  - path: ./no-such-dir/*.log\nnotify: { console: { enabled: false } }\n');
  const runs = [startRun(empty), startRun(none)];
  try {
    await until('both started', () => runs.every((r) => r.out().includes('"apiwatch started"')));
    // The glob behind the "no file matches" warning is asynchronous: it may be logged just after "started".
    await until('the idle-source warning', () => runs[1].out().includes('no file matches this source yet'));
    assert.match(runs[0].out(), /"level":40,.*"msg":"no sources configured \(sources is empty\)/);
    assert.match(runs[1].out(), /"level":40,.*"path":"[^"]*no-such-dir\/\*\.log","msg":"no file matches this source yet/);
  } finally {
    const codes = await Promise.all(runs.map((r) => r.stop()));
    assert.deepEqual(codes, [0, 0]);
  }
  assert.ok(runs.every((r) => r.out().includes('"apiwatch stopped"')));
});

test('the console of run: the alert once (no INFO page line), times in the configured zone with offset, colour only when wanted', async () => {
  const variants: [string, NodeJS.ProcessEnv][] = [['plain', {}], ['forced', { FORCE_COLOR: '1' }], ['no-color', { FORCE_COLOR: '1', NO_COLOR: '1' }]];
  const runs = variants.map(([name, env]) => {
    const dir = tempDir();
    mkdirSync(join(dir, 'logs'));
    const cfg = writeConfig(dir, 'state_dir: ./state\nsources:\n  - path: ./logs/*.log\n    start_at: beginning\n' +
      'notify:\n  console: { min_severity: warning }\n  slack: { group_wait: 0s }\ndigest: { timezone: Asia/Shanghai }\n');
    return { name, dir, run: startRun(cfg, { NO_COLOR: undefined, FORCE_COLOR: undefined, ...env }) };
  });
  try {
    await until('started', () => runs.every((r) => r.run.out().includes('"apiwatch started"')));
    for (const r of runs) appendFileSync(join(r.dir, 'logs', 'app.log'), failing(1) + '\n');
    await until('alerts', () => runs.every((r) => r.run.out().includes('ack: apiwatch incident ack 1')));
  } finally {
    for (const r of runs) assert.equal(await r.run.stop(), 0, r.name);
  }
  for (const { name, run } of runs) {
    const out = run.out();
    assert.equal(out.split('[NEW] ERROR #1').length - 1, 1, `${name}: one alert block`);
    assert.doesNotMatch(out, /"msg":"page"/, `${name}: no page log line beside the alert`);
    assert.match(out, /count 1 {2}last \d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+08:00\n/, name);
  }
  const [plain, forced, noColor] = runs.map((r) => r.run.out());
  assert.doesNotMatch(plain, /\u001b\[/, 'not a TTY: no colour');
  assert.match(forced, /\u001b\[31m! {2}\[NEW\] ERROR #1 /);
  assert.doesNotMatch(noColor, /\u001b\[/, 'NO_COLOR wins');
});
