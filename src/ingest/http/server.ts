import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createHash, timingSafeEqual } from 'node:crypto';
import { gunzipSync } from 'node:zlib';
import type { DB } from '../../store/db.js';
import type { LineBatch, Line } from '../types.js';
import { decodeBody, MalformedBody, type IngestRecord } from './records.js';
import { OffsetStore } from './offsets.js';
import { listenOn, parseListen } from '../../util/listen.js';

export interface HttpSourceConfig {
  listen: string;
  path: string;
  token?: string;
  max_body: number;
  max_inflight: number;
  offset_key: string;
  /** A multi-line record with no new line from its origin for this long is emitted (ms). */
  multiline_timeout?: number;
  timezone?: string;
}

/** What a batch is handed to (the daemon's current Pipeline). `process` commits or throws. */
export interface IngestTarget {
  process(batch: LineBatch): unknown;
  /** Forget a source's parser state: its lines were fed, then the request's transaction rolled back. */
  reset(source: string): void;
}

export interface HttpSourceOptions {
  cfg: HttpSourceConfig;
  db: DB;
  /** The pipeline now in use (the daemon replaces it after a store failure). */
  target: () => IngestTarget;
  /** Why writes cannot be taken now (a store failure being recovered from), or null. */
  blocked?: () => string | null;
  /** True for SQLite errors worth a 503 (disk full, locked) rather than a 500. */
  transient?: (err: unknown) => boolean;
  log?: { warn(o: object, msg: string): void; error(o: object, msg: string): void };
  now?: () => number;
}

/** Answers refused for a reason the shipper can act on (or must retry), counted apart. */
export const REJECT_CODES = ['400', '401', '413', '415', '503', '500'] as const;
export type RejectCode = (typeof REJECT_CODES)[number];

export interface HttpSourceStats {
  /** Every answer, by HTTP status (200, 400, 401, 404, 405, 413, 415, 500, 503). */
  responses: Record<string, number>;
  /** Records committed (after dropping duplicates). */
  records: number;
  /** Records dropped because their (host, file, offset) was already committed. */
  duplicates: number;
  /** Body bytes of committed requests (after gunzip). */
  bytes: number;
  rejected: Record<RejectCode, number>;
}

/** What /healthz and doctor show of one HTTP source; never the token, only whether one is set. */
export interface HttpSourceStatus {
  listen: string;
  port: number | null;
  path: string;
  token: boolean;
  in_flight: number;
  /** ISO time of the last request that reached the handler, or null. */
  last_request_at: string | null;
  /** ISO time of the last committed batch, or null. */
  last_commit_at: string | null;
  records: number;
  duplicates: number;
  rejected: Record<RejectCode, number>;
  /** The last batch that could not be committed (500/503), while no batch has been committed since. */
  fault: { at: string; status: number; message: string } | null;
}

/** Seconds a shipper is told to wait under backpressure (Vector and Fluent Bit both retry 503). */
export const RETRY_AFTER_S = 5;
/** On stop, how long a request still being read may take. */
const STOP_GRACE_MS = 2000;
/** How often remembered offsets are pruned. */
const PURGE_EVERY_MS = 3_600_000;

/** Source key of one origin: its own parser (multi-line state), time zone and incident source. */
export function originKey(host: string, file: string): string {
  return `${host}:${file}`;
}

class TooLarge extends Error {}

const digest = (s: string) => createHash('sha256').update(s).digest();

/** Constant time: both sides are hashed first, so neither the content nor the length of the token leaks. */
function tokenMatches(header: string | undefined, tokenDigest: Buffer): boolean {
  const m = /^Bearer\s+(.+)$/i.exec(header ?? '');
  return timingSafeEqual(digest(m ? m[1].trim() : ''), tokenDigest) && m !== null;
}

function readBody(req: IncomingMessage, max: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > max) {
        req.pause();
        reject(new TooLarge());
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
    // A shipper that hangs up (or a shutdown that cuts it off) mid-body: nothing to commit.
    req.on('close', () => {
      if (!req.complete) reject(new Error('the connection closed before the body was complete'));
    });
  });
}

/**
 * POST <path>: batches of log lines from shippers. Answers 2xx only once every record of the
 * request is committed (one transaction), so a shipper that sees anything else retries the batch.
 */
export class HttpSource {
  readonly stats: HttpSourceStats = { responses: {}, records: 0, duplicates: 0, bytes: 0, rejected: { '400': 0, '401': 0, '413': 0, '415': 0, '503': 0, '500': 0 } };
  private server: Server | null = null;
  private port: number | null = null;
  private inflight = 0;
  private lastRequestAt: number | null = null;
  private lastCommitAt: number | null = null;
  private fault: HttpSourceStatus['fault'] = null;
  private readonly tokenDigest: Buffer | null;
  private readonly lineNo = new Map<string, number>();
  private readonly offsets: OffsetStore;
  private readonly now: () => number;
  private readonly commitAll: (batches: LineBatch[]) => void;
  private purgeTimer: NodeJS.Timeout | null = null;

