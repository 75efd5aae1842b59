import { watch, type FSWatcher } from 'chokidar';
import picomatch from 'picomatch';

/**
 * Wake-ups from the file system. Only a hint: chokidar throttles `change` (≤1 per 50 ms per file),
 * can miss the end of a burst and shows a fast rename+create as a `change`, so the tailer reads to
 * EOF on every wake and reconciles by stat on its own timer anyway.
 */
export class Watcher {
  private fsw?: FSWatcher;
  constructor(
    private readonly globs: string[],
    private readonly onPath: (path: string, event: string) => void,
  ) {}

  start(): Promise<void> {
    const dirs = new Set<string>();
    let deep = false;
    for (const g of this.globs) {
      const s = picomatch.scan(g);
      dirs.add(s.base || '.');
      if (g.includes('**') || (s.glob && s.glob.includes('/'))) deep = true;
    }
    // chokidar's watch([]) never emits `ready`: with no sources there is nothing to watch.
    if (dirs.size === 0) return Promise.resolve();
    const isMatch = picomatch(this.globs, { dot: true });
    this.fsw = watch([...dirs], {
      // atomic hides rotations (unlink+add within 100 ms becomes `change`); we want to see them.
      atomic: false,
      ignoreInitial: true,
      depth: deep ? undefined : 0,
      // Keep per-file watchers for matching files only (not rotated app.log.1, .gz, …).
      ignored: (p, st) => !!st && st.isFile() && !isMatch(p),
    });
    this.fsw.on('all', (ev, p) => {
      if (ev === 'add' || ev === 'change' || ev === 'unlink') this.onPath(p, ev);
    });
    this.fsw.on('error', () => {
      /* the reconcile pass covers whatever the watcher misses */
    });
    return new Promise((resolve) => this.fsw!.once('ready', () => resolve()));
  }

  async close(): Promise<void> {
    await this.fsw?.close();
  }
}
