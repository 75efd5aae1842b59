import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createServer as createNetServer } from 'node:net';
import { chmodSync, chownSync, mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { tempDir } from '../helpers/tmp.js';
import { appendLines, eventCount, failLine, until, untilAsync, type LogLine } from './harness.js';

const ROOT = new URL('../..', import.meta.url).pathname;
/**
 * Permission faults must be real: root reads everything, so as root the daemon (and doctor) run as
 * `nobody`. As any other user they run as that user, for whom a mode-000 file is just as unreadable.
 */
const AS_NOBODY = process.getuid?.() === 0;
const NOBODY = { uid: 65534, gid: 65534 };
const asService = AS_NOBODY ? NOBODY : {};

function chownTree(path: string): void {
  if (!AS_NOBODY) return;
  chownSync(path, NOBODY.uid, NOBODY.gid);
  if (statSync(path).isDirectory()) for (const n of readdirSync(path)) chownTree(join(path, n));
}

async function freePort(): Promise<number> {
  const s = createNetServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
  const port = (s.address() as { port: number }).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

class Service {
  readonly logs: LogLine[] = [];
  stderr = '';
  readonly proc: ChildProcess;
  readonly exited: Promise<number | null>;
  constructor(config: string) {
    this.proc = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'run', '--config', config], {
      cwd: ROOT, env: { ...process.env, APIWATCH_LOG_LEVEL: 'info' }, stdio: ['ignore', 'pipe', 'pipe'], ...asService,
    });
    createInterface({ input: this.proc.stdout! }).on('line', (l) => {
      try {
        this.logs.push(JSON.parse(l) as LogLine);
      } catch {
        this.logs.push({ level: 0, msg: l });
      }
    });
    this.proc.stderr!.on('data', (d: Buffer) => (this.stderr += d.toString()));
    this.exited = new Promise((r) => this.proc.once('exit', (c) => r(c)));
  }
  matching(re: RegExp): LogLine[] {
    return this.logs.filter((l) => re.test(l.msg));
  }
  async stop(): Promise<void> {
    if (this.proc.exitCode === null) this.proc.kill('SIGTERM');
    await this.exited;
  }
}

interface Health {
  status: string;
  ok: boolean;
  problems: string[];
  faults: { path: string; code: string; message: string; fix: string }[];
}

test('unreadable and missing sources are logged once with the fix, counted, listed by doctor and /healthz (degraded), and recover', { timeout: 90_000 }, async () => {
  const dir = tempDir('apiwatch-faults-');
  const logs = join(dir, 'logs');
  const locked = join(dir, 'locked');
  const missing = join(dir, 'missing');
  mkdirSync(logs);
  mkdirSync(locked);
  const secret = join(logs, 'app.log');
  const open = join(logs, 'open.log');
  appendLines(secret, [failLine(429), failLine(401, 'unauthorized', 'users')]);
  appendLines(open, [failLine(500, 'internal', 'chatgroups')]);
  appendLines(join(locked, 'x.log'), [failLine(503, 'service_unavailable', 'messages')]);
  writeFileSync(join(dir, 'afile'), 'not a folder\n');
  const port = await freePort();
  const cfg = join(dir, 'apiwatch.yaml');
  writeFileSync(
    cfg,
    `state_dir: ./data\nsources:\n  - path: ./logs/*.log\n    start_at: beginning\n  - path: ./locked/*.log\n    start_at: beginning\n` +
      `  - path: ./missing/*.log\n    start_at: beginning\n  - path: ./afile/*.log\n    start_at: beginning\n` +
      `notify:\n  console:\n    enabled: false\nhttp:\n  enabled: true\n  listen: 127.0.0.1:${port}\n`,
  );
  chownTree(dir);
  chmodSync(secret, 0o000);
  chmodSync(locked, 0o000);
  const d = new Service(cfg);
  const health = async () => {
    const r = await fetch(`http://127.0.0.1:${port}/healthz`);
    return { http: r.status, body: (await r.json()) as Health };
  };
  const metric = async (name: string) => {
    const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    return text.split('\n').filter((l) => l.startsWith(name));
  };
  try {
    await until(`start (${d.stderr})`, () => d.logs.some((l) => l.msg === 'apiwatch started'), 30_000);
    const faulty = [secret, locked, missing, join(dir, 'afile')];
    await until('four faults logged', () => d.matching(/^source not readable/).length >= 4, 15_000);
    // The readable file is read meanwhile: the daemon runs, blind only to what it cannot open.
    await until('open.log read', () => eventCount(join(dir, 'data', 'apiwatch.db')) >= 1);
    const h = await health();
    assert.equal(h.http, 200, JSON.stringify(h.body));
    assert.equal(h.body.status, 'degraded');
    assert.deepEqual(h.body.faults.map((f) => [f.path, f.code]).sort(), [
      [secret, 'EACCES'], [locked, 'EACCES'], [missing, 'ENOENT'], [join(dir, 'afile'), 'ENOTDIR'],
    ].sort());
    for (const f of h.body.faults) assert.match(f.fix, /chmod|setfacl|create|correct sources/, f.fix);
    const logged = d.matching(/^source not readable/);
    for (const p of faulty) {
      const l = logged.filter((x) => x.path === p);
      assert.equal(l.length, 1, `${p} logged once: ${JSON.stringify(logged)}`);
      assert.ok(typeof l[0].fix === 'string' && String(l[0].fix).length > 10, 'with the fix');
      assert.equal(l[0].level, 50, 'at error level');
    }
    assert.deepEqual((await metric('apiwatch_source_faults_total{')).sort(), [
      'apiwatch_source_faults_total{code="EACCES",kind="file"} 1',
      'apiwatch_source_faults_total{code="EACCES",kind="folder"} 1',
      'apiwatch_source_faults_total{code="ENOENT",kind="folder"} 1',
      'apiwatch_source_faults_total{code="ENOTDIR",kind="folder"} 1',
    ]);
    assert.equal((await metric('apiwatch_source_unreadable{')).length, 4);

    // doctor, as the service user, names each one with its fix (its own probes and the daemon's view).
    const doc = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'doctor', '--offline', '--config', cfg], {
      cwd: ROOT, encoding: 'utf8', ...asService,
    });
    assert.equal(doc.status, 1, doc.stdout + doc.stderr);
    for (const p of faulty) {
      assert.match(doc.stdout, new RegExp(`FAIL  sources .*${p.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}`), doc.stdout);
      assert.match(doc.stdout, new RegExp(`FAIL  daemon .*${p.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}`), doc.stdout);
    }
    assert.match(doc.stdout, /fix: .*chmod/);

    // Fixed by the operator: each source reads again, is said so, and /healthz is ok.
    chmodSync(secret, 0o644);
    chmodSync(locked, 0o755);
    mkdirSync(missing);
    chownTree(missing);
    appendLines(join(missing, 'late.log'), [failLine(404, 'service_resource_not_found', 'users')]);
    chownTree(missing);
    await until('readable again x3', () => d.matching(/^source readable again$/).length >= 3, 15_000);
    await until('all events', () => eventCount(join(dir, 'data', 'apiwatch.db')) >= 5, 15_000);
    const after = await untilAsync('status without the fixed faults', async () => {
      const x = await health();
      return x.body.faults.length === 1 ? x : undefined;
    });
    assert.deepEqual(after.body.faults.map((f) => f.code), ['ENOTDIR']);
    assert.equal(d.matching(/^source not readable/).length, 4, 'nothing logged twice');
  } finally {
    await d.stop();
  }
});
