import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { after } from 'node:test';
import { openDatabase, type DB } from '../../src/store/db.js';
import type { ClassifiedEvent, Classification } from '../../src/classify/types.js';
import { IncidentStore } from '../../src/incidents/store.js';
import { Muter, SilenceStore } from '../../src/incidents/silences.js';
import { Dispatcher } from '../../src/notify/dispatch.js';
import type { PagingPolicy } from '../../src/notify/policy.js';
import { OutboxStore } from '../../src/notify/outbox/store.js';
import { OutboxWorker } from '../../src/notify/outbox/worker.js';
import { SlackClient } from '../../src/notify/slack/client.js';
import { SlackNotifier, SlackRouter } from '../../src/notify/slack/index.js';
import type { MaintenanceWindow, SlackConfig } from '../../src/config/schema.js';
import { silentLogger } from '../../src/util/log.js';
import { tempDir } from '../helpers/tmp.js';

export interface Received {
  path: string;
  body: any;
  /** Fake-clock time the server saw it (when a clock is attached). */
  at: number;
}

export type Reply = { status: number; headers?: Record<string, string>; body?: string } | 'hang';

/**
 * A real HTTP server on 127.0.0.1 standing in for Slack's incoming webhooks. Like Slack, it refuses a
 * body that is not JSON (400 invalid_payload) and a message with neither text nor blocks (400 no_text)
 * before anything else; `gone` makes it a dead webhook (404 no_service, 403 invalid_token, 410
 * channel_is_archived…), which answers so whatever it is sent. `reply` decides every other answer.
 */
export class FakeSlack {
  readonly received: Received[] = [];
  /** Every request with a valid message, answered 200 or not. */
  readonly attempts: Received[] = [];
  /** Requests refused as invalid (method, path, the error Slack names). */
  readonly refused: { method: string; path: string; error: string }[] = [];
  reply: (req: Received, n: number) => Reply = () => ({ status: 200, body: 'ok' });
  gone: { status: number; body: string } | null = null;
  clock: () => number = Date.now;
  private server!: Server;
  port = 0;

  async start(port = 0): Promise<this> {
    this.server = createServer((req: IncomingMessage, res: ServerResponse) => {
      const chunks: Buffer[] = [];
      req.on('data', (c) => chunks.push(c));
      req.on('end', () => {
        const answer = (status: number, body: string) => res.writeHead(status, { 'content-type': 'text/plain' }).end(body);
        if (this.gone) {
          this.refused.push({ method: req.method ?? '', path: req.url ?? '', error: this.gone.body });
          return answer(this.gone.status, this.gone.body);
        }
        let body: any;
        try {
          body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
        } catch {
          body = undefined;
        }
        const invalid = req.method !== 'POST' || body === undefined || typeof body !== 'object' || body === null ? 'invalid_payload' : !body.text && !body.blocks ? 'no_text' : null;
        if (invalid) {
          this.refused.push({ method: req.method ?? '', path: req.url ?? '', error: invalid });
          return answer(400, invalid);
        }
        const rec: Received = { path: req.url ?? '', body, at: this.clock() };
        this.attempts.push(rec);
        const r = this.reply(rec, this.attempts.length);
        if (r === 'hang') return; // never answers: the client's time-out must fire
        if (r.status === 200) this.received.push(rec);
        res.writeHead(r.status, { 'content-type': 'text/plain', ...r.headers });
        res.end(r.body ?? (r.status === 200 ? 'ok' : 'error'));
      });
    });
    await new Promise<void>((ok) => this.server.listen(port, '127.0.0.1', ok));
    this.port = (this.server.address() as AddressInfo).port;
    after(() => this.stop());
    return this;
  }

  url(path = '/hook/default'): string {
    return `http://127.0.0.1:${this.port}${path}`;
  }

  async stop(): Promise<void> {
    if (!this.server?.listening) return;
    this.server.closeAllConnections();
    await new Promise<void>((ok) => this.server.close(() => ok()));
  }
}

export function cls(over: Partial<Classification> = {}): Classification {
  return {
    ref: 'E37', rule: 'reach_limit', category: 'rate_limit', severity: 'error', title: 'Rate limit reached',
    hint: 'Slow down: the app exceeded its REST call quota.', hintZh: '调用频率超过限制', retryable: true,
    groupBy: ['ref', 'endpoint', 'appkey'], ...over,
  };
}

