import type { Readable } from 'node:stream';
import type { Line } from './types.js';

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
 * Splits a byte stream into lines (LF or CRLF) with 1-based numbers and byte offsets, in batches.
 * One-shot reads (classify, replay); the tailer has its own reader with checkpoints.
 * A final line without a newline is emitted at end of stream.
 */
export async function* readLines(
  input: Readable,
  opts: ReadLinesOptions = {},
  stats: LineReadStats = { lines: 0, bytes: 0, skippedLong: 0 },
): AsyncGenerator<Line[]> {
  const maxLen = opts.maxLineBytes ?? 1 << 20;
  const batchSize = opts.batchLines ?? 2000;
  const now = opts.now ?? Date.now;
  let carry: Buffer | null = null; // bytes of an unfinished line
  let carryStart = 0; // offset of the unfinished line
  let skipping = false; // inside an over-long line: drop bytes until the next newline
  let offset = 0; // bytes consumed so far
  let lineNo = 0;
  let batch: Line[] = [];
  const emit = (buf: Buffer, start: number, end: number, at: number) => {
    lineNo++;
    if (end > start && buf[end - 1] === 13) end--;
    batch.push({ text: buf.toString('utf8', start, end), meta: { lineNo, offset: at, readTime: now() } });
  };
  for await (const chunk of input as AsyncIterable<Buffer>) {
    const readTime = offset;
    let pos = 0;
    while (pos < chunk.length) {
      const nl = chunk.indexOf(10, pos);
      if (nl === -1) {
        if (skipping) break;
        const piece = chunk.subarray(pos);
        if (carry === null) carryStart = readTime + pos;
        carry = carry ? Buffer.concat([carry, piece]) : Buffer.from(piece);
        if (carry.length > maxLen) {
          carry = null;
          skipping = true;
        }
        break;
      }
      if (skipping) {
        skipping = false;
        lineNo++;
        stats.skippedLong++;
      } else if (carry) {
        const whole = Buffer.concat([carry, chunk.subarray(pos, nl)]);
        if (whole.length > maxLen) {
          lineNo++;
          stats.skippedLong++;
        } else emit(whole, 0, whole.length, carryStart);
        carry = null;
      } else if (nl - pos > maxLen) {
        lineNo++;
        stats.skippedLong++;
      } else {
        emit(chunk, pos, nl, readTime + pos);
      }
      pos = nl + 1;
      if (batch.length >= batchSize) {
        stats.lines += batch.length;
        yield batch;
        batch = [];
      }
    }
    offset += chunk.length;
    stats.bytes = offset;
  }
  if (skipping) {
    lineNo++;
    stats.skippedLong++;
  } else if (carry && carry.length) emit(carry, 0, carry.length, carryStart);
  if (batch.length) {
    stats.lines += batch.length;
    yield batch;
  }
}
