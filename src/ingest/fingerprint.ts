import { createHash } from 'node:crypto';
import { readSync } from 'node:fs';

/** Bytes of a file's head that identify it across renames and copies (fewer while the file is shorter). */
export const HEAD_BYTES = 256;
/** Bytes before a committed offset whose hash proves the offset still points into the same content. */
export const TAIL_BYTES = 64;

function sha(buf: Buffer): string {
  return createHash('sha1').update(buf).digest('hex').slice(0, 24);
}

/** pread that tolerates short reads (returns fewer bytes only at end of file). */
export function readAt(fd: number, pos: number, len: number): Buffer {
  const b = Buffer.allocUnsafe(len);
  let got = 0;
  while (got < len) {
    const n = readSync(fd, b, got, len - got, pos + got);
    if (n === 0) break;
    got += n;
  }
  return b.subarray(0, got);
}

/** `len:hash` of the first min(size, HEAD_BYTES) bytes; null for an empty file. */
export function headHash(fd: number, size: number): string | null {
  const len = Math.min(size, HEAD_BYTES);
  return len === 0 ? null : `${len}:${sha(readAt(fd, 0, len))}`;
}

export function headLen(h: string | null): number {
  return h ? Number.parseInt(h, 10) : 0;
}

/** Does this file start with the bytes `saved` was computed over? (No saved head: nothing to contradict.) */
export function headMatches(fd: number, size: number, saved: string | null): boolean {
  if (!saved) return true;
  const len = headLen(saved);
  if (size < len) return false;
  return saved === `${len}:${sha(readAt(fd, 0, len))}`;
}

/** Hash of the up-to-TAIL_BYTES bytes just before `offset`; null at offset 0. */
export function tailHash(fd: number, offset: number): string | null {
  if (offset <= 0) return null;
  const s = Math.max(0, offset - TAIL_BYTES);
  return sha(readAt(fd, s, offset - s));
}

/** Is `offset` still inside this file with the same bytes before it as when it was saved? */
export function offsetValid(fd: number, size: number, offset: number, saved: string | null): boolean {
  if (offset > size) return false;
  if (offset === 0 || !saved) return true;
  return tailHash(fd, offset) === saved;
}
