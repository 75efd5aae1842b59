/**
 * Bulk path for whole files (replay): parallel scan, sequential parse.
 *
 * The file is cut into fixed blocks. Scan workers (src/ingest/bulk-worker.ts, cores - 1 of them)
 * and the main thread, whenever the block it needs next is not ready, claim blocks from a shared
 * counter, count their lines and pick out the candidate lines — those the prefilter
 * (src/parse/prefilter.ts) says can start an event — decoded, each with the line before it.
 * That is almost all of the CPU time, and it needs no parser state, so it parallelises.
 *
 * Parsing stays on one thread, in file order, with one parser: events come out exactly as from a
 * line-by-line read. The parser only needs (1) every line that can start an event (the candidates),
 * (2) every line that follows while it has an event pending (read here from the file on demand:
 * continuation lines are rarely candidates), and (3) the line just before a candidate (the parser
 * keeps it as context, e.g. the logger line before an exception). A line the prefilter rejects,
 * pushed while nothing is pending, never yields an event and only serves as that context, so the
 * others can be skipped. Over-long lines are skipped and counted, as the line reader does.
 *
 * Knobs for measurements (environment): APIWATCH_BULK_WORKERS (scan workers besides the main
 * thread), APIWATCH_BULK_BLOCK_KB, APIWATCH_BULK_AHEAD (blocks in flight), APIWATCH_BULK_MAIN_SCANS=0,
 * APIWATCH_BULK_YOUNG_MB (worker young generation), APIWATCH_BULK_HEAP_SLACK_MB (0: no heap guard),
 * APIWATCH_BULK_NO_WASM, APIWATCH_BULK_BATCH (events per transaction, replay), APIWATCH_BULK_DEBUG.
 */
