// Interim tailer (polling, appends only) until the ingest branch lands with rotation handling.
import { openSync, readSync, fstatSync, closeSync, statSync } from 'node:fs';
import { glob } from 'tinyglobby';
import type { SourceConfig } from '../config/schema.js';
import type { BatchSink, Checkpoint, Line } from './types.js';
import type { CheckpointStore } from './checkpoints.js';

export interface TailerOptions {
  sources: SourceConfig[];
  sink: BatchSink;
  checkpoints: CheckpointStore;
  pollMs?: number;
}

interface FileState {
  path: string;
  timezone?: string;
  fd: number;
  dev: number;
  ino: number;
  offset: number;
  line: number;
}

export class Tailer {
  private files = new Map<string, FileState>();
  private timer?: NodeJS.Timeout;
  private busy = false;
  private stopped = false;
  constructor(private readonly opts: TailerOptions) {}

  async start(): Promise<void> {
    await this.scan(true);
    this.timer = setInterval(() => void this.tick(), this.opts.pollMs ?? 250);
  }

  private async scan(initial: boolean): Promise<void> {
    for (const src of this.opts.sources) {
      for (const path of await glob(src.path, { absolute: true, onlyFiles: true })) {
        if (this.files.has(path)) continue;
        const saved = this.opts.checkpoints.get(path);
        const fd = openSync(path, 'r');
        const st = fstatSync(fd);
        let offset = 0;
        let line = 0;
        if (saved && saved.ino === st.ino && saved.offset <= st.size) {
          offset = saved.offset;
          line = saved.line;
        } else if (initial && src.start_at === 'end' && !saved) offset = st.size;
        this.files.set(path, { path, timezone: src.timezone, fd, dev: st.dev, ino: st.ino, offset, line });
      }
    }
  }

  private async tick(): Promise<void> {
    if (this.busy || this.stopped) return;
    this.busy = true;
    try {
      await this.scan(false);
      for (const f of this.files.values()) await this.readNew(f);
    } finally {
      this.busy = false;
    }
  }

  private async readNew(f: FileState): Promise<void> {
    const size = fstatSync(f.fd).size;
    if (size <= f.offset) return;
    const buf = Buffer.alloc(Math.min(size - f.offset, 4 << 20));
    const n = readSync(f.fd, buf, 0, buf.length, f.offset);
    const last = buf.lastIndexOf(10, n - 1);
    if (last < 0) return;
    const lines: Line[] = [];
    let pos = 0;
    let off = f.offset;
    while (pos <= last) {
      const nl = buf.indexOf(10, pos);
      f.line++;
      lines.push({ text: buf.toString('utf8', pos, nl), meta: { lineNo: f.line, offset: off + pos, readTime: Date.now() } });
      pos = nl + 1;
    }
    f.offset += last + 1;
    const cp: Checkpoint = { path: f.path, dev: f.dev, ino: f.ino, offset: f.offset, line: f.line, headHash: null, tailHash: null };
    await this.opts.sink.write({ source: f.path, timezone: f.timezone, lines, checkpoint: cp });
    void off;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    while (this.busy) await new Promise((r) => setTimeout(r, 10));
    for (const f of this.files.values()) closeSync(f.fd);
    void statSync;
  }
}
