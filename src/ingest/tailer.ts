import { fstatSync, openSync, statSync, type Stats } from 'node:fs';
import { glob } from 'tinyglobby';
import picomatch from 'picomatch';
import type { SourceConfig } from '../config/schema.js';
import type { DB } from '../store/db.js';
import type { BatchSink, Checkpoint, Line, LineBatch } from './types.js';
import type { CheckpointStore } from './checkpoints.js';
import { FileReader, type ReaderCounters } from './file-reader.js';
import { locate, rotatedSiblings } from './reconcile.js';
import { readAt } from './fingerprint.js';
import { Watcher } from './watcher.js';
import { isSourceFault, probeFile, probeFolder, sourceFolders, SourceFaults } from './faults.js';
import { catchUp, type CatchUpOptions } from './catchup.js';
import { DEFAULT_MAX_LINE } from './framing.js';

export interface TailerOptions {
  sources: SourceConfig[];
  sink: BatchSink;
  checkpoints: CheckpointStore;
  /** For remembering which globs were started (start_at applies only the first time). */
  db?: DB;
  /** Stat every file at least this often (catches what the watcher misses). Default 1000 ms. */
  reconcileMs?: number;
  /** A rotated or deleted file is let go after sitting at EOF this long with nothing new. Default 2000 ms. */
  rotateGraceMs?: number;
  /** Lines longer than this (bytes) are skipped and counted. Default 1 MiB. */
  maxLineBytes?: number;
  /** Lines per batch (one transaction) at most. Default 5000. */
  maxBatchLines?: number;
  /** Read backlogs through the bulk scan (src/ingest/catchup.ts); unset: line by line only. */
  catchUp?: CatchUpOptions;
  /** Use the file-system watcher (tests of the reconcile pass turn it off). Default true. */
  watch?: boolean;
  onError?: (err: Error, source: string) => void;
  /** Where unreadable sources are recorded; pass one that outlives the tailer (reload, resync). */
  faults?: SourceFaults;
  now?: () => number;
}

export interface FileStats extends ReaderCounters {
  path: string;
  /** The file being read now (differs from path while a rotated file is finished). */
  reading: string | null;
  lagBytes: number;
  rotations: number;
  truncations: number;
  lastReadAt: number | null;
}

export interface TailerStats {
  files: FileStats[];
  lastProgressAt: number;
  /** Over-long lines skipped, over all files. */
  skippedLong: number;
}

interface Source {
  key: string;
  timezone?: string;
  reader: FileReader | null;
  /** Files that appeared at the path after the reader's file was rotated away, oldest first (held open). */
  queue: FileReader[];
  /** The reader's file is still the one at `key` (false: rotated away / deleted / a copy, being finished). */
  current: boolean;
  counters: ReaderCounters;
  rotations: number;
  truncations: number;
  lastReadAt: number | null;
  /** When the tailer started following it (a file never read is quiet from then on). */
  addedAt: number;
  lag: number;
  /** After a failed write: reload the committed checkpoint before reading anything. */
  needsResume?: boolean;
}

/** Re-poll an active file this often... */
const HOT_MS = 20;
/**
 * ...for this long after its last data or watcher event. chokidar drops `change` events that
 * follow an emitted one within 50 ms, with no trailing event, so the last write of a burst can
 * arrive silently; without this it would wait for the 1 s reconcile pass.
 */
const HOT_WINDOW_MS = 120;
/** A file with nothing read for this long is quiet: the reconcile pass stats it less often... */
const QUIET_AFTER_MS = 10_000;
/**
 * ...once every this many passes (every 10 s at the default 1 s interval). The watcher wakes a file
 * that changes at once; this only bounds how late a missed event is noticed. At 3 passes, stating a
 * third of 1,000 quiet files each second was half the idle daemon's CPU (npm run bench, idle).
 */
const IDLE_RECONCILE_PASSES = 10;

/**
 * Follows every file matching the source globs and hands complete lines to the sink with a checkpoint,
 * one batch at a time (the sink commits events + checkpoint together; we wait before reading on).
 */