import { closeSync, openSync, readSync, statSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import v8 from 'node:v8';
import { runInNewContext } from 'node:vm';
import { MessageChannel, Worker, receiveMessageOnPort, type MessagePort } from 'node:worker_threads';
import type { ApiErrorEvent, EventParser } from '../parse/event.js';
import { SHARED_CONSUMED, SHARED_NEXT, SHARED_POSTED, scanBlock, scanContext, type BlockResult, type ScanContext } from './bulk-scan.js';
import type { ScanWorkerData } from './bulk-worker.js';

export interface BulkOptions {
  /** Candidate prefilter (global regex over the latin1 view of the bytes). */
  re: RegExp;
  /** Lines longer than this are skipped and counted. Default 1 MiB (as the line reader). */
  maxLineBytes?: number;
  /** Block size. Default 4 MiB. */
  blockBytes?: number;
  /** Scan workers besides this thread (which scans too); 0: scan here only. Default: cores - 1. */
  workers?: number;
  /** Blocks a worker may scan ahead of the parser. Default 8. */
  ahead?: number;
  /** Let the main thread scan blocks when the next one is not ready. Default true (tests: false). */
  mainScans?: boolean;
  /** Bytes per latin1 string (tests). Default 64 KiB. */
  segmentBytes?: number;
}

export interface BulkStats {
  bytes: number;
  lines: number;
  skippedLong: number;
  /** Blocks scanned by workers (the rest: by the main thread). */
  workerBlocks?: number;
}

/** A started scan of one file: blocks come out in file order. */
export interface BulkScan {
  readonly size: number;
  readonly blockBytes: number;
  blocks(): AsyncGenerator<BlockResult>;
  /** Stops the workers (after an error in the consumer). */
  abort(): Promise<void>;
}

/** 1 MiB: less memory per block in flight (read buffer, results) than 4 MiB, at the same speed. */
const DEFAULT_BLOCK = 1 << 20;

function spawnWorker(data: ScanWorkerData, transferList: MessagePort[]): Worker {
  const opts = { workerData: data, transferList, resourceLimits: WORKER_LIMITS };
  if (!import.meta.url.endsWith('.ts')) return new Worker(new URL('./bulk-worker.js', import.meta.url), opts);
  // Under tsx (tests) this module is bulk.ts: the worker is bulk-worker.ts and needs tsx's loader,
  // which workers do not inherit.
  const api = import.meta.resolve('tsx/esm/api');
  const entry = new URL('./bulk-worker.ts', import.meta.url).href;
  const code = `import(${JSON.stringify(api)}).then((m) => { m.register(); return import(${JSON.stringify(entry)}); })`;
  return new Worker(code, { ...opts, eval: true });
}

/** Starts scanning `path` right away (workers run while the caller loads rules, opens the database…). */
export function startScan(path: string, opts: BulkOptions): BulkScan {
  const size = statSync(path).size;
  // APIWATCH_BULK_WORKERS / _BLOCK_KB / _AHEAD / _MAIN_SCANS / _YOUNG_MB: knobs for measurements.
  const envBlock = Number(process.env.APIWATCH_BULK_BLOCK_KB) * 1024;
  const blockBytes = opts.blockBytes ?? (envBlock > 0 ? envBlock : DEFAULT_BLOCK);
  const maxLineBytes = opts.maxLineBytes ?? 1 << 20;
  const nBlocks = Math.ceil(size / blockBytes);
  const envWorkers = process.env.APIWATCH_BULK_WORKERS;
  // The main thread scans too (whenever the next block is not ready), so one core is its.
  let n = opts.workers ?? (envWorkers !== undefined ? Number(envWorkers) : availableParallelism() - 1);
  n = Math.max(0, Math.min(n, nBlocks > 2 ? nBlocks : 0));
  if (n === 0) return inThread(path, size, blockBytes, nBlocks, maxLineBytes, opts.re, opts.segmentBytes);

  const ahead = opts.ahead ?? (Number(process.env.APIWATCH_BULK_AHEAD) || 8);
  const mainScans = opts.mainScans ?? process.env.APIWATCH_BULK_MAIN_SCANS !== '0';
  const debug = !!process.env.APIWATCH_BULK_DEBUG;
  let waitMs = 0;
  const sharedBuf = new SharedArrayBuffer(12);
  const shared = new Int32Array(sharedBuf);
  const ready = new Map<number, BlockResult>();
  let failure: Error | null = null;
  const workers: Worker[] = [];
  const ports: MessagePort[] = [];
  for (let k = 0; k < n; k++) {
    const { port1, port2 } = new MessageChannel();
    const data: ScanWorkerData = {
      path, size, blockBytes, blocks: nBlocks, ahead, maxLineBytes,
      reSource: opts.re.source, reFlags: opts.re.flags, shared: sharedBuf, port: port2, segmentBytes: opts.segmentBytes,
    };
    const w = spawnWorker(data, [port2]);
    w.on('error', (err) => (failure ??= err));
    w.on('exit', (code) => {
      if (code !== 0) failure ??= new Error(`scan worker exited with code ${code}`);
    });
    workers.push(w);
    ports.push(port1);
  }
  const drain = () => {
    for (const p of ports) {
      for (let m = receiveMessageOnPort(p); m; m = receiveMessageOnPort(p)) {
        const r = m.message as BlockResult;
        ready.set(r.seq, r);
      }
    }
  };
  let ctx: ScanContext | null = null;
  let fd = -1;
  const stop = async () => {
    Atomics.store(shared, SHARED_NEXT, nBlocks);
    Atomics.store(shared, SHARED_CONSUMED, nBlocks);
    Atomics.notify(shared, SHARED_CONSUMED);
    await Promise.all(workers.map((w) => w.terminate()));
    for (const p of ports) p.close();
    if (fd >= 0) closeSync(fd);
    fd = -1;
  };
  return {
    size,
    blockBytes,
    async *blocks() {
      try {
        for (let seq = 0; seq < nBlocks; seq++) {
          let r: BlockResult | undefined;
          let idle = 0;
          while ((r = ready.get(seq)) === undefined) {
            const posted = Atomics.load(shared, SHARED_POSTED);
            drain();
            if ((r = ready.get(seq)) !== undefined) break;
            if (failure) throw failure;
            // Not there yet: scan a block here rather than wait, if one is left to claim.
            if (mainScans && Atomics.load(shared, SHARED_NEXT) < Math.min(nBlocks, seq + ahead)) {
              const c = Atomics.add(shared, SHARED_NEXT, 1);
              if (c < nBlocks) {
                if (!ctx) {
                  fd = openSync(path, 'r');
                  ctx = scanContext(fd, size, opts.re, maxLineBytes, blockBytes);
                  ctx.segmentBytes = opts.segmentBytes;
                }
                ready.set(c, scanBlock(ctx, c, c * blockBytes, (c + 1) * blockBytes));
                continue;
              }
            }
            // Wait for a worker; now and then let the event loop run (worker errors arrive there).
            const w0 = debug ? performance.now() : 0;
            const waited = Atomics.wait(shared, SHARED_POSTED, posted, 50);
            if (debug) waitMs += performance.now() - w0;
            if (waited === 'timed-out' && ++idle % 4 === 0) {
              await new Promise((res) => setImmediate(res));
            }
          }
          ready.delete(seq);
          yield r;
          Atomics.store(shared, SHARED_CONSUMED, seq + 1);
          Atomics.notify(shared, SHARED_CONSUMED);
        }
      } finally {
        if (debug) process.stderr.write(`bulk: main waited ${waitMs.toFixed(0)} ms for workers\n`);
        await stop();
      }
    },
    abort: stop,
  };
}

/**
 * Scan workers are small: a read buffer, one block's strings and results. A small young generation
 * keeps the worker's share of RSS down (its garbage is 64 KiB strings that die at once).
 */
const WORKER_LIMITS = { maxYoungGenerationSizeMb: Number(process.env.APIWATCH_BULK_YOUNG_MB) || 4, maxOldGenerationSizeMb: 48 };

function inThread(
  path: string,
  size: number,
  blockBytes: number,
  nBlocks: number,
  maxLineBytes: number,
  re: RegExp,
  segmentBytes: number | undefined,
): BulkScan {
  return {
    size,
    blockBytes,
    async *blocks() {
      const fd = openSync(path, 'r');
      try {
        const ctx = scanContext(fd, size, re, maxLineBytes, blockBytes);
        ctx.segmentBytes = segmentBytes;
        for (let seq = 0; seq < nBlocks; seq++) yield scanBlock(ctx, seq, seq * blockBytes, (seq + 1) * blockBytes);
      } finally {
        closeSync(fd);
      }
    },
    async abort() {},
  };
}

const FIRST_READ = 1024;

/** Reads single lines at given offsets (continuation lines of a pending event). */
class LineReader {
  private readonly buf = Buffer.allocUnsafe(16 << 10);
  constructor(
    private readonly fd: number,
    private readonly size: number,
    private readonly maxLineBytes: number,
  ) {}

  /** The line starting at `pos`: its text (null when over-long) and the offset after it. */
  at(pos: number): { text: string | null; end: number } {
    // Most lines fit in the first KiB: reading 16 KiB per continuation line was most of its cost.
    let got = readSync(this.fd, this.buf, 0, Math.min(FIRST_READ, this.size - pos), pos);
    let nl = this.buf.subarray(0, got).indexOf(10);
    if (nl === -1 && pos + got < this.size) {
      got = readSync(this.fd, this.buf, 0, Math.min(this.buf.length, this.size - pos), pos);
      nl = this.buf.subarray(0, got).indexOf(10);
    }
    if (nl !== -1 || pos + got >= this.size) {
      const e = nl === -1 ? got : nl;
      if (e > this.maxLineBytes) return { text: null, end: nl === -1 ? this.size : pos + nl + 1 };
      const t = this.buf.toString('utf8', 0, e > 0 && this.buf[e - 1] === 13 ? e - 1 : e);
      return { text: t, end: nl === -1 ? this.size : pos + nl + 1 };
    }
    return this.slow(pos);
  }

  private slow(pos: number): { text: string | null; end: number } {
    const parts: Buffer[] = [];
    let len = 0;
    let p = pos;
    const step = Buffer.allocUnsafe(64 << 10);
    for (;;) {
      const n = readSync(this.fd, step, 0, Math.min(step.length, this.size - p), p);
      if (n === 0) break;
      const i = step.subarray(0, n).indexOf(10);
      const take = i === -1 ? n : i;
      if (len + take <= this.maxLineBytes) parts.push(Buffer.from(step.subarray(0, take)));
      len += take;
      p += take;
      if (i !== -1) {
        p++;
        break;
      }
    }
    if (len > this.maxLineBytes) return { text: null, end: p };
    const b = Buffer.concat(parts);
    return { text: b.toString('utf8', 0, len > 0 && b[len - 1] === 13 ? len - 1 : len), end: p };
  }
}

/**
 * Keeps the main thread's heap near its live size during a bulk read. V8 lets the old generation
 * grow to a few times the live size before a full GC; over a long replay the candidate lines and
 * events that survive two scavenges pile up there (~45 MB of garbage on a 1 GB file, a third of
 * the RSS target), and the node flags that bound it cannot be set from inside. A full GC when the
 * heap has grown `slackMb` past what survived the last one costs a few ms, a few times per GB.
 */
export function heapGuard(slackMb = Number(process.env.APIWATCH_BULK_HEAP_SLACK_MB) || 24): () => void {
  let gc: (() => void) | null = null;
  try {
    v8.setFlagsFromString('--expose-gc');
    gc = runInNewContext('gc') as () => void;
  } catch {
    return () => {};
  }
  const slack = slackMb * 1048576;
  let floor = v8.getHeapStatistics().used_heap_size;
  return () => {
    if (v8.getHeapStatistics().used_heap_size < floor + slack) return;
    gc!();
    if (process.env.APIWATCH_BULK_DEBUG) process.stderr.write(`gc ${(v8.getHeapStatistics().used_heap_size / 1048576).toFixed(1)} MB\n`);
    floor = v8.getHeapStatistics().used_heap_size;
  };
}

export interface ParseBatch {
  events: ApiErrorEvent[];
  /** Lines of the file covered by this batch (over-long ones included). */
  lines: number;
  /** Bytes of the file covered so far. */
  bytes: number;
}

/**
 * Feeds a scan's candidates (plus pending events' continuation lines and context lines) to
 * `parser` in file order; yields the events block by block. The parser is not flushed at the
 * end: the caller decides (end of replay: flush).
 */
export async function* parseScan(
  path: string,
  scan: BulkScan,
  parser: EventParser,
  stats: BulkStats,
  opts: { maxLineBytes?: number; now?: () => number; heapGuard?: () => void } = {},
): AsyncGenerator<ParseBatch> {
  const now = opts.now ?? Date.now;
  const size = scan.size;
  const fd = openSync(path, 'r');
  const reader = new LineReader(fd, size, opts.maxLineBytes ?? 1 << 20);
  let fed = 0; // number of the last line pushed to the parser or stepped over as a continuation
  let fedEnd = 0; // byte offset just after that line
  let base = 0; // lines before the current block
  let readTime = now();
  const events: ApiErrorEvent[] = [];
  const guard = opts.heapGuard ?? (() => {});
  const push = (text: string, lineNo: number, offset: number) => {
    const out = parser.push(text, { lineNo, offset, readTime });
    for (let i = 0; i < out.length; i++) events.push(out[i]);
  };
  // Feeds the lines after `fed` while an event is pending, up to line `limit` (exclusive).
  const continuations = (limit: number) => {
    while (parser.pending() && fed + 1 < limit && fedEnd < size) {
      const l = reader.at(fedEnd);
      fed++;
      if (l.text !== null) push(l.text, fed, fedEnd);
      fedEnd = l.end;
    }
  };
  try {
    for await (const b of scan.blocks()) {
      readTime = now();
      const { rel, off, end, text, prevRel, prevText } = b;
      for (let i = 0; i < rel.length; i++) {
        const line = base + rel[i] + 1;
        if (line <= fed) continue; // already fed as a continuation line
        continuations(line);
        if (!parser.pending()) {
          const p = base + prevRel[i] + 1;
          if (p > fed) push(prevText[i], p, -1); // NaN compares false: no such line
        }
        push(text[i], line, off[i]);
        fed = line;
        fedEnd = end[i];
      }
      base += b.lines;
      stats.lines += b.lines;
      stats.skippedLong += b.skippedLong;
      if (b.worker) stats.workerBlocks = (stats.workerBlocks ?? 0) + 1;
      stats.bytes = Math.min(size, (b.seq + 1) * scan.blockBytes);
      yield { events: events.splice(0), lines: b.lines, bytes: stats.bytes };
      guard();
    }
    continuations(Infinity);
    stats.bytes = size;
    if (events.length) yield { events: events.splice(0), lines: 0, bytes: size };
  } finally {
    closeSync(fd);
  }
}