let line = 0;
export function ev(ts: number, over: Partial<ClassifiedEvent> = {}, c: Partial<Classification> = {}): ClassifiedEvent {
  const e: ClassifiedEvent = {
    ts, tsFromLine: true, source: '/var/log/app/server.log', line: ++line, method: 'POST',
    url: 'https://a1.easemob.com/acme/chat/messages/users', endpoint: '/messages/users', appkey: 'acme#chat',
    host: 'a1.easemob.com', status: 429, error: 'reach_limit', errorDescription: 'This request has reached api limit',
    exception: null, raw: '{"status":429}', parser: 'json', cls: cls(c), fingerprint: '', ...over,
  };
  if (!over.fingerprint) e.fingerprint = `${e.cls.ref}|${e.endpoint}|${e.appkey}`;
  return e;
}

export interface Harness {
  db: DB;
  dbPath: string;
  clock: { t: number };
  now: () => number;
  incidents: IncidentStore;
  outbox: OutboxStore;
  dispatcher: Dispatcher;
  worker: OutboxWorker;
  silences: SilenceStore;
  /** Records events the way the pipeline does (one transaction), then lets the dispatcher react. */
  record(events: ClassifiedEvent[]): void;
  advance(ms: number): void;
  /** Ticks the dispatcher and pumps the outbox until nothing more is due now. */
  settle(): Promise<void>;
}

export interface HarnessOptions {
  slack: FakeSlack;
  policy?: Partial<PagingPolicy>;
  routes?: SlackConfig['routes'];
  maintenance?: MaintenanceWindow[];
  resolveAfterMs?: number;
  dbPath?: string;
  start?: number;
  timeoutMs?: number;
  minIntervalMs?: number;
  language?: 'en' | 'zh';
}

export function harness(o: HarnessOptions): Harness {
  const dbPath = o.dbPath ?? join(tempDir(), 'apiwatch.db');
  const db = openDatabase(dbPath);
  after(() => db.open && db.close());
  const clock = { t: o.start ?? Date.UTC(2026, 10, 28, 12, 0, 0) };
  const now = () => clock.t;
  o.slack.clock = now;
  const incidents = new IncidentStore(db, { resolveAfterMs: o.resolveAfterMs ?? 1_800_000 });
  const outbox = new OutboxStore(db);
  const router = new SlackRouter({ webhook_url: o.slack.url(), routes: o.routes ?? [] });
  const silences = new SilenceStore(db);
  const client = new SlackClient(o.timeoutMs ?? 2000, globalThis.fetch, now);
  const slack = new SlackNotifier(router, {
    minSeverity: o.policy?.minSeverity ?? 'error', language: o.language, minIntervalMs: o.minIntervalMs ?? 1000, client,
  });
  const dispatcher = new Dispatcher({
    db,
    notifiers: [slack],
    log: silentLogger,
    muter: new Muter(silences, o.maintenance ?? []),
    policy: { groupWait: 10_000, groupInterval: 300_000, repeatInterval: 14_400_000, ...o.policy },
    resolveAfterMs: o.resolveAfterMs ?? 1_800_000,
    now,
  });
  const worker = new OutboxWorker({ store: outbox, notifiers: [slack], log: silentLogger, now, random: () => 0.5 });
  const commit = db.transaction((events: ClassifiedEvent[]) => incidents.record(events, clock.t));
  return {
    db, dbPath, clock, now, incidents, outbox, dispatcher, worker, silences,
    record(events) {
      const changes = commit(events);
      dispatcher.handle(changes);
    },
    advance(ms) {
      clock.t += ms;
    },
    async settle() {
      for (let i = 0; i < 100; i++) {
        dispatcher.tick();
        if ((await worker.pump()) === 0) return;
      }
    },
  };
}

/** Runs the clock forward in steps, ticking and pumping at each, like the daemon's timers. */
export async function run(h: Harness, ms: number, step = 1000): Promise<void> {
  for (let t = 0; t < ms; t += step) {
    h.advance(Math.min(step, ms - t));
    await h.settle();
  }
}

export const texts = (r: Received) => JSON.stringify(r.body);
export const header = (r: Received): string => r.body.blocks[0].text.text;
