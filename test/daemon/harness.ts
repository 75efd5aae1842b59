import { spawn, type ChildProcess } from 'node:child_process';
import { appendFileSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import Database from 'better-sqlite3';

const ROOT = new URL('../..', import.meta.url).pathname;

/**
 * A pino-style failing Easemob call, as the interim and real parsers both read it. Stamped now by
 * default: the parser keeps a line's time, so a fixed date would age into retention's reach.
 */
export function failLine(status = 429, error = 'reach_limit', path = 'messages/users', time = Date.now()): string {
  return JSON.stringify({
    level: 50,
    time,
    msg: 'easemob call failed',
    method: 'POST',
    url: `https://a1.easemob.com/acme/chat/${path}`,
    status,
    body: { error, error_description: `synthetic ${error}` },
  });
}

export const OK_LINE = JSON.stringify({ level: 30, msg: 'request served', status: 200 });

export function appendLines(file: string, lines: string[]): void {
  appendFileSync(file, lines.map((l) => l + '\n').join(''));
}

export async function until<T>(what: string, fn: () => T | undefined | null | false, timeoutMs = 10_000, everyMs = 50): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

export async function untilAsync<T>(what: string, fn: () => Promise<T | undefined>, timeoutMs = 10_000, everyMs = 100): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

export interface LogLine {
  level: number;
  msg: string;
  [k: string]: unknown;
}

/** `apiwatch run` from the current source, as systemd would start it. */
export class DaemonProc {
  readonly logs: LogLine[] = [];
  stderr = '';
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  readonly proc: ChildProcess;

  constructor(configFile: string, env: NodeJS.ProcessEnv = {}) {
    this.proc = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'run', '--config', configFile], {
      cwd: ROOT,
      env: { ...process.env, APIWATCH_LOG_LEVEL: 'debug', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    createInterface({ input: this.proc.stdout! }).on('line', (l) => {
      try {
        this.logs.push(JSON.parse(l) as LogLine);
      } catch {
        this.logs.push({ level: 0, msg: l });
      }
    });
    this.proc.stderr!.on('data', (d: Buffer) => (this.stderr += d.toString()));
    this.exited = new Promise((resolve) => this.proc.on('exit', (code, signal) => resolve({ code, signal })));
  }

  get pid(): number {
    return this.proc.pid!;
  }

  log(msg: string): LogLine | undefined {
    return this.logs.find((l) => l.msg === msg);
  }

  count(msg: string): number {
    return this.logs.filter((l) => l.msg === msg).length;
  }

  async waitLog(msg: string, timeoutMs = 15_000, n = 1): Promise<LogLine> {
    return until(`log "${msg}"${n > 1 ? ` x${n}` : ''} (stderr: ${this.stderr.slice(-500)})`, () => (this.count(msg) >= n ? this.logs.filter((l) => l.msg === msg)[n - 1] : undefined), timeoutMs);
  }

  /** Port of the HTTP listener, from the start-up log line. */
  async httpPort(): Promise<number> {
    const l = await this.waitLog('apiwatch started');
    return Number(String(l.http).split(':').pop());
  }

  kill(sig: NodeJS.Signals = 'SIGTERM'): void {
    this.proc.kill(sig);
  }

  async stop(): Promise<number | null> {
    if (this.proc.exitCode !== null) return this.proc.exitCode;
    this.proc.kill('SIGTERM');
    return (await this.exited).code;
  }
}

export interface ConfigOptions {
  extra?: string;
  sources?: string[];
}

/** A config for a temp dir: state in ./data, logs in ./logs, console alerts off. */
export function writeConfig(dir: string, opts: ConfigOptions = {}, name = 'apiwatch.yaml'): string {
  const file = join(dir, name);
  const sources = (opts.sources ?? ['./logs/*.log']).map((p) => `  - path: ${p}\n    start_at: beginning\n`).join('');
  writeFileSync(
    file,
    `state_dir: ./data\nsources:\n${sources}notify:\n  console:\n    enabled: false\n  slack:\n    group_wait: 0s\ndatabase:\n  busy_timeout: 100ms\n${opts.extra ?? ''}`,
  );
  return file;
}

/** Read-only look at the daemon's database while it runs (WAL lets readers in). */
export function query<T>(dbFile: string, sql: string, ...params: unknown[]): T {
  const db = new Database(dbFile, { readonly: true, fileMustExist: true });
  try {
    return db.prepare(sql).get(...params) as T;
  } finally {
    db.close();
  }
}

export function eventCount(dbFile: string): number {
  if (!existsSync(dbFile)) return 0;
  try {
    return query<{ n: number }>(dbFile, 'SELECT count(*) AS n FROM events').n;
  } catch {
    return 0; // schema not there yet
  }
}