export class Tailer {
  lastProgressAt = 0;
  private readonly sources = new Map<string, Source>();
  private readonly dirty = new Set<string>();
  private readonly now: () => number;
  private readonly match: { m: picomatch.Matcher; src: SourceConfig; globs: string[] }[];
  private watcher?: Watcher;
  private loop?: Promise<void>;
  private stopped = false;
  private wakeUp?: () => void;
  private nextReconcile = 0;
  private discoverPending = false;
  private passWaiters: (() => void)[] = [];
  private readonly baseDirs: string[];
  private readonly dirMtimes = new Map<string, number>();
  private lastFullGlob = 0;
  private lastYield = 0;
  private readonly hot = new Map<string, number>();
  readonly faults: SourceFaults;
  /** The folders the globs read from: probed every pass, so a missing or unreadable one is a fault. */
  private readonly folders: string[];
  /** Reconcile passes so far, and whether the next one must stat every file. */
  private passes = 0;
  private forceFull = false;

  constructor(private readonly opts: TailerOptions) {
    this.now = opts.now ?? Date.now;
    this.match = opts.sources.map((src) => ({ m: picomatch(src.path, { dot: true }), src, globs: src.path }));
    this.faults = opts.faults ?? new SourceFaults();
    this.folders = sourceFolders(opts.sources.flatMap((src) => src.path));
    // Deep globs (**, wildcard folders) change below their base: those always get the full walk.
    const deep = opts.sources.some((src) => src.path.some((g) => g.includes('**') || picomatch.scan(g).glob.includes('/')));
    this.baseDirs = deep ? [] : [...new Set(opts.sources.flatMap((src) => src.path.map((g) => picomatch.scan(g).base || '.')))];
    if (deep) this.lastFullGlob = -Infinity;
  }

  private get maxLine(): number {
    return this.opts.maxLineBytes ?? DEFAULT_MAX_LINE;
  }

  async start(): Promise<void> {
    this.faults.retain((p) => this.folders.includes(p) || this.match.some((x) => x.m(p)));
    this.probeFolders();
    const started = this.startedGlobs();
    const saved = new Map(this.opts.checkpoints.all().map((c) => [c.path, c]));
    const initial: Checkpoint[] = [];
    const newGlobs: string[] = [];
    for (const { src, globs, m } of this.match) {
      const fresh = globs.some((g) => !started.has(g));
      if (fresh) newGlobs.push(...globs.filter((g) => !started.has(g)));
      const paths = new Set(await this.globFiles(globs));
      // Checkpointed files whose path is gone (rotated away while we were stopped): finish them.
      for (const p of saved.keys()) if (m(p)) paths.add(p);
      for (const path of [...paths].sort()) {
        if (this.sources.has(path)) continue;
        const s = this.addSource(path, src.timezone);
        const cp = saved.get(path);
        if (cp) this.resume(s, cp);
        else if (fresh && src.start_at === 'end') {
          this.openAtEnd(s);
          if (s.reader) initial.push(s.reader.checkpoint());
        }
        // else: new file, opened from 0 on its first service.
      }
    }
    if (this.opts.db && (initial.length || newGlobs.length)) {
      const ins = this.opts.db.prepare('INSERT OR IGNORE INTO ingest_sources (glob, started_at) VALUES (?, ?)');
      this.opts.db.transaction(() => {
        for (const cp of initial) this.opts.checkpoints.save(cp);
        for (const g of newGlobs) ins.run(g, this.now());
      })();
    }
    for (const k of this.sources.keys()) this.dirty.add(k);
    if (this.opts.watch !== false) {
      this.watcher = new Watcher(
        this.match.flatMap((x) => x.globs),
        (p, ev) => {
          if (!this.sources.has(p) && ev === 'add') this.discoverPending = true;
          this.dirty.add(p);
          this.hot.set(p, this.now() + HOT_WINDOW_MS);
          this.wake();
        },
      );
      await this.watcher.start();
    }
    this.lastProgressAt = this.now();
    this.nextReconcile = this.now() + this.reconcileMs;
    this.loop = this.run();
  }

  private get graceMs(): number {
    return this.opts.rotateGraceMs ?? 2000;
  }

  private get reconcileMs(): number {
    return this.opts.reconcileMs ?? 1000;
  }

  private startedGlobs(): Set<string> {
    if (!this.opts.db) return new Set();
    try {
      return new Set((this.opts.db.prepare('SELECT glob FROM ingest_sources').all() as { glob: string }[]).map((r) => r.glob));
    } catch {
      return new Set();
    }
  }

  private async globFiles(globs: string[]): Promise<string[]> {
    return glob(globs, { absolute: true, onlyFiles: true, dot: true });
  }

  private addSource(key: string, timezone?: string): Source {
    const s: Source = {
      key, timezone, reader: null, queue: [], current: true, rotations: 0, truncations: 0, lastReadAt: null, addedAt: this.now(), lag: 0,
      counters: { lines: 0, bytes: 0, skippedLong: 0 },
    };
    this.sources.set(key, s);
    return s;
  }