  constructor(private readonly o: HttpSourceOptions) {
    this.now = o.now ?? Date.now;
    this.offsets = new OffsetStore(o.db);
    this.tokenDigest = o.cfg.token === undefined ? null : digest(o.cfg.token);
    // Nested pipeline transactions become savepoints: all origins of one request commit together.
    this.commitAll = o.db.transaction((batches: LineBatch[]) => {
      for (const b of batches) this.o.target().process(b);
    });
  }

  async start(): Promise<number> {
    const server = createServer((req, res) => this.handle(req, res));
    server.keepAliveTimeout = 5000;
    await listenOn(server, this.o.cfg.listen);
    this.server = server;
    this.purgeTimer = setInterval(() => this.purge(), PURGE_EVERY_MS);
    this.purgeTimer.unref();
    const addr = server.address();
    this.port = typeof addr === 'object' && addr ? addr.port : parseListen(this.o.cfg.listen).port;
    return this.port;
  }

  /** Requests being read or committed right now. */
  get inFlight(): number {
    return this.inflight;
  }

  status(): HttpSourceStatus {
    const iso = (t: number | null) => (t === null ? null : new Date(t).toISOString());
    return {
      listen: this.o.cfg.listen,
      port: this.port,
      path: this.o.cfg.path,
      token: this.tokenDigest !== null,
      in_flight: this.inflight,
      last_request_at: iso(this.lastRequestAt),
      last_commit_at: iso(this.lastCommitAt),
      records: this.stats.records,
      duplicates: this.stats.duplicates,
      rejected: { ...this.stats.rejected },
      fault: this.fault,
    };
  }

  purge(): number {
    return this.offsets.purge(this.now());
  }

  async stop(): Promise<void> {
    if (this.purgeTimer) clearInterval(this.purgeTimer);
    const s = this.server;
    this.server = null;
    if (!s) return;
    const closed = new Promise<void>((resolve) => s.close(() => resolve()));
    s.closeIdleConnections();
    // A request being read gets a moment to finish; a shipper's idle keep-alive connection does not hold shutdown.
    const force = setTimeout(() => s.closeAllConnections(), STOP_GRACE_MS);
    await closed;
    clearTimeout(force);
    this.flushHeld();
  }

  /**
   * At shutdown, the multi-line records still being assembled are emitted as they stand: the shipper
   * has had its 200 for their lines and will not send them again (Vector's multiline flushes so too).
   */
  private flushHeld(): void {
    const finals: LineBatch[] = [...this.lineNo.keys()].map((source) => ({ source, timezone: this.o.cfg.timezone, lines: [], final: true }));
    this.lineNo.clear();
    if (!finals.length) return;
    try {
      this.commitAll(finals);
    } catch (err) {
      this.o.log?.error({ err: (err as Error).message }, 'HTTP source: multi-line records held at shutdown could not be stored');
    }
  }

  private reply(res: ServerResponse, status: number, body: object, headers: Record<string, string> = {}): void {
    const code = String(status);
    this.stats.responses[code] = (this.stats.responses[code] ?? 0) + 1;
    if ((REJECT_CODES as readonly string[]).includes(code)) this.stats.rejected[code as RejectCode]++;
    res.writeHead(status, { 'content-type': 'application/json', ...headers }).end(JSON.stringify(body) + '\n');
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    this.lastRequestAt = this.now();
    const url = new URL(req.url ?? '/', 'http://x');
    if (url.pathname !== this.o.cfg.path) return this.reply(res, 404, { error: `not found: POST log batches to ${this.o.cfg.path}` });
    if (req.method !== 'POST') return this.reply(res, 405, { error: 'use POST' }, { allow: 'POST' });
    if (this.tokenDigest !== null && !tokenMatches(req.headers.authorization, this.tokenDigest)) {
      return this.reply(res, 401, { error: 'missing or wrong bearer token (Authorization: Bearer …)' }, { 'www-authenticate': 'Bearer realm="apiwatch"' });
    }
    const blocked = this.o.blocked?.();
    if (blocked || this.inflight >= this.o.cfg.max_inflight) {
      return this.reply(res, 503, { error: blocked ? `not taking writes now (${blocked}); retry` : 'too many batches in flight; retry' }, { 'retry-after': String(RETRY_AFTER_S) });
    }
    const declared = Number(req.headers['content-length'] ?? 0);
    if (declared > this.o.cfg.max_body) return this.tooLarge(req, res);
    this.inflight++;
    readBody(req, this.o.cfg.max_body)
      .then((raw) => this.ingest(req, res, raw, url.searchParams))
      .catch((err: unknown) => {
        if (err instanceof TooLarge) return this.tooLarge(req, res);
        this.reply(res, 400, { error: `cannot read the request: ${(err as Error).message}` });
      })
      .finally(() => this.inflight--);
  }

