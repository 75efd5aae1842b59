import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { timingSafeEqual } from 'node:crypto';
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

export interface HttpSourceStats {
  requests: number;
  records: number;
  duplicates: number;
  bytes: number;
  rejected: Record<'400' | '401' | '413' | '503' | '500', number>;
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

function tokenMatches(header: string | undefined, token: string): boolean {
  const m = /^Bearer\s+(.+)$/i.exec(header ?? '');
  if (!m) return false;
  const a = Buffer.from(m[1].trim());
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
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
  });
}

/**
 * POST <path>: batches of log lines from shippers. Answers 2xx only once every record of the
 * request is committed (one transaction), so a shipper that sees anything else retries the batch.
 */
export class HttpSource {
  readonly stats: HttpSourceStats = { requests: 0, records: 0, duplicates: 0, bytes: 0, rejected: { '400': 0, '401': 0, '413': 0, '503': 0, '500': 0 } };
  private server: Server | null = null;
  private inflight = 0;
  private readonly lineNo = new Map<string, number>();
  private readonly offsets: OffsetStore;
  private readonly now: () => number;
  private readonly commitAll: (batches: LineBatch[]) => void;
  private purgeTimer: NodeJS.Timeout | null = null;

  constructor(private readonly o: HttpSourceOptions) {
    this.now = o.now ?? Date.now;
    this.offsets = new OffsetStore(o.db);
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
    return typeof addr === 'object' && addr ? addr.port : parseListen(this.o.cfg.listen).port;
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
  }

  private reply(res: ServerResponse, status: number, body: object, headers: Record<string, string> = {}): void {
    if (status >= 400) {
      const k = String(status) as keyof HttpSourceStats['rejected'];
      if (k in this.stats.rejected) this.stats.rejected[k]++;
    }
    res.writeHead(status, { 'content-type': 'application/json', ...headers }).end(JSON.stringify(body) + '\n');
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const url = new URL(req.url ?? '/', 'http://x');
    if (url.pathname !== this.o.cfg.path) return this.reply(res, 404, { error: `not found: POST log batches to ${this.o.cfg.path}` });
    if (req.method !== 'POST') return this.reply(res, 405, { error: 'use POST' }, { allow: 'POST' });
    if (this.o.cfg.token !== undefined && !tokenMatches(req.headers.authorization, this.o.cfg.token)) {
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
      if (this.o.transient?.(err)) {
        this.o.log?.warn({ err: (err as Error).message }, 'HTTP batch not committed; asked the shipper to retry');
        return this.reply(res, 503, { error: 'the database is not taking writes; retry' }, { 'retry-after': String(RETRY_AFTER_S) });
      }
      this.o.log?.error({ err: (err as Error).message }, 'HTTP batch failed');
      return this.reply(res, 500, { error: 'internal error; the batch was not stored' });
    }
    this.stats.requests++;
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
        lines: g.lines,
        alsoCommit: () => {
          for (const r of g.keep) if (r.offset !== undefined) this.offsets.save(r.host, r.file, r.offset, now);
        },
      });
    }
    return { batches, duplicates };
  }
}
