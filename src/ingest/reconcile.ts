import { closeSync, fstatSync, openSync, readdirSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import type { Checkpoint } from './types.js';
import { HEAD_BYTES, headLen, headMatches, offsetValid } from './fingerprint.js';

export interface Located {
  /** The file holding the checkpointed content, opened. */
  path: string;
  fd: number;
  /** True when it is still the file at the source path (resume there); false for a rotated copy/rename. */
  current: boolean;
}

const COMPRESSED = /\.(gz|bz2|xz|zst|lz4|zip)$/;

/** Names logrotate & co. give a rotated `app.log` in the same folder: app.log.1, app.log-20261127, … */
export function rotatedSiblings(path: string): string[] {
  const dir = dirname(path);
  const base = basename(path);
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  return names
    .filter((n) => n !== base && n.startsWith(base) && /^[.\-_]/.test(n.slice(base.length)) && !COMPRESSED.test(n))
    .map((n) => join(dir, n))
    .sort();
}

/** Opens `path` and keeps it if it holds the checkpointed content (identity, head and bytes before the offset). */
function tryFile(path: string, cp: Checkpoint, sameIdentityOnly: boolean): number | null {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch {
    return null;
  }
  try {
    const st = fstatSync(fd);
    if (!st.isFile()) throw new Error('not a file');
    const sameId = st.dev === cp.dev && st.ino === cp.ino;
    if (sameIdentityOnly && !sameId) throw new Error('other file');
    // Without an identity match, require a head fingerprint to claim a copy (copytruncate).
    if (!sameId && !cp.headHash) throw new Error('no head');
    if (!headMatches(fd, st.size, cp.headHash) || !offsetValid(fd, st.size, cp.offset, cp.tailHash)) throw new Error('content');
    return fd;
  } catch {
    closeSync(fd);
    return null;
  }
}

/**
 * Where the content a checkpoint points into lives now (Fluent Bit-style offset validation):
 * the source path itself if it still holds it; else a rotated name in the same folder with the same
 * dev+ino (rename) or the same head fingerprint (copytruncate), with the same bytes before the offset;
 * then the path itself by fingerprint alone; else null — the content is gone and the path starts from 0.
 */
export function locate(cp: Checkpoint, opts: { skipCurrent?: boolean; exceptIno?: number } = {}): Located | null {
  if (!opts.skipCurrent) {
    const fd = tryFile(cp.path, cp, true);
    if (fd !== null) return { path: cp.path, fd, current: true };
  }
  const sibs = rotatedSiblings(cp.path);
  // Renames first (exact identity), then copies by fingerprint.
  for (const pass of [true, false]) {
    for (const p of sibs) {
      const fd = tryFile(p, cp, pass);
      if (fd === null) continue;
      if (opts.exceptIno !== undefined && fstatSync(fd).ino === opts.exceptIno) {
        closeSync(fd);
        continue;
      }
      return { path: p, fd, current: false };
    }
  }
  // Last: the path holds the same bytes under a new inode (rewritten by an editor, restored from a
  // copy): resuming beats reading it all again. Only with a full-length head, so two tiny files that
  // start alike are not taken for one another.
  if (!opts.skipCurrent && headLen(cp.headHash) >= HEAD_BYTES && cp.offset >= HEAD_BYTES) {
    const fd = tryFile(cp.path, cp, false);
    if (fd !== null) return { path: cp.path, fd, current: true };
  }
  return null;
}
