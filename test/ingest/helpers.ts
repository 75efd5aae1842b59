import type { DaemonHooks } from '../helpers/daemon-hooks.js';
import { spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';

export const ROOT = new URL('../..', import.meta.url).pathname;

/** A failing Easemob call (pino JSON) carrying a sequence number; parsed by the interim and the real parser. */
export function failLine(seq: number, time = Date.now()): string {
  return JSON.stringify({
    level: 50, time, msg: 'easemob call failed', method: 'POST', url: 'https://a1.easemob.com/acme/chat/messages/users',
    status: 429, body: { error: 'reach_limit', error_description: 'This request has reached api limit' }, seq,
  });
}

export function fillerLine(seq: number): string {
  return JSON.stringify({ level: 30, time: Date.now(), msg: 'request ok', status: 200, n: seq });
}

/** `count` lines from `from`: every `every`-th a failing call, the rest filler; returns text and failing seqs. */
export function block(from: number, count: number, every = 1): { text: string; seqs: number[] } {
  const out: string[] = [];
  const seqs: number[] = [];
  for (let i = from; i < from + count; i++) {
    if ((i - from) % every === 0) {
      out.push(failLine(i));
      seqs.push(i);
    } else out.push(fillerLine(i));
  }
  return { text: out.join('\n') + '\n', seqs };
}

export interface DaemonHandle {
  child: ChildProcess;
  out: () => string;
  exited: Promise<number | null>;
}

export function writeConfig(dir: string, globs: string[], extra: { start_at?: 'end' | 'beginning'; timezone?: string } = {}): string {
  const file = join(dir, 'apiwatch.yaml');
  const src = [`  - path: [${globs.map((g) => JSON.stringify(g)).join(', ')}]`, `    start_at: ${extra.start_at ?? 'beginning'}`];
  if (extra.timezone) src.push(`    timezone: ${extra.timezone}`);
  writeFileSync(
    file,
    [`state_dir: ${JSON.stringify(join(dir, 'state'))}`, 'sources:', ...src, 'notify:', '  console:', '    enabled: false', 'digest:', '  enabled: false', ''].join('\n'),
  );
  return file;
}

/** Starts `apiwatch run` on the current source and resolves once it logs that it started. */
/** `env`: the bulk reader's tuning knobs (APIWATCH_BULK_BLOCK_KB …), which are environment settings in production too. */
export async function runDaemon(config: string, hooks: DaemonHooks = {}, env: Record<string, string> = {}): Promise<DaemonHandle> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'test/helpers/daemon-child.ts', config, JSON.stringify(hooks)], {
    cwd: ROOT,
    env: { ...process.env, ...env, APIWATCH_LOG_LEVEL: 'info' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  const t0 = Date.now();
  while (!out.includes('apiwatch started')) {
    if (child.exitCode !== null || Date.now() - t0 > 20000) throw new Error(`daemon did not start:\n${out}`);
    await sleep(20);
  }
  return { child, out: () => out, exited };
}

export async function stopDaemon(d: DaemonHandle, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  if (d.child.exitCode !== null) return;
  d.child.kill(signal);
  await d.exited;
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Sequence numbers of stored events, from the raw line text. */
export function storedSeqs(dir: string): number[] {
  const file = join(dir, 'state', 'apiwatch.db');
  if (!existsSync(file)) return [];
  const db = new Database(file, { readonly: true, fileMustExist: true });
  db.pragma('busy_timeout = 5000');
  try {
    return (db.prepare('SELECT raw FROM events ORDER BY id').all() as { raw: string }[]).map((r) => {
      const m = /"seq":(\d+)/.exec(r.raw);
      return m ? Number(m[1]) : -1;
    });
  } catch {
    return [];
  } finally {
    db.close();
  }
}

/** Waits until `count` events are stored (or the timeout), returns the seqs. */
export async function waitForEvents(dir: string, count: number, timeoutMs = 20000): Promise<number[]> {
  const t0 = Date.now();
  let seqs = storedSeqs(dir);
  while (seqs.length < count && Date.now() - t0 < timeoutMs) {
    await sleep(100);
    seqs = storedSeqs(dir);
  }
  return seqs;
}

/** Asserts exactly-once: every expected seq stored once, nothing else. */
export function exactness(stored: number[], expected: number[]): { missing: number[]; dup: number[]; extra: number[] } {
  const seen = new Map<number, number>();
  for (const s of stored) seen.set(s, (seen.get(s) ?? 0) + 1);
  const exp = new Set(expected);
  return {
    missing: expected.filter((s) => !seen.has(s)).slice(0, 20),
    dup: [...seen].filter(([, n]) => n > 1).map(([s]) => s).slice(0, 20),
    extra: [...seen.keys()].filter((s) => !exp.has(s)).slice(0, 20),
  };
}

export function assertExact(stored: number[], expected: number[], label = ''): void {
  const r = exactness(stored, expected);
  if (r.missing.length || r.dup.length || r.extra.length || stored.length !== expected.length) {
    throw new Error(`${label} not exact: stored ${stored.length}/${expected.length}; missing ${r.missing} dup ${r.dup} extra ${r.extra}`);
  }
}

// ---- in-process tailer + real pipeline + real SQLite (for tests that need to control timing) ----
import { openDatabase, type DB } from '../../src/store/db.js';
import { loadClassifierFor } from '../../src/cli/rules.js';
import { Pipeline, type PipelineOptions } from '../../src/daemon/pipeline.js';
import { Tailer, type TailerOptions } from '../../src/ingest/tailer.js';
import type { SourceConfig } from '../../src/config/schema.js';
import type { BatchSink, LineBatch } from '../../src/ingest/types.js';

export interface InProc {
  db: DB;
  pipeline: Pipeline;
  tailer: Tailer;
  batches: LineBatch[];
  /** SIGTERM-like: stop reading, let the in-flight batch commit, close. */
  stop(): Promise<void>;
}

export async function inProcess(
  dir: string,
  source: Partial<SourceConfig> & { path: string[] },
  topts: Partial<TailerOptions> = {},
  popts: Partial<PipelineOptions> & { delayMs?: number } = {},
): Promise<InProc> {
  const db = openDatabase(join(dir, 'state', 'apiwatch.db'));
  const pipeline = new Pipeline({ db, classifier: loadClassifierFor({ rules: { files: [] } }), ...popts });
  const batches: LineBatch[] = [];
  const sink: BatchSink = {
    async write(b) {
      if (popts.delayMs) await sleep(popts.delayMs);
      batches.push({ ...b, lines: [] });
      await pipeline.write(b);
    },
  };
  const src: SourceConfig = { start_at: 'beginning', include_other_apis: false, ...source };
  const tailer = new Tailer({ sources: [src], sink, checkpoints: pipeline.checkpoints, db, ...topts });
  await tailer.start();
  return {
    db, pipeline, tailer, batches,
    async stop() {
      await tailer.stop();
      db.close();
    },
  };
}
