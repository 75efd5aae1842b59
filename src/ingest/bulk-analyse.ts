/**
 * The parser's expensive half, run ahead on the scan workers: after scanning a block, a worker
 * assembles the block's records (src/parse/records.ts, fed exactly as the main thread's parser is
 * fed: candidates, the line before each, continuation lines while a record is open — the last one
 * read on past the block's end until it closes) and runs the failure-evidence gate and the
 * analysis on each (src/parse/index.ts createPrecomputer). The results go back with the block,
 * keyed by each record's first byte offset.
 *
 * The main thread still assembles every record itself, in file order, with the parser's state (so
 * records across block boundaries, request ids, status-then-body pairs come out as before); for
 * each record it takes the worker's analysis only when it was made from the same record (same
 * start, same lines, same context line), else it analyses it itself. Only a block's first record
 * can differ (the worker starts it without knowing whether the line before continues a record), so
 * events are exactly those of a line-by-line read, and the analysis — most of the parse — runs on
 * the other core.
 */
import { candidatePattern, isCandidate } from '../parse/prefilter.js';
import { RecordAssembler, type LogRecord } from '../parse/records.js';
import { analysisKey, createPrecomputer, type Precomputed } from '../parse/index.js';
import type { ApiErrorEvent, EventParser, ParserStats } from '../parse/event.js';
import type { BlockResult } from './bulk-scan.js';
import { SparseFeeder } from './bulk.js';

/** What the analysis depends on (as the parser of the lines' source is created). */
export interface AnalyseSpec {
  apiHosts?: string[];
  includeOtherApis?: boolean;
  timezone?: string;
}

const NONE: ApiErrorEvent[] = [];

export interface BlockAnalyser {
  /** Adds `pre`/`preOff`/`preKey` to a scanned block. */
  analyse(b: BlockResult, blockStart: number): void;
}

export function blockAnalyser(fd: number, size: number, maxLineBytes: number, spec: AnalyseSpec): BlockAnalyser {
  const key = analysisKey(spec);
  const precompute = createPrecomputer({ source: '', ...spec });
  const re = candidatePattern(spec.apiHosts ?? []);
  const stats: ParserStats = { lines: 0, events: 0, malformed: 0, clockSkew: 0 };
  // Each block is assembled on its own, from a fresh assembler.
  const fresh = () => new RecordAssembler((line) => isCandidate(line, re), stats);
  let asm = fresh();
  let recs: LogRecord[] = [];
  // The parser's push, without analysis: records pile up in `recs`.
  const shim: EventParser = {
    stats,
    push(line, meta) {
      try {
        asm.push(line, meta, recs);
      } catch {
        asm.reset();
      }
      return NONE;
    },
    flush: () => NONE,
    pending: () => asm.pending(),
  };
  const feeder = new SparseFeeder(fd, size, 0, 0, maxLineBytes);
  return {
    analyse(b, blockStart) {
      asm = fresh();
      recs = [];
      feeder.startBlock(blockStart);
      const now = Date.now();
      feeder.feed(b, shim, NONE, now);
      // The block's last record: read on until it closes (or the next block's first line starts one).
      feeder.finish(shim, NONE, now, b.next);
      const pre: Precomputed[] = [];
      const preOff: number[] = [];
      for (const r of recs) {
        if (r.meta.offset >= b.next) break; // the next block's: its worker does it
        if (r.meta.offset < blockStart) continue; // the line before the block, pushed as context
        try {
          pre.push(precompute(r));
          preOff.push(r.meta.offset);
        } catch {
          // the main thread analyses it (and counts what it throws)
        }
      }
      b.pre = pre;
      b.preOff = preOff;
      b.preKey = key;
    },
  };
}
