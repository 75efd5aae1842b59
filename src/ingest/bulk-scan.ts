import { isAscii } from 'node:buffer';
import { readSync } from 'node:fs';
import { isMainThread } from 'node:worker_threads';
import { createNewlineCounter, type NewlineCounter } from './newlines.js';
import type { Prescan } from './prescan.js';
import { lineText } from './framing.js';

/**
 * The scanning half of the bulk path: counts the lines of one byte range of a file and picks out
 * the candidate lines (those the prefilter says can start an event), decoded as UTF-8, each with
 * the line before it (the parser keeps it as context). Pure and thread-agnostic: it runs in the
 * scan workers (src/ingest/bulk-worker.ts) or in-thread.
 *
 * A line belongs to the block holding its first byte. Line numbers are relative to the block's
 * first line (0-based), so blocks can be scanned in any order and numbered afterwards.
 */
export interface BlockResult {
  /** Block index (blocks are numbered from the start of the file). */
  seq: number;
  /** Scanned by a worker (false: by the main thread). */
  worker: boolean;
  /** Lines starting in the block (over-long ones included). */
  lines: number;
  /** File offset of the first line starting at or after the block's end (the scan's end if none). */
  next: number;
  /** Over-long lines starting in the block (skipped, never parsed). */
  skippedLong: number;
  /** Per candidate, 0-based line number within the block. */
  rel: number[];
  /** Per candidate, byte offset of its first byte in the file. */
  off: number[];
  /** Per candidate, byte offset just past its newline (or EOF). */
  end: number[];
  /** Per candidate, its text (UTF-8, CR stripped). */
  text: string[];
  /**
   * Per candidate, the line before it that a line-by-line read would have pushed (over-long lines
   * are never pushed): its relative number (may be < 0: in an earlier block), or NaN when none.
   */
  prevRel: number[];
  /** Per candidate, the byte offset of that line (-1 when none). */
  prevOff: number[];
  /** Its text; '' when it is the candidate before (pushed as a candidate, never as context). */
  prevText: string[];
  /** Analyses of the block's records made by the worker (src/ingest/bulk-analyse.ts), by offset. */
  pre?: import('../parse/index.js').Precomputed[];
  preOff?: number[];
  /** analysisKey() of what they were made with. */
  preKey?: string;
}

export interface ScanContext {
  fd: number;
  size: number;
  /** Which lines are candidates (src/ingest/prescan.ts). */
  prescan: Prescan;
  maxLineBytes: number;
  /** Reused read buffer, at least blockBytes + WINDOW + TAIL bytes (the counter's memory when there is one). */
  buf: Buffer;
  /** Counts newlines in `buf` (WebAssembly SIMD); null: count line by line. */
  counter: NewlineCounter | null;
  /** Bytes per latin1 string scanned at once (tests make it small). Default 64 KiB. */
  segmentBytes?: number;
}

/** A scan context reading into a newline counter's memory (or a plain buffer without WebAssembly). */
export function scanContext(fd: number, size: number, prescan: Prescan, maxLineBytes: number, blockBytes: number): ScanContext {
  const bytes = scanBufferBytes(blockBytes);
  const counter = process.env.APIWATCH_BULK_NO_WASM ? null : createNewlineCounter(bytes);
  return { fd, size, prescan, maxLineBytes, buf: counter ? counter.bytes : Buffer.allocUnsafe(bytes), counter };
}

/** Slots of the Int32Array shared by the main thread and the scan workers. */
/** Next block to claim (Atomics.add). */
export const SHARED_NEXT = 0;
/** Blocks the main thread has consumed (parsed). */
export const SHARED_CONSUMED = 1;
/** Results posted, all workers together (the main thread waits on it). */
export const SHARED_POSTED = 2;

/** Bytes read before a block, for the line before its first candidate. */
export const WINDOW = 64 << 10;
/** Bytes read after a block, to finish its last line. */
export const TAIL = 64 << 10;
/**
 * Bytes per latin1 string scanned at once: small enough for V8's young generation (bigger strings
 * go to the old one and pile up until a full GC).
 */
const SEGMENT = 64 << 10;

export function scanBufferBytes(blockBytes: number): number {
  return blockBytes + WINDOW + TAIL;
}

function readAt(fd: number, buf: Buffer, len: number, pos: number): number {
  let got = 0;
  while (got < len) {
    const n = readSync(fd, buf, got, len - got, pos + got);
    if (n === 0) break;
    got += n;
  }
  return got;
}

/** UTF-8 text of a line's bytes [s, e) without its newline, as the framer decodes it. */
const decode = (buf: Buffer, s: number, e: number): string => lineText(buf, s, e);

