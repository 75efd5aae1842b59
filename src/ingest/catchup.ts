/**
 * The daemon's catch-up: when a followed file is far behind (a backlog at start, a big burst), the
 * tailer hands the bytes up to the last complete line to the same bulk scan replay uses — scan
 * workers plus this thread, the byte-level prescan, one decoded string per candidate line — and
 * emits one sparse batch per block with the reader's checkpoint after it. Small appends keep the
 * line-by-line path (src/ingest/file-reader.ts), which has the lower latency.
 */
import { readSync } from 'node:fs';
import { SparseFeeder, heapGuard, startScan } from './bulk.js';
import type { BlockResult } from './bulk-scan.js';
import type { FileReader } from './file-reader.js';
import type { PrescanSpec } from './prescan.js';
import type { LineBatch } from './types.js';

/**
 * Blocks per batch (one transaction). The incident upsert runs once per fingerprint per batch, so
 * a few MiB per batch fold many events into each; the committed offset still moves every few MiB.
 */
const BLOCKS_PER_BATCH = Number(process.env.APIWATCH_CATCHUP_BLOCKS) || 8;

/**
 * ...or fewer when the blocks hold this many candidate lines: a log where most lines are failures
 * still commits every few thousand events (first events, SIGTERM, memory), not per 8 MiB.
 */
const MAX_BATCH_CANDIDATES = 4096;

/** Below this much unread data the line-by-line read is as fast and starts no threads. */
export const CATCH_UP_MIN_BYTES = 8 << 20;

export interface CatchUpOptions {
  /** What the pipeline's parser accepts (api_hosts, include_other_apis): the prescan's superset. */
  prescan: PrescanSpec;
  /** Default CATCH_UP_MIN_BYTES. */
  minBytes?: number;
  /** Scan workers (default: cores - 1). */
  workers?: number;
  /** Block size (tests). Default that of the bulk scan. */
  blockBytes?: number;
  maxLineBytes?: number;
  /** The followed source's timezone (its parser's): the workers analyse records for it. */
  timezone?: string;
}

/** Offset just past the last newline in [from, size), or -1 when there is none. */
function lastLineEnd(fd: number, from: number, size: number): number {
  const buf = Buffer.allocUnsafe(64 << 10);
  for (let end = size; end > from; ) {
    const start = Math.max(from, end - buf.length);
    const n = readSync(fd, buf, 0, end - start, start);
    const i = buf.subarray(0, n).lastIndexOf(10);
    if (i !== -1) return start + i + 1;
    end = start;
  }
  return -1;
}

/**
 * Reads `r` from its offset to the last complete line before `size` through the bulk scan.
 * `emit` commits each batch (and is awaited: backpressure); `between` runs after each one (the
 * tailer's path check); `stopped` ends it early at a block boundary. Returns false when it did not
 * apply (too little to read, inside an over-long line, no complete line).
 */
export async function catchUp(
  r: FileReader,
  size: number,
  opts: CatchUpOptions,
  emit: (batch: Pick<LineBatch, 'lines' | 'feed' | 'span' | 'checkpoint'>) => Promise<void>,
  between: () => void,
  stopped: () => boolean,
): Promise<boolean> {
  if (size - r.offset < (opts.minBytes ?? CATCH_UP_MIN_BYTES) || !r.atLineStart) return false;
  const end = lastLineEnd(r.fd, r.offset, size);
  if (end <= r.offset) return false;
  const from = r.offset;
  const scan = startScan(r.path, {
    fd: r.fd, from, size: end, prescan: opts.prescan, workers: opts.workers, blockBytes: opts.blockBytes, maxLineBytes: opts.maxLineBytes,
    analyse: { apiHosts: opts.prescan.apiHosts, includeOtherApis: opts.prescan.includeOtherApis, timezone: opts.timezone },
  });
  const feeder = new SparseFeeder(r.fd, end, r.line, from, opts.maxLineBytes);
  const nBlocks = Math.ceil((end - from) / scan.blockBytes);
  const guard = heapGuard(); // as in replay: a full GC now and then keeps the heap near its live size
  let group: BlockResult[] = [];
  let spanLines = 0;
  let candidates = 0;
  let start = from;
  try {
    for await (const b of scan.blocks()) {
      const last = b.seq === nBlocks - 1;
      r.advanceTo(b.next, b.lines, b.skippedLong);
      group.push(b);
      spanLines += b.lines;
      candidates += b.rel.length;
      if (group.length < BLOCKS_PER_BATCH && candidates < MAX_BATCH_CANDIDATES && !last) continue;
      const blocks = group;
      await emit({
        lines: [],
        span: { lines: spanLines, bytes: r.offset - start },
        checkpoint: r.checkpoint(),
        feed: (parser, out) => {
          const now = Date.now();
          for (const blk of blocks) feeder.feed(blk, parser, out, now);
          if (last) feeder.finish(parser, out, now); // a pending event's lines up to `end`
        },
      });
      group = [];
      spanLines = 0;
      candidates = 0;
      start = r.offset;
      guard();
      between();
      if (stopped()) break;
      // Timers, signals and the other files' wake-ups run between batches.
      await new Promise<void>((res) => setImmediate(res));
    }
  } finally {
    await scan.abort();
  }
  return true;
}
