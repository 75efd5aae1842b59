import type { Readable } from 'node:stream';

export interface TextChunk {
  /** Complete lines, each ending in "\n". */
  bytes: Buffer;
  /** The same bytes as latin1 (one char per byte): cheap to make, indexes equal byte offsets. */
  text: string;
  /** 1-based number of the first line. */
  firstLine: number;
  /** Number of lines in the chunk. */
  lines: number;
}

export interface ChunkStats {
  bytes: number;
  skippedLong: number;
}

function countLines(buf: Buffer): number {
  let n = 0;
  for (let p = buf.indexOf(10); p !== -1; p = buf.indexOf(10, p + 1)) n++;
  return n;
}

function makeChunk(bytes: Buffer, firstLine: number): TextChunk {
  return { bytes, text: bytes.toString('latin1'), firstLine, lines: countLines(bytes) };
}

/**
 * Cuts a byte stream into runs of whole lines (one per read, ~1 MiB), for the bulk path. A line
 * longer than `maxLineBytes` is skipped and counted (its number still advances), so memory stays
 * bounded whatever the input.
 */
export async function* readTextChunks(
  input: Readable,
  maxLineBytes = 1 << 20,
  stats: ChunkStats = { bytes: 0, skippedLong: 0 },
): AsyncGenerator<TextChunk> {
  let carry: Buffer[] = [];
  let carryLen = 0;
  let skipping = false;
  let line = 1;
  for await (const chunk of input as AsyncIterable<Buffer>) {
    stats.bytes += chunk.length;
    let start = 0;
    const firstNl = chunk.indexOf(10);
    if (firstNl === -1) {
      if (!skipping) {
        carry.push(chunk);
        carryLen += chunk.length;
        if (carryLen > maxLineBytes) {
          carry = [];
          carryLen = 0;
          skipping = true;
        }
      }
      continue;
    }
    // Finish the line carried over from earlier reads.
    if (skipping || carryLen + firstNl > maxLineBytes) {
      stats.skippedLong++;
      line++;
      skipping = false;
      carry = [];
      carryLen = 0;
      start = firstNl + 1;
    } else if (carryLen) {
      carry.push(chunk.subarray(0, firstNl + 1));
      const c = makeChunk(Buffer.concat(carry), line);
      carry = [];
      carryLen = 0;
      yield c;
      line += c.lines;
      start = firstNl + 1;
    }
    const last = chunk.lastIndexOf(10);
    if (last >= start) {
      const c = makeChunk(chunk.subarray(start, last + 1), line);
      line += c.lines;
      yield c;
    }
    if (last + 1 < chunk.length) {
      const rest = chunk.subarray(last + 1);
      carry = [Buffer.from(rest)];
      carryLen = rest.length;
    }
  }
  if (skipping) stats.skippedLong++;
  else if (carryLen) yield makeChunk(Buffer.concat([...carry, Buffer.from('\n')]), line);
}
