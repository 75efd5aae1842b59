import type { LoadedConfig } from '../config/load.js';
import type { DB } from '../store/db.js';
import type { Classifier } from '../classify/types.js';
import type { IncidentChange } from '../incidents/types.js';
import { Tailer } from '../ingest/tailer.js';
import type { SourceFaults } from '../ingest/faults.js';
import type { BatchSink, LineBatch } from '../ingest/types.js';
import type { Logger } from '../util/log.js';
import { Pipeline } from './pipeline.js';
import { GuardedSink, type SinkObserver } from './sink.js';

/** Test-only knobs (torture tests): they slow and shrink the work so kills and rotations land mid-way. */
export interface IngestTestHooks {
  /** Delay before each batch is committed (backpressure, rotation under load). */
  sinkDelayMs?: number;
  /** Lines per batch. */
  maxBatchLines?: number;
  /** How often the tailer re-checks every path. */
  reconcileMs?: number;
  /** Files at least this far behind take the bulk catch-up. */
  catchUpMinBytes?: number;
  /** Called after each checkpoint save, inside the batch's transaction (to SIGKILL there). */
  afterCheckpointSave?: () => void;
}

export interface IngestOptions {
  db: DB;
  log: Logger;
  /** Reload swaps what it delegates to; the pipeline keeps this object. */
  classifier: Classifier;
  /** Read at start; `api_hosts` changes only on restart. */
  config: LoadedConfig;
  onChanges: (changes: IncidentChange[]) => void;
  observer: SinkObserver;
  hooks?: IngestTestHooks;
  /** Record of unreadable sources, shared by every tailer this daemon starts. */
  faults?: SourceFaults;
}

/**
 * Owns ingest → parse → classify → incidents: the pipeline, the GuardedSink in front of it and the
 * tailer. Tailer swaps (reload with new sources, resync after a store failure, stop) run one at a time.
 * Counters of replaced tailers and pipelines are kept, so the exported totals never go backwards.
 */
export class Ingest {
  pipeline: Pipeline;
  readonly sink: GuardedSink;
  private tailer: Tailer | null = null;
  private ops: Promise<unknown> = Promise.resolve();
  private readonly retired = { batches: 0, lines: 0, events: 0, malformed: 0, skippedLong: 0 };
  private incidentSettings: LoadedConfig['incidents'];

  constructor(private readonly o: IngestOptions) {
    this.incidentSettings = o.config.incidents;
    this.pipeline = this.makePipeline();
    this.sink = new GuardedSink(this.pipeline, o.log, o.observer);
  }

  /** A fresh pipeline has fresh parser state (after a store failure, see GuardedSink). */
  private makePipeline(): Pipeline {
    const c = this.o.config;
    const p = new Pipeline({
      db: this.o.db,
      classifier: this.o.classifier,
      apiHosts: c.api_hosts,
      includeOtherApis: c.sources.some((s) => s.include_other_apis) || c.httpSources.some((s) => s.include_other_apis),
      onChanges: this.o.onChanges,
      afterCheckpointSave: this.o.hooks?.afterCheckpointSave,
    });
    p.incidents.configure({
      resolveAfterMs: this.incidentSettings.resolve_after,
      resolveAfterByCategory: this.incidentSettings.resolve_after_by_category,
      flapWindowMs: this.incidentSettings.flap_window,
    });
    return p;
  }

  /** Runs tailer swaps one after another. */
  private serial<T>(fn: () => Promise<T>): Promise<T> {
    const next = this.ops.then(fn);
    this.ops = next.catch(() => undefined);
    return next;
  }

  private sinkForTailer(): BatchSink {
    const delay = this.o.hooks?.sinkDelayMs ?? 0;
    if (delay <= 0) return this.sink;
    return {
      write: async (b: LineBatch) => {
        await new Promise((r) => setTimeout(r, delay));
        await this.sink.write(b);
      },
    };
  }

  get reading(): boolean {
    return this.tailer !== null;
  }

  /** When the tailer last made progress (undefined while it is stopped). */
  get progressAt(): number | undefined {
    return this.tailer?.lastProgressAt;
  }

  private async startTailer(c: LoadedConfig): Promise<void> {
    const t = new Tailer({
      sources: c.sources,
      sink: this.sinkForTailer(),
      checkpoints: this.pipeline.checkpoints,
      db: this.o.db,
      reconcileMs: this.o.hooks?.reconcileMs,
      maxBatchLines: this.o.hooks?.maxBatchLines,
      faults: this.o.faults,
      // Backlogs go through replay's bulk scan; its prescan must accept what the pipeline's parser does.
      catchUp: {
        prescan: { apiHosts: c.api_hosts, includeOtherApis: c.sources.some((s) => s.include_other_apis) },
        minBytes: this.o.hooks?.catchUpMinBytes,
      },
      onError: (err, source) => this.o.log.warn({ err: err.message, source }, 'ingest error; resuming from the last checkpoint'),
    });
    await t.start();
    this.tailer = t;
  }

  private async stopTailer(): Promise<void> {
    const t = this.tailer;
    if (!t) return;
    this.tailer = null;
    // The tailer commits the batch in flight before it resolves.
    await t.stop();
    this.retired.skippedLong += skippedLong(t);
  }

  start(c: LoadedConfig): Promise<void> {
    return this.serial(() => this.startTailer(c));
  }

  stop(): Promise<void> {
    return this.serial(() => this.stopTailer());
  }

  /** New sources: the old tailer commits its batch in flight, the new one starts from the checkpoints (unless the store is failing: the resync starts it). */
  restart(c: LoadedConfig, stopping: () => boolean): Promise<void> {
    return this.serial(async () => {
      await this.stopTailer();
      if (!this.sink.failing && !stopping()) await this.startTailer(c);
    });
  }

  /** Incident settings for pipelines built from now on, and the running one. */
  configure(c: LoadedConfig): void {
    this.incidentSettings = c.incidents;
    this.pipeline.incidents.configure({
      resolveAfterMs: c.incidents.resolve_after,
      resolveAfterByCategory: c.incidents.resolve_after_by_category,
      flapWindowMs: c.incidents.flap_window,
    });
  }

  /**
   * After a store failure: stop reading; if `writable()` says the database takes writes again, swap in a
   * fresh pipeline and read on from the committed checkpoints. Resolves whether reading resumed.
   */
  resync(c: LoadedConfig, writable: () => boolean, stopping: () => boolean): Promise<boolean> {
    return this.serial(async () => {
      await this.stopTailer();
      if (stopping() || !writable()) return false;
      const s = this.pipeline.stats;
      this.retired.batches += s.batches;
      this.retired.lines += s.lines;
      this.retired.events += s.events;
      this.retired.malformed += this.pipeline.parseStats().malformed;
      this.pipeline = this.makePipeline();
      this.sink.inner = this.pipeline;
      this.sink.failing = null;
      await this.startTailer(c);
      return true;
    });
  }

  stats(): { batches: number; lines: number; events: number } {
    const s = this.pipeline.stats;
    return { batches: this.retired.batches + s.batches, lines: this.retired.lines + s.lines, events: this.retired.events + s.events };
  }

  malformed(): number {
    return this.retired.malformed + this.pipeline.parseStats().malformed;
  }

  skippedLongLines(): number {
    return this.retired.skippedLong + (this.tailer ? skippedLong(this.tailer) : 0);
  }
}

function skippedLong(t: Tailer): number {
  return t.stats().files.reduce((n, f) => n + f.skippedLong, 0);
}
