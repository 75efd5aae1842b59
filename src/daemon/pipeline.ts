import type { DB } from '../store/db.js';
import type { ApiErrorEvent, EventParser, ParserOptions } from '../parse/event.js';
import { createParser } from '../parse/index.js';
import type { ClassifiedEvent, Classifier } from '../classify/types.js';
import type { BatchSink, Checkpoint, LineBatch } from '../ingest/types.js';
import { CheckpointStore } from '../ingest/checkpoints.js';
import { IncidentStore } from '../incidents/store.js';
import type { IncidentChange } from '../incidents/types.js';

export interface PipelineOptions {
  db: DB;
  classifier: Classifier;
  /** Extra Easemob hosts from config. */
  apiHosts?: string[];
  includeOtherApis?: boolean;
  /** Called after each commit with what changed (notifications hang off this). */
  onChanges?: (changes: IncidentChange[]) => void;
  /** A multi-line event with no new line for this long is emitted (Vector's multiline timeout). */
  multilineTimeoutMs?: number;
  now?: () => number;
  /** Parser per source; default createParser (tests inject multi-line parsers here). */
  parserFactory?: (opts: ParserOptions) => EventParser;
  /** Runs inside each batch's transaction after its checkpoint is saved (torture tests). */
  afterCheckpointSave?: () => void;
}

export interface PipelineStats {
  batches: number;
  lines: number;
  events: number;
}

interface SourceState {
  parser: EventParser;
  /** Latest position of the reader in this source, for idle flushes. */
  checkpoint?: Checkpoint;
  lastLineAt: number;
  /** The source's own multi-line timeout, when its batches name one. */
  idleFlushMs?: number;
}

/**
 * parse → classify → store. One SQLite transaction per batch holds the events, the incident
 * updates and the checkpoint of the bytes they came from: after a crash either all of a batch
 * is there or none of it, so re-reading from the checkpoint repeats nothing.
 */
export class Pipeline implements BatchSink {
  readonly incidents: IncidentStore;
  readonly checkpoints: CheckpointStore;
  readonly stats: PipelineStats = { batches: 0, lines: 0, events: 0 };
  private readonly sources = new Map<string, SourceState>();
  private readonly now: () => number;
  private readonly commit: (events: ClassifiedEvent[], cps: Checkpoint[], also?: () => void) => IncidentChange[];

  constructor(private readonly opts: PipelineOptions) {
    this.now = opts.now ?? Date.now;
    this.incidents = new IncidentStore(opts.db);
    this.checkpoints = new CheckpointStore(opts.db, opts.afterCheckpointSave);
    this.commit = opts.db.transaction((events: ClassifiedEvent[], cps: Checkpoint[], also?: () => void) => {
      const changes = events.length ? this.incidents.record(events, this.now()) : [];
      for (const cp of cps) this.checkpoints.save(cp, this.now());
      also?.();
      return changes;
    });
  }

  private state(source: string, timezone?: string): SourceState {
    let s = this.sources.get(source);
    if (!s) {
      const po: ParserOptions = {
        source,
        apiHosts: this.opts.apiHosts,
        timezone,
        includeOtherApis: this.opts.includeOtherApis,
        now: this.now,
      };
      s = { parser: (this.opts.parserFactory ?? createParser)(po), lastLineAt: this.now() };
      this.sources.set(source, s);
    }
    return s;
  }

  /** Parser counters of sources let go of, so parseStats() never goes backwards. */
  private readonly retired = { lines: 0, events: 0, malformed: 0, clockSkew: 0 };

  private retire(source: string): void {
    const st = this.sources.get(source);
    if (!st) return;
    const s = st.parser.stats;
    this.retired.lines += s.lines;
    this.retired.events += s.events;
    this.retired.malformed += s.malformed;
    this.retired.clockSkew += s.clockSkew;
    this.sources.delete(source);
  }

  /** Drops a source's parser state (lines fed from a batch whose transaction rolled back). */
  reset(source: string): void {
    this.retire(source);
  }

