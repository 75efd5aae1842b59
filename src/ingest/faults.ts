import { closeSync, constants, accessSync, opendirSync, openSync, readSync } from 'node:fs';
import { dirname } from 'node:path';
import { userInfo } from 'node:os';
import picomatch from 'picomatch';

/**
 * Sources that cannot be opened or read: an unreadable file or folder (EACCES), a configured folder
 * that does not exist (ENOENT) or is not a folder (ENOTDIR), a read that fails (EIO). A daemon that
 * cannot see its logs must say so — once, with the path and the fix — rather than run blind.
 */
export interface SourceFault {
  path: string;
  kind: 'file' | 'folder';
  /** errno code: EACCES, ENOENT, ENOTDIR, EIO, … */
  code: string;
  message: string;
  fix: string;
  since: number;
}

/** File-system errors that mean "this source cannot be read" (not "it went away", which rotation does). */
const FAULT_CODES = new Set(['EACCES', 'EPERM', 'EIO', 'ENXIO', 'ESTALE', 'ELOOP', 'ENOTDIR', 'EISDIR', 'EMFILE', 'ENFILE']);

export function isSourceFault(err: unknown): err is NodeJS.ErrnoException {
  const code = (err as NodeJS.ErrnoException | null)?.code;
  return typeof code === 'string' && FAULT_CODES.has(code);
}

function serviceUser(): string {
  try {
    return userInfo().username;
  } catch {
    return `uid ${process.getuid?.() ?? '?'}`;
  }
}

/** What went wrong at `path`, and what the operator does about it. */
export function describeFault(path: string, kind: SourceFault['kind'], code: string): { message: string; fix: string } {
  const user = serviceUser();
  switch (code) {
    case 'EACCES':
    case 'EPERM':
      return {
        message: `${kind} ${path} is not readable by ${user} (${code})`,
        fix:
          kind === 'folder'
            ? `let ${user} list it: chmod o+rx (or chgrp adm && chmod g+rx) ${path}, or setfacl -m u:${user}:rx ${path}`
            : `let ${user} read it: chgrp adm ${path} && chmod g+r ${path} (and logrotate \`create 0640 app adm\`), or setfacl -m u:${user}:r ${path}`,
      };
    case 'ENOENT':
      return { message: `folder ${path} does not exist (ENOENT)`, fix: `create ${path}, or correct sources[].path in the config` };
    case 'ENOTDIR':
      return { message: `${path} is not a folder (ENOTDIR)`, fix: `a part of ${path} is a file: correct sources[].path in the config` };
    case 'EIO':
      return { message: `I/O error reading ${kind} ${path} (EIO)`, fix: 'the disk or network mount under it is failing: check `dmesg` and the mount' };
    case 'EMFILE':
    case 'ENFILE':
      return { message: `cannot open ${path}: too many open files (${code})`, fix: 'raise LimitNOFILE= in the unit or watch fewer files' };
    default:
      return { message: `cannot read ${kind} ${path} (${code})`, fix: `check ${path} and its folders as ${user}` };
  }
}

/** The folder each glob reads from: the static part before the first wildcard (a plain path's folder). */
export function sourceFolders(globs: string[]): string[] {
  const dirs = globs.map((g) => {
    const s = picomatch.scan(g);
    return s.isGlob ? s.base || '.' : dirname(g);
  });
  return [...new Set(dirs)];
}

/** Can this process list `dir` and reach the files in it? Returns the errno code, or null when it can. */
export function probeFolder(dir: string): string | null {
  try {
    // opendir + one entry proves read permission without listing a large folder.
    const d = opendirSync(dir);
    try {
      d.readSync();
    } finally {
      d.closeSync();
    }
    accessSync(dir, constants.X_OK);
    return null;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code ?? 'EIO';
  }
}

/** Can this process open and read `file`? Returns the errno code, or null (also for a file that is gone). */
export function probeFile(file: string): string | null {
  let fd: number;
  try {
    fd = openSync(file, 'r');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? 'EIO';
    return code === 'ENOENT' ? null : code;
  }
  try {
    readSync(fd, Buffer.alloc(1), 0, 1, 0);
    return null;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code ?? 'EIO';
  } finally {
    closeSync(fd);
  }
}

export interface FaultHooks {
  /** A new fault (or the same path failing with another code): log it loudly, count it. */
  onFault?(f: SourceFault): void;
  onRecover?(f: SourceFault): void;
}

/** The faults now present, keyed by path. Outlives tailers (a reload or resync must not re-announce them). */
export class SourceFaults {
  private readonly current = new Map<string, SourceFault>();

  constructor(private readonly hooks: FaultHooks = {}, private readonly now: () => number = Date.now) {}

  report(path: string, kind: SourceFault['kind'], code: string): void {
    const had = this.current.get(path);
    if (had && had.code === code) return;
    const f: SourceFault = { path, kind, code, ...describeFault(path, kind, code), since: this.now() };
    this.current.set(path, f);
    this.hooks.onFault?.(f);
  }

  clear(path: string): void {
    const f = this.current.get(path);
    if (!f) return;
    this.current.delete(path);
    this.hooks.onRecover?.(f);
  }

  /** Drops faults of paths no longer configured (after a reload changed the sources). */
  retain(keep: (path: string) => boolean): void {
    for (const p of [...this.current.keys()]) if (!keep(p)) this.current.delete(p);
  }

  has(path: string): boolean {
    return this.current.has(path);
  }

  list(): SourceFault[] {
    return [...this.current.values()].sort((a, b) => a.path.localeCompare(b.path));
  }
}