/** Reads the whole line starting at `pos` (slow path for lines running past the read window). */
function readLongLine(ctx: ScanContext, pos: number): { bytes: Buffer | null; end: number } {
  const { fd, size, maxLineBytes } = ctx;
  const cap = Math.min(maxLineBytes + 2, size - pos);
  const b = Buffer.allocUnsafe(cap);
  const got = readAt(fd, b, cap, pos);
  const nl = b.subarray(0, got).indexOf(10);
  if (nl !== -1) return { bytes: lineLen(b, 0, nl) > maxLineBytes ? null : b.subarray(0, nl), end: pos + nl + 1 };
  if (pos + got >= size) return { bytes: got > maxLineBytes ? null : b.subarray(0, got), end: size };
  // Over-long: find its end.
  let p = pos + got;
  const step = Buffer.allocUnsafe(64 << 10);
  for (;;) {
    const n = readAt(fd, step, step.length, p);
    if (n === 0) return { bytes: null, end: size };
    const i = step.subarray(0, n).indexOf(10);
    if (i !== -1) return { bytes: null, end: p + i + 1 };
    p += n;
  }
}

/** Length of a line's bytes [s, e) as the line reader measures it (newline excluded, CR included). */
function lineLen(_b: Buffer, s: number, e: number): number {
  return e - s;
}

/**
 * The pushable line ending just before byte `lineStart` (over-long lines skipped), read backwards
 * from the file; rare (the window normally holds it). `back` counts the lines stepped back.
 */
function prevLineFromFile(ctx: ScanContext, lineStart: number): { text: string; back: number; start: number } | null {
  let back = 0;
  let end = lineStart; // just past the previous line's newline
  const chunk = Buffer.allocUnsafe(64 << 10);
  while (end > 0) {
    back++;
    let start = 0;
    let p = end - 1; // the previous line's newline
    while (p > 0) {
      const from = Math.max(0, p - chunk.length);
      const n = readAt(ctx.fd, chunk, p - from, from);
      const i = chunk.subarray(0, n).lastIndexOf(10);
      if (i !== -1) {
        start = from + i + 1;
        break;
      }
      p = from;
    }
    if (end - 1 - start <= ctx.maxLineBytes) {
      const b = Buffer.allocUnsafe(end - 1 - start);
      readAt(ctx.fd, b, b.length, start);
      return { text: decode(b, 0, b.length), back, start };
    }
    end = start;
  }
  return null;
}

/**
 * Index in `text` of the start of the first candidate line at or after `from` (a line start), or
 * -1. A line holding a trigger word is a candidate when the prescan accepts it; the search goes on
 * after a rejected line.
 */
function nextCandidate(p: Prescan, text: string, from: number, ascii: boolean): number {
  const re = p.trigger;
  for (;;) {
    re.lastIndex = from;
    if (!re.test(text)) return -1;
    const mEnd = re.lastIndex; // trigger words hold no newline: the line starts before the match
    const ls = text.lastIndexOf('\n', mEnd - 1) + 1;
    let le = text.indexOf('\n', mEnd);
    if (le === -1) le = text.length;
    if (p.accept(text, ls, le, ascii)) return ls;
    from = le + 1;
    if (from >= text.length) return -1;
  }
}

/** File offset of the first line start at or after `at` (< size), from the buffer or else the file. */
function lineStartFrom(ctx: ScanContext, buf: Buffer, got: number, base: number, at: number): number {
  const nl = buf.subarray(0, got).indexOf(10, at - 1 - base);
  if (nl !== -1) return base + nl + 1;
  const step = Buffer.allocUnsafe(64 << 10);
  for (let p = base + got; p < ctx.size; ) {
    const n = readAt(ctx.fd, step, Math.min(step.length, ctx.size - p), p);
    if (n === 0) break;
    const i = step.subarray(0, n).indexOf(10);
    if (i !== -1) return p + i + 1;
    p += n;
  }
  return ctx.size;
}