  /** Validates a saved checkpoint before trusting it; else finds the content under a rotated name. */
  private resume(s: Source, cp: Checkpoint): void {
    // Unreadable is not "gone": keep the checkpoint and retry, or a permission fix would re-read from 0.
    const code = probeFile(cp.path);
    if (code) {
      this.faults.report(cp.path, 'file', code);
      s.needsResume = true;
      return;
    }
    const loc = locate(cp);
    if (loc) {
      s.reader = new FileReader(s.key, loc.path, { offset: cp.offset, line: cp.line, head: cp.headHash, tail: cp.tailHash }, this.maxLine, s.counters, loc.fd, this.opts.maxBatchLines);
      s.current = loc.current;
      if (!loc.current) {
        s.rotations++;
        this.queueSuccessors(s, s.reader);
      }
    } else {
      s.truncations++; // content gone: the path (if any) starts from 0
    }
  }

  /**
   * Rotated more than once while we were stopped: rotated files written after the one we were
   * reading (later mtime) came after it, and were never opened. Queue them, oldest first, ahead of
   * the file now at the path.
   */
  private queueSuccessors(s: Source, r: FileReader): void {
    const mtime = fstatSync(r.fd).mtimeMs;
    const atPath = statSync(s.key, { throwIfNoEntry: false });
    const later = rotatedSiblings(s.key)
      .map((p) => ({ p, st: statSync(p, { throwIfNoEntry: false }) }))
      .filter(({ st }) => st && st.isFile() && st.mtimeMs > mtime && !(st.ino === r.ino && st.dev === r.dev) && !(atPath && st.ino === atPath.ino && st.dev === atPath.dev))
      .sort((a, b) => a.st!.mtimeMs - b.st!.mtimeMs);
    for (const { p } of later) {
      try {
        s.queue.push(new FileReader(s.key, p, { offset: 0, line: 0, head: null, tail: null }, this.maxLine, s.counters, undefined, this.opts.maxBatchLines));
        s.rotations++;
      } catch {
        /* gone meanwhile */
      }
    }
  }

  private openAtEnd(s: Source): void {
    let fd: number;
    try {
      fd = openSync(s.key, 'r');
    } catch {
      return;
    }
    const size = fstatSync(fd).size;
    // Start after the last complete line, so an unfinished one is read whole once it is finished.
    const tail = readAt(fd, Math.max(0, size - 65536), Math.min(size, 65536));
    const nl = tail.lastIndexOf(10);
    const offset = nl >= 0 ? size - tail.length + nl + 1 : 0;
    const silentSkip = nl < 0 && size > 0;
    s.reader = new FileReader(s.key, s.key, { offset: silentSkip ? size : offset, line: 0, silentSkip }, this.maxLine, s.counters, fd, this.opts.maxBatchLines);
  }

