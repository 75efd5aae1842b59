// Real processes for the fleet system tests: apiwatch daemons, Alertmanager peers, syslog-ng, and a
// webhook receiver, on 127.0.0.1. Every process is stopped after its test, and its output is kept
// to explain a failure.
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer as netServer } from 'node:net';
import { createServer, type Server } from 'node:http';
import { after } from 'node:test';
import { BIN } from '../../helpers/cli.js';
import { untilAsync } from '../../daemon/harness.js';

const POLL_MS = 250;

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** A port nothing listens on now (bind 0, read it, close). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = netServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

export interface Proc {
  name: string;
  child: ChildProcess;
  output(): string;
  /** SIGTERM, then SIGKILL after 5 s; resolves when it has exited. */
  stop(): Promise<void>;
}

export function start(name: string, cmd: string, args: string[], env: NodeJS.ProcessEnv = {}, cwd?: string): Proc {
  const child = spawn(cmd, args, { env: { ...process.env, ...env }, cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  const p: Proc = {
    name,
    child,
    output: () => out,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const t = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(t);
    },
  };
  after(() => p.stop());
  return p;
}

/** `apiwatch run` from the built bin, as the systemd unit runs it. */
export function apiwatchDaemon(name: string, config: string, env: NodeJS.ProcessEnv): Proc {
  return start(name, process.execPath, ['--max-semi-space-size=2', BIN, 'run', '--config', config], { APIWATCH_LOG_LEVEL: 'info', ...env });
}

/** untilAsync (test/daemon/harness.ts), with the processes' output in the error when it times out. */
export async function waitFor<T>(what: string, f: () => T | undefined | false | Promise<T | undefined | false>, timeoutMs: number, procs: Proc[] = []): Promise<T> {
  try {
    return await untilAsync(what, async () => (await f()) || undefined, timeoutMs, POLL_MS);
  } catch (err) {
    const logs = procs.map((p) => `--- ${p.name} ---\n${p.output().slice(-4000)}`).join('\n');
    throw new Error(`${(err as Error).message}\n${logs}`);
  }
}

export async function getText(url: string): Promise<string | undefined> {
  try {
    const r = await fetch(url, { signal: AbortSignal.timeout(2000) });
    return r.ok ? await r.text() : undefined;
  } catch {
    return undefined;
  }
}

/** What an Alertmanager webhook receiver is sent (webhook_config, version 4). */
export interface AmNotification {
  status: 'firing' | 'resolved';
  groupKey: string;
  externalURL: string;
  alerts: { status: string; labels: Record<string, string>; annotations: Record<string, string>; startsAt: string; endsAt: string }[];
  /** Wall ms it arrived. */
  at: number;
}

/** A webhook receiver on 127.0.0.1:port: what Alertmanager's `webhook_configs` posts. */
export async function webhookReceiver(port: number): Promise<{ got: AmNotification[]; server: Server }> {
  const got: AmNotification[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (d) => (body += d));
    req.on('end', () => {
      try {
        got.push({ ...(JSON.parse(body) as AmNotification), at: Date.now() });
      } catch {
        /* not a notification: counted by nobody, answered anyway */
      }
      res.writeHead(200).end();
    });
  });
  await new Promise<void>((ok, fail) => {
    server.once('error', fail);
    server.listen(port, '127.0.0.1', () => ok());
  });
  after(() => new Promise<void>((r) => server.close(() => r())));
  return { got, server };
}
