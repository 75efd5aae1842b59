import { isAscii } from 'node:buffer';
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import type { LineMeta } from '../parse/event.js';
import type { Checkpoint, Line } from './types.js';
import { HEAD_BYTES, headHash, headLen, headMatches, offsetValid, tailHash } from './fingerprint.js';

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
 * One open file and the byte position after its last complete line. Splits bytes itself rather
 * than through split2: split2 yields decoded strings, so exact byte offsets (the checkpoint) would
 * cost a Buffer.byteLength per line, and its maxLength counts characters, not bytes.
 */
export class FileReader {
  readonly fd: number;
  readonly dev: number;
  readonly ino: number;
  /** Next byte to hand out: start of the incomplete last line, or end of the last complete one. */
  offset: number;
  line: number;
  head: string | null;
  /** Inside an over-long line: bytes up to here hold no newline and are dropped. */
  private skipping = false;
  private skipCounted: boolean;
  private scanFrom = 0;
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
    private readonly maxLine: number,
    readonly counters: ReaderCounters,
    fd?: number,
    private readonly maxBatchLines = 5000,
  ) {
    this.fd = fd ?? openSync(path, 'r');
    const st = fstatSync(this.fd);
    this.dev = st.dev;
    this.ino = st.ino;
    this.offset = start.offset;
    this.line = start.line;
    this.head = start.head !== undefined ? start.head : headHash(this.fd, st.size);
    this.tail = start.tail !== undefined ? start.tail : tailHash(this.fd, start.offset);
    this.skipCounted = !start.silentSkip;
    if (start.silentSkip) {
      // Started at end of a file whose last line is unfinished: drop that fragment.
      this.skipping = true;
      this.scanFrom = start.offset;
    }
  }

  size(): number {
    return fstatSync(this.fd).size;
  }

  links(): number {
    return fstatSync(this.fd).nlink;
  }

  /** Nothing left to read below `size` (an unfinished line or an over-long line's middle may remain). */
  atEof(size: number): boolean {
    return (this.skipping ? this.scanFrom : this.offset) >= size || this.partialUpTo === size;
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
    const start = this.skipping ? this.scanFrom : this.offset;
    if (size <= start) return { lines: [], advanced: 0, scanned: 0 };
    const buf = readBuffer(Math.max(1 << 20, this.maxLine + 1));
    const want = Math.min(size - start, buf.length);
    let n = 0;
    while (n < want) {
      const got = readSync(this.fd, buf, n, want - n, start + n);
      if (got === 0) break;
      n += got;
    }
    const lines: Line[] = [];
    const before = this.offset;
    let p = 0;
    if (this.skipping) {
      const nl = buf.subarray(0, n).indexOf(10);
      if (nl < 0) {
        this.scanFrom = start + n;
        return { lines, advanced: 0, scanned: n };
      }
      this.skipping = false;
      if (this.skipCounted) {
        this.counters.skippedLong++;
        this.line++;
      }
      this.skipCounted = true;
      p = nl + 1;
      this.offset = start + p;
    }
    let full = false;
    const v = buf.subarray(0, n);
    // Pure-ASCII chunks (most logs) decode as latin1: same text, ~30% cheaper than the utf8 decoder.
    const enc = isAscii(v.subarray(p)) ? 'latin1' : 'utf8';
    for (;;) {
      if (lines.length >= this.maxBatchLines) {
        full = true; // bounded transactions; the rest is read on the next call
        break;
      }
      const nl = v.indexOf(10, p);
      if (nl < 0) break;
      this.line++;
      if (nl - p > this.maxLine) this.counters.skippedLong++;
      else {
        const end = nl > p && v[nl - 1] === 13 ? nl - 1 : nl;
        const meta: LineMeta = { lineNo: this.line, offset: start + p, readTime: now };
        lines.push({ text: v.toString(enc, p, end), meta });
      }
      p = nl + 1;
    }
    if (!full && n - p > this.maxLine) {
      // An unfinished line already too long: stop buffering it, remember how far it was scanned.
      this.skipping = true;
      this.scanFrom = start + n;
    }
    this.offset = start + p > this.offset ? start + p : this.offset;
    const advanced = this.offset - before;
    if (advanced) this.tail = tailHash(this.fd, this.offset);
    this.counters.lines += lines.length;
    this.counters.bytes += advanced;
    if (!full && !this.skipping && this.offset < size && start + n === size) this.partialUpTo = size;
    // Only a partial line past `offset` means nothing new until more bytes arrive.
    return { lines, advanced, scanned: this.skipping ? n : advanced };
  }

  /** Not inside an over-long line: the bulk catch-up can take over from `offset`. */
  get atLineStart(): boolean {
    return !this.skipping;
  }

  /**
   * Moves past bytes the bulk catch-up read (src/ingest/catchup.ts): `lines` lines up to `offset`
   * (a line start), `skipped` of them over-long.
   */
  advanceTo(offset: number, lines: number, skipped: number): void {
    this.counters.lines += lines - skipped;
    this.counters.skippedLong += skipped;
    this.counters.bytes += offset - this.offset;
    this.line += lines;
    this.offset = offset;
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