  private wake(): void {
    const w = this.wakeUp;
    this.wakeUp = undefined;
    w?.();
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const t = setTimeout(() => {
        this.wakeUp = undefined;
        resolve();
      }, ms);
      this.wakeUp = () => {
        clearTimeout(t);
        resolve();
      };
    });
  }

  private async run(): Promise<void> {
    const hot = this.hot;
    while (!this.stopped) {
      const now = this.now();
      let todo: Set<string>;
      let full = false;
      if (now >= this.nextReconcile || this.discoverPending) {
        this.discoverPending = false;
        try {
          await this.discover();
        } catch (err) {
          this.opts.onError?.(err as Error, '(glob)'); // unreadable folder: known files are still followed
        }
        if (now >= this.nextReconcile) {
          full = true;
          todo = this.reconcileSet(now);
          this.nextReconcile = now + this.reconcileMs;
        } else todo = new Set(this.dirty);
      } else todo = new Set(this.dirty);
      this.dirty.clear();
      for (const [k, until] of hot) {
        if (until <= now) hot.delete(k);
        else todo.add(k);
      }
      for (const key of todo) {
        if (this.stopped) break;
        const s = this.sources.get(key);
        if (!s) continue;
        try {
          if (await this.service(s)) hot.set(key, this.now() + HOT_WINDOW_MS);
          if (s.reader && !s.needsResume) this.faults.clear(key);
        } catch (err) {
          if (isSourceFault(err)) this.faults.report(key, 'file', err.code!);
          try {
            await this.recover(s, err as Error);
          } catch (again) {
            this.opts.onError?.(again as Error, s.key); // retried on the next pass
            this.dirty.add(key);
          }
        }
      }
      this.lastProgressAt = this.now();
      if (full) for (const w of this.passWaiters.splice(0)) w();
      if (this.stopped) break;
      if (this.dirty.size || this.discoverPending) continue;
      let wait = Math.max(0, this.nextReconcile - this.now());
      if (hot.size) wait = Math.min(wait, HOT_MS);
      for (const s of this.sources.values()) {
        if (s.reader && !s.current) wait = Math.min(wait, Math.max(10, this.graceMs / 4));
      }
      await this.sleep(wait);
    }
  }

  private probeFolders(): void {
    for (const d of this.folders) {
      const code = probeFolder(d);
      if (code) this.faults.report(d, 'folder', code);
      else this.faults.clear(d);
    }
  }

  /**
   * The files a reconcile pass stats: all of them when asked (reconcileNow) or without a watcher;
   * else those read or woken lately, and the long-quiet ones only every IDLE_RECONCILE_PASSES-th
   * pass, a share of them each pass (the watcher wakes a file that changes at once; this pass only
   * catches what it misses). With 1,000 quiet files, a stat of each every second was most of the
   * idle cost.
   */
  private reconcileSet(now: number): Set<string> {
    const all = this.forceFull || this.opts.watch === false;
    this.forceFull = false;
    const pass = this.passes++;
    const todo = new Set<string>();
    let i = 0;
    for (const [k, s] of this.sources) {
      const quiet = s.reader !== null && s.current && !s.queue.length && now - (s.lastReadAt ?? s.addedAt) > QUIET_AFTER_MS && !this.hot.has(k);
      if (all || !quiet || (i + pass) % IDLE_RECONCILE_PASSES === 0) todo.add(k);
      i++;
    }
    return todo;
  }

  /** New files matching the globs: read from their first byte. */
  private async discover(force = false): Promise<void> {
    this.probeFolders();
    // A glob walk per second is most of the idle cost with many files: skip it while the base
    // folders' mtimes (changed by create/rename/delete) are unchanged; walk fully every 10 s anyway.
    const now = this.now();
    let changed = force || this.baseDirs.length === 0 || now - this.lastFullGlob >= 10_000;
    for (const d of this.baseDirs) {
      let m = -1;
      try {
        m = statSync(d, { throwIfNoEntry: false })?.mtimeMs ?? -1;
      } catch {
        /* unreadable: treat as missing */
      }
      if (this.dirMtimes.get(d) !== m) changed = true;
      this.dirMtimes.set(d, m);
    }
    if (!changed) return;
    this.lastFullGlob = now;
    for (const { src, globs } of this.match) {
      for (const p of await this.globFiles(globs)) {
        if (this.sources.has(p)) continue;
        this.addSource(p, src.timezone);
        this.dirty.add(p);
      }
    }
  }

  /** Reads a source to EOF; handles rotation, truncation, deletion. Returns true if it read anything. */
  private async service(s: Source): Promise<boolean> {
    let any = false;
    if (s.needsResume) {
      const cp = this.opts.checkpoints.get(s.key); // throws while the database is unavailable: retried
      s.needsResume = false;
      if (cp) this.resume(s, cp);
      if (s.needsResume) return false;
    }
    if (s.reader && s.current && !s.queue.length) {
      // Idle fast path, one syscall: same file at the path, same size as last validated and all read.
      const st = statSync(s.key, { throwIfNoEntry: false });
      const r = s.reader;
      if (st && st.ino === r.ino && st.dev === r.dev && st.size === r.checkedSize && r.atEof(st.size)) return false;
    }
    for (let guard = 0; guard < 16 && !this.stopped; guard++) {
      if (!s.reader) {
        if (!this.openFresh(s)) return any;
      }
      const r = s.reader!;
      let size = r.size();
      if (size !== r.checkedSize) {
        if (!r.valid(size)) {
          await this.truncated(s, r);
          continue;
        }
        r.refreshHead(size);
        r.checkedSize = size;
      }
      // Read to EOF, one committed batch at a time (backpressure: wait for the sink each time).
      let batches = 0;
      for (;;) {
        if (this.stopped) return any;
        // Far behind: the bulk scan (replay's) reads up to the last complete line, block by block.
        const bulk = this.opts.catchUp;
        if (bulk && (await catchUp(r, size, { ...bulk, timezone: s.timezone }, (b) => this.emit(s, r, [], false, b.checkpoint, b), () => this.notePath(s), () => this.stopped))) {
          any = true;
          r.eofSince = 0;
          s.lag = Math.max(0, size - r.offset);
          continue;
        }
        const res = r.read(size, this.now());
        if (!res.scanned) {
          const again = r.size();
          if (again === size) break;
          size = again;
          r.checkedSize = -1; // re-validate before reading what arrived
          if (!r.valid(size)) break;
          r.checkedSize = size;
          continue;
        }
        any = true;
        r.eofSince = 0;
        if (res.advanced || res.lines.length) await this.emit(s, r, res.lines);
        s.lag = Math.max(0, size - r.offset);
        // A synchronous sink resolves at once; without this a long catch-up would starve timers,
        // signals (SIGTERM) and the watcher until the whole backlog is read.
        if (this.now() - this.lastYield > 20) {
          await new Promise<void>((resolve) => setImmediate(resolve));
          this.lastYield = this.now();
        }
        // While a long backlog drains, keep an eye on the path: files rotated in behind this one are
        // opened (held by descriptor) now, so a second rotation cannot take them out of reach.
        if (++batches % 4 === 0) this.notePath(s);
      }
      if (r.checkedSize !== size) continue; // validation failed mid-read: handle as truncation
      s.lag = Math.max(0, size - r.offset);
      this.notePath(s);
      if (s.current) return any;
      // Rotated away or deleted: read to its end, let go only after it stays at EOF for the grace period.
      const now = this.now();
      if (!r.eofSince) r.eofSince = now;
      // The app may still write to the renamed file until it reopens (postrotate): the file behind it
      // waits rather than cutting those lines off. A rotation costs the new file this much latency, once.
      if (now - r.eofSince < this.graceMs) return any;
      const next = s.queue.shift() ?? this.openNew(s.key);
      await this.emit(s, r, [], true, next ? next.checkpointAt(0, 0) : r.checkpoint());
      r.close();
      s.reader = next;
      s.current = next !== null && s.queue.length === 0 && this.sameFile(s.key, next);
      if (!next) return any;
    }
    return any;
  }

  /**
   * Has the path moved on from the file being read (rename, delete)? Then mark the reader as
   * no longer current and open whatever file is at the path now, queued behind it.
   */
  private notePath(s: Source): void {
    const r = s.reader;
    if (!r) return;
    let st: Stats | undefined;
    try {
      st = statSync(s.key);
    } catch {
      st = undefined;
    }
    if (st && s.queue.length) this.guardQueued(s, st);
    const last = s.queue.length ? s.queue[s.queue.length - 1]! : r;
    if (s.current && (!st || st.ino !== r.ino || st.dev !== r.dev)) {
      s.current = false;
      s.rotations++;
    }
    if (!st || (st.ino === last.ino && st.dev === last.dev)) return;
    if (s.current) return;
    const next = this.openNew(s.key);
    if (!next) return;
    if (next.ino === last.ino && next.dev === last.dev) next.close();
    else {
      if (s.queue.length) s.rotations++;
      s.queue.push(next);
    }
  }

  /**
   * The file at the path waits in the queue (unread) while an older copy or rename is finished. It is
   * fingerprinted as it grows, so that when it is copytruncated again before its turn, its head finds
   * the copy (app.log.1) and that copy is read in its place; the path's new content queues behind it.
   */
  private guardQueued(s: Source, atPath: Stats): void {
    const i = s.queue.length - 1;
    const q = s.queue[i]!;
    if (q.ino !== atPath.ino || q.dev !== atPath.dev || q.offset !== 0) return;
    const size = atPath.size;
    if (q.valid(size)) {
      q.refreshHead(size);
      return;
    }
    s.truncations++;
    const loc = q.head ? locate({ ...q.checkpointAt(0, 0), headHash: q.head, tailHash: null }, { skipCurrent: true, exceptIno: q.ino }) : null;
    if (!loc) {
      // The copy is gone (compressed, deleted): what is at the path now is all there is to read.
      q.head = null;
      q.refreshHead(size);
      return;
    }
    q.close();
    s.queue[i] = new FileReader(s.key, loc.path, { offset: 0, line: 0, head: q.head, tail: null }, this.maxLine, s.counters, loc.fd, this.opts.maxBatchLines);
    s.rotations++;
    const next = this.openNew(s.key);
    if (next) s.queue.push(next);
  }

  /** copytruncate (or truncate): finish the old content from its copy if there is one, then start over. */
  private async truncated(s: Source, r: FileReader): Promise<void> {
    s.truncations++;
    // A reader that has read nothing yet still finds its copy by its head fingerprint.
    const loc = s.current && (r.offset > 0 || r.head !== null) ? locate(r.checkpoint(), { skipCurrent: true, exceptIno: r.ino }) : null;
    if (loc) {
      // Same bytes up to the offset: the pipeline's pending multi-line state carries over.
      const copy = new FileReader(s.key, loc.path, { offset: r.offset, line: r.line, head: r.head, tail: r.tail }, this.maxLine, s.counters, loc.fd, this.opts.maxBatchLines);
      r.close();
      s.reader = copy;
      s.current = false;
      return;
    }
    const next = s.current ? this.openNew(s.key) : (s.queue.shift() ?? null);
    await this.emit(s, r, [], true, next ? next.checkpointAt(0, 0) : r.checkpointAt(0, 0));
    r.close();
    s.reader = next;
    s.current = next !== null && s.queue.length === 0 && this.sameFile(s.key, next);
  }

  private sameFile(path: string, r: FileReader): boolean {
    let st: Stats;
    try {
      st = statSync(path);
    } catch {
      return false;
    }
    return st.ino === r.ino && st.dev === r.dev;
  }

  private openNew(path: string): FileReader | null {
    try {
      const s = this.sources.get(path)!;
      return new FileReader(path, path, { offset: 0, line: 0, head: null, tail: null }, this.maxLine, s.counters, undefined, this.opts.maxBatchLines);
    } catch (err) {
      // Gone (ENOENT) is rotation's business; unreadable is a fault the operator must hear about.
      if (isSourceFault(err)) this.faults.report(path, 'file', err.code!);
      else if ((err as NodeJS.ErrnoException).code === 'ENOENT') this.faults.clear(path);
      return null;
    }
  }

  private openFresh(s: Source): boolean {
    s.reader = this.openNew(s.key);
    s.current = true;
    return s.reader !== null;
  }

  private async emit(s: Source, r: FileReader, lines: Line[], final = false, cp?: Checkpoint, sparse?: Pick<LineBatch, 'feed' | 'span'>): Promise<void> {
    const batch: LineBatch = {
      source: s.key,
      timezone: s.timezone,
      lines,
      checkpoint: cp ?? r.checkpoint(),
      rewindTo: (m) => r.checkpointAt(m.offset, m.lineNo - 1),
      final: final || undefined,
      feed: sparse?.feed,
      span: sparse?.span,
    };
    await this.opts.sink.write(batch);
    s.lastReadAt = this.now();
    this.lastProgressAt = s.lastReadAt;
  }

  /**
   * The sink failed (database locked, disk full) or a read failed: forget in-memory positions and
   * resume from the last committed checkpoint, exactly as after a restart.
   */
  private async recover(s: Source, err: Error): Promise<void> {
    this.opts.onError?.(err, s.key);
    s.reader?.close();
    s.reader = null;
    for (const q of s.queue) q.close();
    s.queue = [];
    s.current = true;
    // Never fall back to offset 0: until the committed checkpoint is loaded, nothing is read.
    s.needsResume = true;
    await this.sleep(Math.min(1000, this.reconcileMs));
    this.dirty.add(s.key);
  }

  /** Runs a full reconcile pass now (every file stat-ed and read to EOF); resolves when it is done. */
  reconcileNow(): Promise<void> {
    this.nextReconcile = 0;
    this.forceFull = true;
    const done = new Promise<void>((r) => this.passWaiters.push(r));
    this.wake();
    return done;
  }

  stats(): TailerStats {
    const files: FileStats[] = [];
    let skippedLong = 0;
    for (const s of this.sources.values()) {
      skippedLong += s.counters.skippedLong;
      files.push({
        path: s.key, reading: s.reader?.path ?? null, ...s.counters, lagBytes: s.lag,
        rotations: s.rotations, truncations: s.truncations, lastReadAt: s.lastReadAt,
      });
    }
    return { files, lastProgressAt: this.lastProgressAt, skippedLong };
  }

  /** Stops reading, lets the in-flight batch commit, closes descriptors and the watcher. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.wake();
    await this.loop;
    for (const w of this.passWaiters.splice(0)) w();
    await this.watcher?.close();
    for (const s of this.sources.values()) {
      s.reader?.close();
      for (const q of s.queue) q.close();
    }
  }
}

