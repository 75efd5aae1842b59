import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after } from 'node:test';

/** One request as the stand-in saw it. */
export interface Seen {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingMessage['headers'];
  raw: string;
  /** Parsed JSON body, or undefined when it was not JSON. */
  json: any;
  /** Stand-in clock time it arrived. */
  at: number;
}

export interface Answer {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

/**
 * `hang`: never answer (the client's time-out must fire); `drop`: close the connection without
 * an answer; an Answer: send that instead of what the service would say.
 */
export type Fault = Answer | 'hang' | 'drop';

/**
 * A real HTTP server on 127.0.0.1 that stands in for a chat service: subclasses check what the
 * real service checks and answer the way it does (HTTP 200 with an error code in the body).
 */
export abstract class StandIn {
  /** Every request, answered or not. */
  readonly requests: Seen[] = [];
  /** Requests the service accepted (code 0): what reached the group. */
  readonly accepted: Seen[] = [];
  /** Every answer given, in order (code in the body, for the bots). */
  readonly answers: Answer[] = [];
  /** The stand-in's clock: rate windows and signature timestamps are judged by it. */
  clock: () => number = Date.now;
  /** Test hook: return a Fault to override the answer to request n (1-based). */
  fault: (req: Seen, n: number) => Fault | undefined = () => undefined;
  port = 0;
  private server!: Server;

  protected abstract answer(req: Seen): Answer;

  /** Whether an answer means "delivered" (code 0 in the body for the bots, 2xx for a webhook). */
  protected abstract isAccepted(a: Answer): boolean;

  async start(): Promise<this> {
    this.server = createServer((req: IncomingMessage, res: ServerResponse) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => this.onRequest(req, Buffer.concat(chunks).toString('utf8'), res));
    });
    await new Promise<void>((ok) => this.server.listen(0, '127.0.0.1', ok));
    this.port = (this.server.address() as AddressInfo).port;
    after(() => this.stop());
    return this;
  }

  private onRequest(req: IncomingMessage, raw: string, res: ServerResponse): void {
    const u = new URL(req.url ?? '/', 'http://127.0.0.1');
    let json: unknown;
    try {
      json = JSON.parse(raw);
    } catch {
      json = undefined;
    }
    const seen: Seen = { method: req.method ?? '', path: u.pathname, query: u.searchParams, headers: req.headers, raw, json, at: this.clock() };
    this.requests.push(seen);
    const f = this.fault(seen, this.requests.length);
    if (f === 'hang') return;
    if (f === 'drop') {
      req.socket.destroy();
      return;
    }
    const a = f ?? this.answer(seen);
    this.answers.push(a);
    if (!f && this.isAccepted(a)) this.accepted.push(seen);
    const body = typeof a.body === 'string' ? a.body : JSON.stringify(a.body);
    res.writeHead(a.status, { 'content-type': typeof a.body === 'string' ? 'text/plain' : 'application/json', ...a.headers });
    res.end(body);
  }

  get base(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  async stop(): Promise<void> {
    if (!this.server?.listening) return;
    this.server.closeAllConnections();
    await new Promise<void>((ok) => this.server.close(() => ok()));
  }
}

/**
 * Sliding-window counter: at most `max` events in any `windowMs`. Used with the stand-in's clock
 * to enforce a service's rate limit, and by tests to assert the rate was never exceeded.
 */
export class Window {
  private readonly times: number[] = [];
  constructor(
    readonly max: number,
    readonly windowMs: number,
  ) {}

  /** Records an event at `t` if it fits; false when it would exceed the limit. */
  take(t: number): boolean {
    while (this.times.length && this.times[0]! <= t - this.windowMs) this.times.shift();
    if (this.times.length >= this.max) return false;
    this.times.push(t);
    return true;
  }
}

/** The most events in any window of `windowMs` among `times` (sorted or not). */
export function maxInWindow(times: number[], windowMs: number): number {
  const t = [...times].sort((a, b) => a - b);
  let best = 0;
  let lo = 0;
  for (let hi = 0; hi < t.length; hi++) {
    while (t[hi]! - t[lo]! >= windowMs) lo++;
    best = Math.max(best, hi - lo + 1);
  }
  return best;
}
