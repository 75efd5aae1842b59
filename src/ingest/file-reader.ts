import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import type { Checkpoint, Line } from './types.js';
import { HEAD_BYTES, headHash, headLen, headMatches, offsetValid, tailHash } from './fingerprint.js';
import { LineFramer } from './framing.js';

/** Bytes read per call (at least one over-long line's limit + 1). */
const READ_BYTES = 1 << 20;

export interface ReaderCounters {
  lines: number;
  bytes: number;
  skippedLong: number;
}

let shared: Buffer | null = null;
/**
 * One read buffer for all readers: reads are synchronous and lines are copied out as strings before
 * the next read, so a thousand watched files cost one buffer, not a thousand.
 */
function readBuffer(size: number): Buffer {
  if (!shared || shared.length < size) shared = Buffer.allocUnsafe(size);
  return shared;
}

export interface ReadResult {
  lines: Line[];
  /** Bytes consumed (complete lines, skipped over-long line parts). */
  advanced: number;
  /** Bytes examined, including an over-long line's middle (0 = nothing new to read). */
  scanned: number;
}

/**
 * One open file and the byte position after its last complete line. Lines are cut by the shared
 * framer (src/ingest/framing.ts): exact byte offsets for checkpoints, the byte limit per line.
 */
export class FileReader {
  readonly fd: number;
  readonly dev: number;
  readonly ino: number;
  head: string | null;
  private readonly framer: LineFramer;
  /** Size seen at the last validation (the tailer re-validates when it changes). */
  checkedSize = -1;
  /** File size when the last read found only an unfinished line (no need to re-read until it grows). */
  private partialUpTo = -1;
  /** Hash of the bytes before `offset`, taken when they were read (truncation shows as a mismatch). */
  tail: string | null;
  /** When the reader last reached end of file with nothing new (for letting go of rotated files). */
  eofSince = 0;

  constructor(
    readonly key: string,
    readonly path: string,
    start: { offset: number; line: number; head?: string | null; tail?: string | null; silentSkip?: boolean },
    readonly maxLine: number,
    readonly counters: ReaderCounters,
    fd?: number,
    private readonly maxBatchLines = 5000,
  ) {
    this.fd = fd ?? openSync(path, 'r');
    const st = fstatSync(this.fd);
    this.dev = st.dev;
    this.ino = st.ino;
    // silentSkip: started at the end of a file whose last line is unfinished: drop that fragment.
    this.framer = new LineFramer(maxLine, { offset: start.offset, line: start.line, dropFirst: start.silentSkip });
    this.head = start.head !== undefined ? start.head : headHash(this.fd, st.size);
    this.tail = start.tail !== undefined ? start.tail : tailHash(this.fd, start.offset);
  }

  /** Next byte to hand out: start of the incomplete last line, or end of the last complete one. */
  get offset(): number {
    return this.framer.offset;
  }

  /** Lines before `offset`. */
  get line(): number {
    return this.framer.line;
  }

  size(): number {
    return fstatSync(this.fd).size;
  }

  links(): number {
    return fstatSync(this.fd).nlink;
  }

  /** Nothing left to read below `size` (an unfinished line or an over-long line's middle may remain). */
  atEof(size: number): boolean {
    return this.framer.resumeAt >= size || this.partialUpTo === size;
  }

  /** Extends the head fingerprint while the file is shorter than HEAD_BYTES. */
  refreshHead(size: number): void {
    if (headLen(this.head) < HEAD_BYTES && size > headLen(this.head)) this.head = headHash(this.fd, size);
  }

  /** Same content as when last read: not truncated, head and the bytes before `offset` unchanged. */
  valid(size: number): boolean {
    return size >= this.offset && headMatches(this.fd, size, this.head) && offsetValid(this.fd, size, this.offset, this.tail);
  }

  /** Reads up to one buffer of new bytes and returns the complete lines in it. */
  read(size: number, now: number): ReadResult {
    const f = this.framer;
    const start = f.resumeAt;
    if (size <= start) return { lines: [], advanced: 0, scanned: 0 };
    const buf = readBuffer(Math.max(READ_BYTES, this.maxLine + 1));
    const want = Math.min(size - start, buf.length);
    let n = 0;
    while (n < want) {
      const got = readSync(this.fd, buf, n, want - n, start + n);
      if (got === 0) break;
      n += got;
    }
    const lines: Line[] = [];
    const before = this.offset;
    const skippedBefore = f.skippedLong;
    const full = f.frame(buf, n, lines, now, this.maxBatchLines); // bounded transactions
    const advanced = this.offset - before;
    if (advanced) this.tail = tailHash(this.fd, this.offset);
    this.counters.lines += lines.length;
    this.counters.bytes += advanced;
    this.counters.skippedLong += f.skippedLong - skippedBefore;
    if (!full && f.atLineStart && this.offset < size && start + n === size) this.partialUpTo = size;
    // Only a partial line past `offset` means nothing new until more bytes arrive.
    return { lines, advanced, scanned: f.atLineStart ? advanced : n };
  }

  /** Not inside an over-long line: the bulk catch-up can take over from `offset`. */
  get atLineStart(): boolean {
    return this.framer.atLineStart;
  }

  /**
   * Moves past bytes the bulk catch-up read (src/ingest/catchup.ts): `lines` lines up to `offset`
   * (a line start), `skipped` of them over-long.
   */
  advanceTo(offset: number, lines: number, skipped: number): void {
    this.counters.lines += lines - skipped;
    this.counters.skippedLong += skipped;
    this.counters.bytes += offset - this.offset;
    this.framer.advanceTo(offset, lines, skipped);
    this.tail = tailHash(this.fd, offset);
    this.partialUpTo = -1;
  }

  checkpoint(): Checkpoint {
    return { path: this.key, dev: this.dev, ino: this.ino, offset: this.offset, line: this.line, headHash: this.head, tailHash: this.tail };
  }

  /** A checkpoint at the start of an earlier line (multi-line event still pending). */
  checkpointAt(offset: number, line: number): Checkpoint {
    return { path: this.key, dev: this.dev, ino: this.ino, offset, line, headHash: this.head, tailHash: tailHash(this.fd, offset) };
  }

  close(): void {
    try {
      closeSync(this.fd);
    } catch {
      /* already closed */
    }
  }
}
