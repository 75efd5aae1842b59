import type { ApiErrorEvent, EventParser, LineMeta } from '../parse/event.js';

/** A read position in one file, persisted in the same transaction as the events read before it. */
export interface Checkpoint {
  /** Path the file was opened under (the source's key in source_positions). */
  path: string;
  dev: number;
  ino: number;
  /** Byte offset just after the last line whose events are committed. Never inside a line. */
  offset: number;
  /** Lines before `offset` (so line numbers survive restarts). */
  line: number;
  /** Hash of the file's first bytes (identity across rotation / copytruncate). */
  headHash: string | null;
  /** Hash of the bytes just before `offset` (validates the offset on start-up). */
  tailHash: string | null;
}

export interface Line {
  text: string;
  meta: LineMeta;
}

/** Complete lines read from one file, and where the reader is after them (stage interface ingest → pipeline). */
export interface LineBatch {
  /** Source key (the file's path). */
  source: string;
  /** IANA timezone configured for this source. */
  timezone?: string;
  /** This source's own multi-line idle timeout (HTTP: a record may straddle two shipper batches). */
  idleFlushMs?: number;
  lines: Line[];
  /** Position just after the last line in `lines`; absent for one-shot reads (replay, classify). */
  checkpoint?: Checkpoint;
  /**
   * A checkpoint at the start of an earlier line of this file (with the hash of the bytes before
   * it). The pipeline uses it when a multi-line event is still being assembled, so the committed
   * offset never passes that event's first line.
   */
  rewindTo?: (meta: LineMeta) => Checkpoint;
  /**
   * A sparse batch from the bulk catch-up (src/ingest/catchup.ts): instead of `lines` (empty), it
   * feeds the parser the candidate lines of a whole block, with their context and continuation
   * lines, exactly as pushing every line would. Events go to `out`.
   */
  feed?: (parser: EventParser, out: ApiErrorEvent[]) => void;
  /** Lines and bytes of the file the batch covers, when not `lines` (a sparse batch). */
  span?: { lines: number; bytes: number };
  /**
   * The reader has let go of this file (rotated away and read to its end, deleted):
   * any multi-line event still being assembled can be emitted.
   */
  final?: boolean;
  /**
   * Runs inside the batch's transaction, after its events are written (the HTTP source records the
   * offsets it accepted here, so a batch and its dedupe keys commit or roll back together).
   */
  alsoCommit?: () => void;
}

/**
 * Where batches go. `write` resolves once the batch's events and checkpoint are committed;
 * the tailer waits for it before reading on (backpressure).
 */
export interface BatchSink {
  write(batch: LineBatch): Promise<void>;
}
