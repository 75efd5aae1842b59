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
 * thread), APIWATCH_BULK_BLOCK_KB (default 256), APIWATCH_BULK_AHEAD (blocks in flight), APIWATCH_BULK_MAIN_SCANS=0,
 * APIWATCH_BULK_YOUNG_MB (worker young generation), APIWATCH_BULK_HEAP_SLACK_MB (0: no heap guard),
 * APIWATCH_BULK_NO_WASM, APIWATCH_BULK_BATCH (events per transaction, replay), APIWATCH_BULK_DEBUG.
 */
import { closeSync, fstatSync, openSync, readSync, statSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { MessageChannel, Worker, receiveMessageOnPort, type MessagePort } from 'node:worker_threads';
import type { ApiErrorEvent, EventParser } from '../parse/event.js';
import { SHARED_CONSUMED, SHARED_NEXT, SHARED_POSTED, scanBlock, scanContext, type BlockResult, type ScanContext } from './bulk-scan.js';
import type { ScanWorkerData } from './bulk-worker.js';
import { prescanFrom, prescanWire, type PrescanSpec, type PrescanWire } from './prescan.js';
export { heapGuard } from './heap.js';
import { DEFAULT_MAX_LINE, lineText } from './framing.js';
import type { AnalyseSpec } from './bulk-analyse.js';
import type { Precomputed } from '../parse/index.js';

export interface BulkOptions {
  /** Candidate prefilter as a plain word regex (global, over the latin1 view of the bytes). */
  re?: RegExp;
  /** Or the byte-level prescan (src/ingest/prescan.ts), a superset of the parser's prefilter. */
  prescan?: PrescanSpec;
  /** Read this open descriptor (not closed here) instead of opening `path`. */
  fd?: number;
  /** Scan from this offset (a line start). Default 0. */
  from?: number;
  /** Scan up to this offset. Default: the file's size now. */
  size?: number;
  /** Lines longer than this are skipped and counted. Default 1 MiB (as the line framer). */
  maxLineBytes?: number;
  /** Block size. Default 256 KiB. */
  blockBytes?: number;
  /** Scan workers besides this thread (which scans too); 0: scan here only. Default: cores - 1. */
  workers?: number;
  /** Blocks a worker may scan ahead of the parser. Default 8. */
  ahead?: number;
  /** Let the main thread scan blocks when the next one is not ready. Default true (tests: false). */
  mainScans?: boolean;
  /** Bytes per latin1 string (tests). Default 64 KiB. */
  segmentBytes?: number;
  /**
   * Let the workers also assemble and analyse each block's records (src/ingest/bulk-analyse.ts)
   * for a parser created with these options; the feeder hands the results to it.
   */
  analyse?: AnalyseSpec;
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
  /** End of the scanned range (file offset). */
  readonly size: number;
  /** Start of the scanned range. */
  readonly from: number;
  readonly blockBytes: number;
  blocks(): AsyncGenerator<BlockResult>;
  /** Stops the workers (after an error in the consumer). */
  abort(): Promise<void>;
}

/**
 * 256 KiB: less memory per block in flight (read buffer, results and, with the analyses, what a
 * worker keeps alive while it assembles a block) than 1 MiB, at the same CPU time: a 100 MB replay
 * peaked at ~131 MB RSS instead of ~150 (and 4 MiB blocks cost more still).
 */
const DEFAULT_BLOCK = 256 << 10;

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

function wireOf(opts: BulkOptions): PrescanWire {
  if (opts.prescan) return prescanWire({ spec: opts.prescan });
  if (opts.re) return prescanWire({ re: opts.re });
  throw new Error('startScan: give re or prescan');
}

/** Starts scanning `path` right away (workers run while the caller loads rules, opens the database…). */
export function startScan(path: string, opts: BulkOptions): BulkScan {
  const from = opts.from ?? 0;
  const size = opts.size ?? (opts.fd !== undefined ? fstatSync(opts.fd).size : statSync(path).size);
  const wire = wireOf(opts);
  // APIWATCH_BULK_WORKERS / _BLOCK_KB / _AHEAD / _MAIN_SCANS / _YOUNG_MB: knobs for measurements.
  const envBlock = Number(process.env.APIWATCH_BULK_BLOCK_KB) * 1024;
  const blockBytes = opts.blockBytes ?? (envBlock > 0 ? envBlock : DEFAULT_BLOCK);
  const maxLineBytes = opts.maxLineBytes ?? DEFAULT_MAX_LINE;
  const nBlocks = Math.ceil(Math.max(0, size - from) / blockBytes);
  const envWorkers = process.env.APIWATCH_BULK_WORKERS;
  // The main thread scans too (whenever the next block is not ready), so one core is its.
  let n = opts.workers ?? (envWorkers !== undefined ? Number(envWorkers) : availableParallelism() - 1);
  n = Math.max(0, Math.min(n, nBlocks > 2 ? nBlocks : 0));
  const open = (): number => opts.fd ?? openSync(path, 'r');
  const close = (fd: number): void => {
    if (opts.fd === undefined) closeSync(fd);
  };
  const blockAt = (ctx: ScanContext, c: number): BlockResult => scanBlock(ctx, c, from + c * blockBytes, from + (c + 1) * blockBytes);
  if (n === 0) {
    return {
      size,
      from,
      blockBytes,
      async *blocks() {
        const fd = open();
        try {
          const ctx = scanContext(fd, size, prescanFrom(wire), maxLineBytes, blockBytes);
          ctx.segmentBytes = opts.segmentBytes;
          for (let seq = 0; seq < nBlocks; seq++) yield blockAt(ctx, seq);
        } finally {
          close(fd);
        }
      },
      async abort() {},
    };
  }

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
      path, fd: opts.fd, from, size, blockBytes, blocks: nBlocks, ahead, maxLineBytes,
      prescan: wire, shared: sharedBuf, port: port2, segmentBytes: opts.segmentBytes, analyse: opts.analyse,
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
    if (fd >= 0) close(fd);
    fd = -1;
  };
  return {
    size,
    from,
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
                  fd = open();
                  ctx = scanContext(fd, size, prescanFrom(wire), maxLineBytes, blockBytes);
                  ctx.segmentBytes = opts.segmentBytes;
                }
                ready.set(c, blockAt(ctx, c));
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

/** Blocks whose workers' analyses the feeder keeps (a record is looked up when it closes). */
const PRE_BLOCKS = 3;

/** Bytes read at once for continuation lines: stack traces come in runs of short lines. */
const LINE_WINDOW = 64 << 10;

/** Reads single lines at given offsets (continuation lines of a pending event), through a window. */
class LineReader {
  private readonly buf = Buffer.allocUnsafe(LINE_WINDOW);
  /** File offset of buf[0] and the bytes held from there (one read serves a run of lines). */
  private winStart = 0;
  private winLen = 0;
  constructor(
    private readonly fd: number,
    private readonly size: number,
    private readonly maxLineBytes: number,
  ) {}

  /** The line starting at `pos`: its text (null when over-long) and the offset after it. */
  at(pos: number): { text: string | null; end: number } {
    let i = pos - this.winStart;
    let nl = i >= 0 && i < this.winLen ? this.buf.subarray(0, this.winLen).indexOf(10, i) : -1;
    if (nl === -1) {
      this.winStart = pos;
      this.winLen = readSync(this.fd, this.buf, 0, Math.min(this.buf.length, this.size - pos), pos);
      i = 0;
      nl = this.buf.subarray(0, this.winLen).indexOf(10);
    }
    if (nl !== -1 || this.winStart + this.winLen >= this.size) {
      const e = nl === -1 ? this.winLen : nl;
      const end = nl === -1 ? this.size : this.winStart + nl + 1;
      if (e - i > this.maxLineBytes) return { text: null, end };
      return { text: lineText(this.buf, i, e), end };
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
    return { text: lineText(Buffer.concat(parts), 0, len), end: p };
  }
}

export interface ParseBatch {
  events: ApiErrorEvent[];
  /** Lines of the file covered by this batch (over-long ones included). */
  lines: number;
  /** Bytes of the file covered so far. */
  bytes: number;
}

/**
 * Feeds a scan's blocks to a parser in file order: each candidate line, the line before it (as
 * context, when nothing is pending) and, while the parser has an event pending, every line after
 * it (read from the file on demand). Events come out exactly as from pushing every line. Used by
 * replay (parseScan) and by the daemon's catch-up (the pipeline calls `feed` per batch).
 */
export class SparseFeeder {
  /** Number of the last line pushed to the parser or stepped over as a continuation. */
  private fed: number;
  /** Byte offset just after that line. */
  private fedEnd: number;
  /** Lines before the next block. */
  line: number;
  private readonly reader: LineReader;
  private readTime = 0;

  /**
   * `fd` reads continuation lines up to `end`; `startLine` lines lie before `startOffset`, where
   * the scan begins (those were already given to the parser, or there are none).
   */
  constructor(fd: number, private readonly end: number, startLine = 0, startOffset = 0, maxLineBytes = DEFAULT_MAX_LINE) {
    this.reader = new LineReader(fd, end, maxLineBytes);
    this.fed = startLine;
    this.fedEnd = startOffset;
    this.line = startLine;
  }

  /**
   * Starts over at a block starting at `offset`, with nothing fed before it (a worker assembling
   * one block on its own: the line before its first candidate is pushed as context).
   */
  startBlock(offset: number): void {
    this.line = 1 << 30;
    this.fed = -1;
    this.fedEnd = offset;
  }

  /** Workers' analyses of the last blocks fed (a record may close blocks after it started). */
  private readonly pre: Map<number, Precomputed>[] = [];
  private preKey = '';
  private readonly lookup = (offset: number): Precomputed | undefined => {
    for (let i = this.pre.length - 1; i >= 0; i--) {
      const p = this.pre[i].get(offset);
      if (p !== undefined) return p;
    }
    return undefined;
  };

  private remember(b: BlockResult): void {
    const m = new Map<number, Precomputed>();
    if (b.pre && b.preOff) {
      for (let i = 0; i < b.pre.length; i++) m.set(b.preOff[i], b.pre[i]);
      this.preKey = b.preKey ?? '';
    }
    this.pre.push(m);
    if (this.pre.length > PRE_BLOCKS) this.pre.shift();
  }

  private push(parser: EventParser, out: ApiErrorEvent[], text: string, lineNo: number, offset: number): void {
    const evs = parser.push(text, { lineNo, offset, readTime: this.readTime });
    for (let i = 0; i < evs.length; i++) out.push(evs[i]);
  }

  /**
   * Feeds the lines after `fed` while an event is pending, up to line `limit` (exclusive), and
   * only while the pending one starts before byte `before`.
   */
  private continuations(parser: EventParser, out: ApiErrorEvent[], limit: number, before = Infinity): void {
    for (let p = parser.pending(); p && p.offset < before && this.fed + 1 < limit && this.fedEnd < this.end; p = parser.pending()) {
      const l = this.reader.at(this.fedEnd);
      this.fed++;
      if (l.text !== null) this.push(parser, out, l.text, this.fed, this.fedEnd);
      this.fedEnd = l.end;
    }
  }

  /** Feeds one block (the next in file order); events go to `out`. */
  feed(b: BlockResult, parser: EventParser, out: ApiErrorEvent[], readTime: number): void {
    this.remember(b);
    this.withAnalyses(parser, () => this.feedLines(b, parser, out, readTime));
  }

  /** Runs `fn` with the workers' analyses offered to the parser (if it takes them), then withdrawn. */
  private withAnalyses(parser: EventParser, fn: () => void): void {
    if (!parser.useAnalyses) return fn();
    parser.useAnalyses(this.lookup, this.preKey);
    try {
      fn();
    } finally {
      parser.useAnalyses(null, '');
    }
  }

  private feedLines(b: BlockResult, parser: EventParser, out: ApiErrorEvent[], readTime: number): void {
    this.readTime = readTime;
    const base = this.line;
    const { rel, off, end, text, prevRel, prevOff, prevText } = b;
    for (let i = 0; i < rel.length; i++) {
      const line = base + rel[i] + 1;
      if (line <= this.fed) continue; // already fed as a continuation line
      this.continuations(parser, out, line);
      if (!parser.pending()) {
        const p = base + prevRel[i] + 1;
        if (p > this.fed) this.push(parser, out, prevText[i], p, prevOff[i]); // NaN compares false: no such line
      }
      this.push(parser, out, text[i], line, off[i]);
      this.fed = line;
      this.fedEnd = end[i];
    }
    this.line += b.lines;
  }

  /** After the last block: the lines a pending event still takes, up to the end of the scan. */
  finish(parser: EventParser, out: ApiErrorEvent[], readTime: number, before = Infinity): void {
    this.readTime = readTime;
    this.withAnalyses(parser, () => this.continuations(parser, out, Infinity, before));
  }

  /** Offset just after the last line given to the parser (continuations included). */
  get fedOffset(): number {
    return this.fedEnd;
  }
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
  const feeder = new SparseFeeder(fd, size, 0, 0, opts.maxLineBytes);
  const events: ApiErrorEvent[] = [];
  const guard = opts.heapGuard ?? (() => {});
  try {
    for await (const b of scan.blocks()) {
      feeder.feed(b, parser, events, now());
      stats.lines += b.lines;
      stats.skippedLong += b.skippedLong;
      if (b.worker) stats.workerBlocks = (stats.workerBlocks ?? 0) + 1;
      stats.bytes = Math.min(size, (b.seq + 1) * scan.blockBytes);
      yield { events: events.splice(0), lines: b.lines, bytes: stats.bytes };
      guard();
    }
    feeder.finish(parser, events, now());
    stats.bytes = size;
    if (events.length) yield { events: events.splice(0), lines: 0, bytes: size };
  } finally {
    closeSync(fd);
  }
}
