/**
 * Scan worker of the bulk path: claims blocks of one file from a shared counter (the main thread
 * claims from it too) and posts each block's BlockResult. It stays at most `ahead` blocks in front
 * of what the main thread has consumed, so memory stays bounded when parsing/storing is slower.
 */
import { openSync, closeSync } from 'node:fs';
import { isMainThread, workerData, type MessagePort } from 'node:worker_threads';
import { SHARED_CONSUMED, SHARED_NEXT, SHARED_POSTED, scanBlock, scanContext } from './bulk-scan.js';
import { prescanFrom, type PrescanWire } from './prescan.js';
import { heapGuard } from './heap.js';
import { blockAnalyser, type AnalyseSpec } from './bulk-analyse.js';

export interface ScanWorkerData {
  path: string;
  /** An open descriptor to read (threads share the process's descriptors): the file stays the one the caller opened, whatever is renamed meanwhile. */
  fd?: number;
  /** File offset of block 0 (a line start). */
  from: number;
  size: number;
  blockBytes: number;
  blocks: number;
  ahead: number;
  maxLineBytes: number;
  prescan: PrescanWire;
  /** Int32Array over a SharedArrayBuffer, see SHARED_* in bulk-scan.ts. */
  shared: SharedArrayBuffer;
  /** Where results go (a MessageChannel port the main thread reads synchronously). */
  port: MessagePort;
  segmentBytes?: number;
  /** Also assemble and analyse each block's records (src/ingest/bulk-analyse.ts). */
  analyse?: AnalyseSpec;
}

/** Heap growth the worker allows past its live size before a full GC (its heap is small). */
const WORKER_HEAP_SLACK_MB = 4;

if (!isMainThread && workerData?.shared) {
  const d = workerData as ScanWorkerData;
  const shared = new Int32Array(d.shared);
  // Its garbage is 64 KiB latin1 strings and result arrays; left to V8, the worker's old
  // generation grew ~11 MB past its live size over a 100 MB catch-up.
  const guard = heapGuard(Number(process.env.APIWATCH_BULK_WORKER_GC_MB) || WORKER_HEAP_SLACK_MB);
  const fd = d.fd ?? openSync(d.path, 'r');
  const ctx = scanContext(fd, d.size, prescanFrom(d.prescan), d.maxLineBytes, d.blockBytes);
  ctx.segmentBytes = d.segmentBytes;
  const analyser = d.analyse ? blockAnalyser(fd, d.size, d.maxLineBytes, d.analyse) : null;
  try {
    for (;;) {
      const seq = Atomics.add(shared, SHARED_NEXT, 1);
      if (seq >= d.blocks) break;
      for (let c = Atomics.load(shared, SHARED_CONSUMED); seq >= c + d.ahead; c = Atomics.load(shared, SHARED_CONSUMED)) {
        Atomics.wait(shared, SHARED_CONSUMED, c, 1000);
      }
      const bs = d.from + seq * d.blockBytes;
      const b = scanBlock(ctx, seq, bs, bs + d.blockBytes);
      if (analyser) analyser.analyse(b, bs);
      d.port.postMessage(b);
      guard();
      Atomics.add(shared, SHARED_POSTED, 1);
      Atomics.notify(shared, SHARED_POSTED);
    }
  } finally {
    if (d.fd === undefined) closeSync(fd);
    d.port.close();
  }
}
