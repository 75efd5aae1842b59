import type { Readable } from 'node:stream';
import type { Line } from './types.js';
import { DEFAULT_MAX_LINE, LineFramer } from './framing.js';

export interface ReadLinesOptions {
  /** Lines longer than this are skipped and counted; memory stays bounded. Default 1 MiB. */
  maxLineBytes?: number;
  /** Lines per yielded batch. Default 2000. */
  batchLines?: number;
  /** Read time to stamp on lines (fallback event time). */
  now?: () => number;
}

export interface LineReadStats {
  lines: number;
  bytes: number;
  skippedLong: number;
}

/**
 * Splits a byte stream into lines (LF or CRLF) with 1-based numbers and byte offsets, in batches,
 * through the shared framer (src/ingest/framing.ts). One-shot reads (classify); the tailer reads
 * through FileReader with checkpoints, replay through the bulk scan. A final line without a
 * newline is emitted at end of stream.
 */
export async function* readLines(
  input: Readable,
  opts: ReadLinesOptions = {},
  stats: LineReadStats = { lines: 0, bytes: 0, skippedLong: 0 },
): AsyncGenerator<Line[]> {
  const batchSize = opts.batchLines ?? 2000;
  const now = opts.now ?? Date.now;
  const framer = new LineFramer(opts.maxLineBytes ?? DEFAULT_MAX_LINE);
  let carry: Buffer | null = null; // the bytes from framer.resumeAt not framed yet (an unfinished line)
  let end = 0; // stream offset after the last chunk
  let batch: Line[] = [];
  for await (const chunk of input as AsyncIterable<Buffer>) {
    end += chunk.length;
    let buf: Buffer = carry ? Buffer.concat([carry, chunk]) : chunk;
    // Frame what is there; a full batch is yielded and framing goes on from where it stopped.
    for (;;) {
      const from = framer.resumeAt;
      const full = framer.frame(buf, buf.length, batch, now(), batchSize - batch.length);
      // What the framer still needs from `buf`: the unfinished line (nothing while skipping one).
      const rest = buf.subarray(framer.resumeAt - from);
      buf = rest;
      stats.skippedLong = framer.skippedLong;
      if (!full) break;
      stats.lines += batch.length;
      yield batch;
      batch = [];
    }
    carry = buf.length && framer.atLineStart ? Buffer.from(buf) : null;
    stats.bytes = end;
  }
  framer.final(carry ?? Buffer.alloc(0), carry?.length ?? 0, batch, now());
  stats.skippedLong = framer.skippedLong;
  if (batch.length) {
    stats.lines += batch.length;
    yield batch;
  }
}
