/**
 * The line framer: how every reader of ingest (the tailer's FileReader, the one-shot readLines of
 * `classify`, the bulk scan of replay and catch-up) cuts bytes into lines. One place for: LF ends
 * a line and one CR before it is dropped (CRLF logs); a line longer than the limit is skipped and
 * counted, never buffered whole; lines are numbered from 1; a line's offset is the file offset of
 * its first byte. Pure-ASCII chunks decode as latin1 (same text, ~30% cheaper than the UTF-8
 * decoder).
 */
import { isAscii } from 'node:buffer';

/** Lines longer than this many bytes (newline excluded) are skipped and counted. */
export const DEFAULT_MAX_LINE = 1 << 20;

const LF = 10;
const CR = 13;

/** End of a line's text: `e` (its newline's index) less one trailing CR. */
export function textEnd(buf: Uint8Array, s: number, e: number): number {
  return e > s && buf[e - 1] === CR ? e - 1 : e;
}

/** A line's text from its bytes [s, e) (newline excluded), one trailing CR dropped. */
export function lineText(buf: Buffer, s: number, e: number, enc: 'utf8' | 'latin1' = 'utf8'): string {
  return buf.toString(enc, s, textEnd(buf, s, e));
}

/** The decoder for a chunk: latin1 when it is pure ASCII (same text), else UTF-8. */
export function chunkEncoding(buf: Buffer, s: number, e: number): 'utf8' | 'latin1' {
  return isAscii(buf.subarray(s, e)) ? 'latin1' : 'utf8';
}

export { LF };