/** Scans the lines starting in [bs, be) of the file. */
export function scanBlock(ctx: ScanContext, seq: number, bs: number, be: number): BlockResult {
  const { buf, prescan, maxLineBytes, size } = ctx;
  const base = Math.max(0, bs - WINDOW); // file offset of buf[0]
  const want = Math.min(size, be + TAIL) - base;
  const got = readAt(ctx.fd, buf, want, base);
  const next = be >= size ? size : lineStartFrom(ctx, buf, got, base, be);
  const res: BlockResult = { seq, worker: !isMainThread, lines: 0, next, skippedLong: 0, rel: [], off: [], end: [], text: [], prevRel: [], prevOff: [], prevText: [] };
  // First line start at or after bs.
  let first: number; // buffer index
  if (bs === 0) first = 0;
  else {
    const nl = buf.subarray(0, got).indexOf(10, bs - 1 - base);
    if (nl === -1) return res; // the block lies inside one line
    first = nl + 1;
  }
  const stop = Math.min(be, size) - base; // line starts must be < stop
  if (first >= stop) return res;
  const atEof = base + got >= size;
  let lineNo = 0; // relative number of the line starting at `pos`
  let pos = first;
  // The last pushable (not over-long) line before `pos`: buffer bounds and relative number.
  let prevStart = -1;
  let prevEnd = -1;
  let prevRel = NaN;
  if (first > 0) {
    // The line(s) before the block's first line, as far as the window holds them.
    let nlAt = first - 1;
    for (let r = -1; ; r--) {
      const ps = nlAt === 0 ? 0 : buf.lastIndexOf(10, nlAt - 1) + 1;
      if (ps === 0 && base > 0) break; // may start before the window: the slow path decides
      if (nlAt - ps <= maxLineBytes) {
        prevStart = ps;
        prevEnd = nlAt;
        prevRel = r;
        break;
      }
      if (ps === 0) break;
      nlAt = ps - 1;
    }
  }
  const cand = (s: number, endOff: number, t: string): void => {
    let pr = prevRel;
    let pt = '';
    let po = -1;
    const last = res.rel.length - 1;
    if (last >= 0 && res.rel[last] === pr) {
      // The line before is the previous candidate: pushed already, never pushed as context, so
      // neither decoded nor sent twice (a third of a block's text in candidate-dense logs).
      po = res.off[last];
    } else if (prevStart >= 0) {
      pt = decode(buf, prevStart, prevEnd);
      po = base + prevStart;
    } else if (base + s > 0) {
      const p = prevLineFromFile(ctx, base + s);
      if (p) {
        pr = lineNo - p.back;
        pt = p.text;
        po = p.start;
      } else pr = NaN;
    }
    res.rel.push(lineNo);
    res.off.push(base + s);
    res.end.push(endOff);
    res.text.push(t);
    res.prevRel.push(pr);
    res.prevOff.push(po);
    res.prevText.push(pt);
  };
  // Segments of whole lines, ~SEGMENT bytes each: their latin1 strings stay small enough for V8's
  // young generation (large strings go to the old one and pile up until a full GC).
  const counter = ctx.counter;
  const segment = ctx.segmentBytes ?? SEGMENT;
  outer: while (pos < stop) {
    const o = pos; // buffer index of text[0]
    let segEnd = pos + segment >= got ? got : buf.lastIndexOf(10, pos + segment - 1) + 1;
    if (segEnd <= pos) {
      const nl = buf.indexOf(10, pos + segment);
      segEnd = nl === -1 || nl >= got ? got : nl + 1;
    }
    const text = buf.toString('latin1', o, segEnd);
    const ascii = isAscii(buf.subarray(o, segEnd));
    const segStop = Math.min(stop, segEnd);
    if (counter !== null && segEnd - o <= maxLineBytes + 1 && buf[segEnd - 1] === 10) {
      // Fast path: every line of the segment ends in it and none can be over-long, so only the
      // candidates are looked at one by one; the lines between are counted with SIMD.
      while (pos < segStop) {
        const ci = nextCandidate(prescan, text, pos - o, ascii);
        const candStart = ci >= 0 ? ci + o : segEnd;
        if (candStart >= segStop) {
          // No candidate starts before segStop: count the lines starting in [pos, segStop).
          lineNo += counter.count(pos, segStop - 1) + 1;
          if (segStop === segEnd) {
            prevEnd = segEnd - 1;
            prevStart = prevEnd - 1 - o >= 0 ? text.lastIndexOf('\n', prevEnd - 1 - o) + 1 + o : o;
            prevRel = lineNo - 1;
          }
          pos = segStop;
          break;
        }
        if (candStart > pos) {
          lineNo += counter.count(pos, candStart);
          prevEnd = candStart - 1;
          prevStart = prevEnd - 1 - o >= 0 ? text.lastIndexOf('\n', prevEnd - 1 - o) + 1 + o : o;
          prevRel = lineNo - 1;
        }
        const nl = text.indexOf('\n', candStart - o) + o;
        cand(candStart, base + nl + 1, decode(buf, candStart, nl));
        prevStart = candStart;
        prevEnd = nl;
        prevRel = lineNo;
        lineNo++;
        pos = nl + 1;
      }
      continue;
    }
    while (pos < segStop) {
      const ci = nextCandidate(prescan, text, pos - o, ascii);
      const candStart = ci >= 0 ? ci + o : segEnd;
      // Every line from pos up to the candidate's line: counted, length-checked, never decoded.
      // The candidate's line itself goes through the same steps, plus the decode.
      while (pos < segStop) {
        const nl = text.indexOf('\n', pos - o);
        if (nl === -1 && !atEof && segEnd === got) {
          // Runs past the window: the block's last line, read whole.
          const l = readLongLine(ctx, base + pos);
          if (l.bytes === null) res.skippedLong++;
          else {
            const whole = l.bytes.toString('latin1');
            if (nextCandidate(prescan, whole, 0, isAscii(l.bytes)) === 0) cand(pos, l.end, decode(l.bytes, 0, l.bytes.length));
          }
          lineNo++;
          break outer;
        }
        const e = nl === -1 ? segEnd : nl + o;
        const wasCand = pos === candStart;
        if (e - pos > maxLineBytes) res.skippedLong++;
        else {
          if (wasCand) cand(pos, base + (nl === -1 ? segEnd : e + 1), decode(buf, pos, e));
          prevStart = pos;
          prevEnd = e;
          prevRel = lineNo;
        }
        lineNo++;
        pos = e + 1;
        if (wasCand) break;
      }
      if (ci < 0) break;
    }
  }
  res.lines = lineNo;
  return res;
}