  /** Bad-input counters summed over every parser this pipeline has used (metrics). */
  parseStats(): { lines: number; events: number; malformed: number; clockSkew: number } {
    const t = { ...this.retired };
    for (const st of this.sources.values()) {
      t.lines += st.parser.stats.lines;
      t.events += st.parser.stats.events;
      t.malformed += st.parser.stats.malformed;
      t.clockSkew += st.parser.stats.clockSkew;
    }
    return t;
  }

  /**
   * Classifies events in place: they come fresh from this pipeline's parsers and are not used
   * elsewhere, so no copy per event (a spread per event was ~4% of a bulk read on its own).
   */
  classify(events: ApiErrorEvent[]): ClassifiedEvent[] {
    const c = this.opts.classifier;
    const classified = events as ClassifiedEvent[];
    for (const ev of classified) {
      const cls = c.classify(ev);
      ev.cls = cls;
      ev.fingerprint = c.fingerprint(ev, cls);
    }
    return classified;
  }

  async write(batch: LineBatch): Promise<void> {
    this.process(batch);
  }

  /** Parses, classifies and commits one batch; returns the incident changes it caused. */
  process(batch: LineBatch): IncidentChange[] {
    const st = this.state(batch.source, batch.timezone);
    if (batch.idleFlushMs !== undefined) st.idleFlushMs = batch.idleFlushMs;
    const events: ApiErrorEvent[] = [];
    if (batch.feed) batch.feed(st.parser, events); // a block of the bulk catch-up
    for (const l of batch.lines) {
      const out = st.parser.push(l.text, l.meta);
      for (const ev of out) events.push(ev);
    }
    if (batch.lines.length || batch.span?.lines) st.lastLineAt = this.now();
    if (batch.final) for (const ev of st.parser.flush()) events.push(ev);
    let cp = batch.checkpoint;
    const pending = st.parser.pending();
    if (cp && pending && batch.rewindTo) cp = batch.rewindTo(pending);
    st.checkpoint = batch.checkpoint;
    if (batch.final) this.retire(batch.source);
    const classified = this.classify(events);
    let changes: IncidentChange[];
    try {
      changes = this.commit(classified, cp ? [cp] : [], batch.alsoCommit);
    } catch (err) {
      // Nothing of this batch is stored; the tailer re-reads from the last commit, so the parser
      // must not keep lines it was fed from the failed batch.
      this.retire(batch.source);
      throw err;
    }
    this.stats.batches++;
    this.stats.lines += batch.span?.lines ?? batch.lines.length;
    this.stats.events += classified.length;
    if (changes.length) this.opts.onChanges?.(changes);
    return changes;
  }

  /**
   * Bulk path for whole files (replay, src/ingest/bulk.ts): classifies and stores events parsed
   * there, in one transaction; `lines` is how many lines of the file they came from. The events
   * become ClassifiedEvents (classified in place); the caller must not reuse them.
   */
  ingestEvents(events: ApiErrorEvent[], lines: number): void {
    const classified = this.classify(events);
    const changes = classified.length ? this.commit(classified, []) : [];
    this.stats.batches++;
    this.stats.lines += lines;
    this.stats.events += classified.length;
    if (changes.length) this.opts.onChanges?.(changes);
  }

  /**
   * Emits multi-line events that saw no new line for the timeout (the SDK's second line never came),
   * committing the reader's latest position with them.
   */
  flushIdle(): IncidentChange[] {
    const timeout = this.opts.multilineTimeoutMs ?? 1500;
    const all: IncidentChange[] = [];
    for (const st of this.sources.values()) {
      if (!st.parser.pending() || this.now() - st.lastLineAt < (st.idleFlushMs ?? timeout)) continue;
      const events = this.classify(st.parser.flush());
      const changes = this.commit(events, st.checkpoint ? [st.checkpoint] : []);
      this.stats.events += events.length;
      if (changes.length) this.opts.onChanges?.(changes);
      all.push(...changes);
    }
    return all;
  }
}
