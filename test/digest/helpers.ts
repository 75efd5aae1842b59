import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after } from 'node:test';
import { SMTPServer, type SMTPServerOptions } from 'smtp-server';
import { simpleParser, type ParsedMail } from 'mailparser';
import { pino, type Logger } from 'pino';
import { openDatabase, type DB } from '../../src/store/db.js';
import { parseConfig, type LoadedConfig } from '../../src/config/load.js';
import { IncidentStore } from '../../src/incidents/store.js';
import type { Category, ClassifiedEvent, Severity } from '../../src/classify/types.js';

export function testDb(dir: string): DB {
  const db = openDatabase(join(dir, 'state', 'apiwatch.db'));
  after(() => db.close());
  return db;
}

/** A config as the daemon would load it, from YAML written to `dir`. */
export function testConfig(dir: string, yaml: string, env: NodeJS.ProcessEnv = {}): LoadedConfig {
  const file = join(dir, 'apiwatch.yaml');
  const text = `state_dir: ./state\n${yaml}`;
  writeFileSync(file, text);
  return parseConfig(text, file, env);
}

export interface EventSpec {
  ts: number;
  ref?: string | null;
  title?: string;
  category?: Category;
  severity?: Severity;
  method?: string;
  endpoint?: string;
  appkey?: string;
  status?: number | null;
  error?: string | null;
  description?: string | null;
  hint?: string;
  hintZh?: string;
}

export function event(s: EventSpec): ClassifiedEvent {
  const ref = s.ref === undefined ? 'E01' : s.ref;
  const endpoint = s.endpoint ?? '/users/{username}';
  const appkey = s.appkey ?? 'acme#chat';
  return {
    ts: s.ts,
    tsFromLine: true,
    source: '/var/log/app/app.log',
    line: 1,
    method: s.method ?? 'POST',
    url: `https://a1.easemob.com/${appkey.replace('#', '/')}${endpoint}`,
    endpoint,
    appkey,
    host: 'a1.easemob.com',
    status: s.status === undefined ? 401 : s.status,
    error: s.error === undefined ? 'unauthorized' : s.error,
    errorDescription: s.description === undefined ? 'Unable to authenticate (OAuth)' : s.description,
    exception: null,
    raw: `{"msg":"easemob call failed","status":${s.status ?? 401}}`,
    parser: 'json',
    cls: {
      ref,
      rule: ref ? `easemob-${ref}` : null,
      category: s.category ?? 'auth',
      severity: s.severity ?? 'error',
      title: s.title ?? 'App token is invalid or expired',
      hint: s.hint ?? 'Refresh the app token with POST /token before it expires (it lasts token_expires_in seconds).',
      hintZh: s.hintZh ?? '应用 token 无效或已过期：在过期前调用 POST /token 重新获取。',
      retryable: false,
      groupBy: ['ref', 'endpoint', 'appkey'],
    },
    fingerprint: `${ref}|${endpoint}|${appkey}`,
  };
}

/** Stores events the way the pipeline does (events + incidents in one go). */
export function record(db: DB, specs: EventSpec[], now?: number): void {
  const store = new IncidentStore(db);
  const evs = specs.map(event).sort((a, b) => a.ts - b.ts);
  db.transaction(() => store.record(evs, now ?? evs[evs.length - 1]?.ts ?? Date.now()))();
}

export interface TestSmtp {
  port: number;
  messages: ParsedMail[];
  /** Envelope recipients per accepted message. */
  rcpts: string[][];
  connections: number;
  close(): Promise<void>;
}

/** A real SMTP server on 127.0.0.1 that parses what it receives. */
export async function startSmtp(opts: Partial<SMTPServerOptions> = {}, port = 0): Promise<TestSmtp> {
  const state: TestSmtp = { port: 0, messages: [], rcpts: [], connections: 0, close: async () => {} };
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onConnect(_s, cb) {
      state.connections++;
      cb();
    },
    onData(stream, session, cb) {
      simpleParser(stream)
        .then((m) => {
          state.messages.push(m);
          state.rcpts.push(session.envelope.rcptTo.map((r) => r.address));
          cb();
        })
        .catch(cb);
    },
    ...opts,
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  const addr = server.server.address();
  state.port = typeof addr === 'object' && addr ? addr.port : port;
  let closed = false;
  state.close = () =>
    closed ? Promise.resolve() : new Promise<void>((resolve) => {
      closed = true;
      server.close(() => resolve());
    });
  after(() => state.close());
  return state;
}

/** A free port with nothing listening on it (connections are refused). */
export async function refusedPort(): Promise<number> {
  const s = await startSmtp();
  const port = s.port;
  await s.close();
  return port;
}

/** A logger whose lines the test can read. */
export function memoryLogger(): { log: Logger; lines: Record<string, unknown>[] } {
  const lines: Record<string, unknown>[] = [];
  const log = pino({ level: 'debug' }, { write: (s: string) => void lines.push(JSON.parse(s)) });
  return { log, lines };
}