  private tooLarge(req: IncomingMessage, res: ServerResponse): void {
    // Close rather than read the rest: the shipper should split its batches (Vector batch.max_bytes).
    res.on('finish', () => req.destroy());
    this.reply(res, 413, { error: `body larger than max_body (${this.o.cfg.max_body} bytes): send smaller batches` }, { connection: 'close' });
  }

  private ingest(req: IncomingMessage, res: ServerResponse, raw: Buffer, query: URLSearchParams): void {
    let body: Buffer = raw;
    const enc = String(req.headers['content-encoding'] ?? 'identity').toLowerCase();
    if (enc === 'gzip') {
      try {
        body = gunzipSync(raw, { maxOutputLength: this.o.cfg.max_body });
      } catch (err) {
        if ((err as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE') return this.tooLarge(req, res);
        return this.reply(res, 400, { error: `body is not valid gzip: ${(err as Error).message}` });
      }
    } else if (enc !== 'identity') {
      return this.reply(res, 415, { error: `unsupported content-encoding "${enc}" (identity or gzip)` });
    }
    let records: IngestRecord[];
    try {
      records = decodeBody(body.toString('utf8'), String(req.headers['content-type'] ?? 'application/json'), { offsetKey: this.o.cfg.offset_key, query });
    } catch (err) {
      if (err instanceof MalformedBody) return this.reply(res, 400, { error: err.message });
      throw err;
    }
    const { batches, duplicates } = this.toBatches(records);
    try {
      this.commitAll(batches);
    } catch (err) {
      // Rolled back: nothing of the request is stored and the shipper will send it again.
      for (const b of batches) {
        this.lineNo.delete(b.source);
        this.o.target().reset(b.source);
      }
      const message = (err as Error).message;
      if (this.o.transient?.(err)) {
        this.fault = { at: new Date(this.now()).toISOString(), status: 503, message };
        this.o.log?.warn({ err: message, listen: this.o.cfg.listen }, 'HTTP batch not committed; asked the shipper to retry');
        return this.reply(res, 503, { error: 'the database is not taking writes; retry' }, { 'retry-after': String(RETRY_AFTER_S) });
      }
      this.fault = { at: new Date(this.now()).toISOString(), status: 500, message };
      this.o.log?.error({ err: message, listen: this.o.cfg.listen }, 'HTTP batch failed');
      return this.reply(res, 500, { error: 'internal error; the batch was not stored' });
    }
    this.lastCommitAt = this.now();
    this.fault = null;
    this.stats.records += records.length - duplicates;
    this.stats.duplicates += duplicates;
    this.stats.bytes += body.length;
    this.reply(res, 200, { accepted: records.length - duplicates, duplicates });
  }

  /** One batch per origin, in arrival order, without the records whose offset was already accepted. */
  private toBatches(records: IngestRecord[]): { batches: LineBatch[]; duplicates: number } {
    const now = this.now();
    const by = new Map<string, { lines: Line[]; keep: IngestRecord[]; seen: Set<number> }>();
    let duplicates = 0;
    for (const r of records) {
      const key = originKey(r.host, r.file);
      let g = by.get(key);
      if (!g) by.set(key, (g = { lines: [], keep: [], seen: new Set() }));
      if (r.offset !== undefined) {
        if (g.seen.has(r.offset) || this.offsets.seen(r.host, r.file, r.offset)) {
          duplicates++;
          continue;
        }
        g.seen.add(r.offset);
      }
      g.keep.push(r);
      // A shipper's multi-line record (Vector multiline, Fluent Bit multiline.parser) arrives as one
      // message: the parser still sees it line by line.
      let at = r.offset ?? 0;
      for (const text of r.text.split('\n')) {
        const lineNo = (this.lineNo.get(key) ?? 0) + 1;
        this.lineNo.set(key, lineNo);
        g.lines.push({ text: text.replace(/\r$/, ''), meta: { lineNo, offset: at, readTime: now } });
        at += Buffer.byteLength(text) + 1;
      }
    }
    const batches: LineBatch[] = [];
    for (const [source, g] of by) {
      batches.push({
        source,
        timezone: this.o.cfg.timezone,
        idleFlushMs: this.o.cfg.multiline_timeout,
        lines: g.lines,
        alsoCommit: () => {
          for (const r of g.keep) if (r.offset !== undefined) this.offsets.save(r.host, r.file, r.offset, now);
        },
      });
    }
    return { batches, duplicates };
  }
}
