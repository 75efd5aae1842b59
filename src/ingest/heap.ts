/**
 * Heap guard for bulk reads (replay, catch-up, the scan workers).
 */
import v8 from 'node:v8';
import { runInNewContext } from 'node:vm';

/**
 * Heap growth allowed past the last full GC's live size during a bulk read. 8 MB took the peak RSS
 * of a 100 MB realistic replay from 135 MB (24 MB) to 119 MB at the same CPU time.
 */
const HEAP_SLACK_MB = 8;

/**
 * Keeps the main thread's heap near its live size during a bulk read. V8 lets the old generation
 * grow to a few times the live size before a full GC; over a long replay the candidate lines and
 * events that survive two scavenges pile up there (~45 MB of garbage on a 1 GB file, a third of
 * the RSS target), and the node flags that bound it cannot be set from inside. A full GC when the
 * heap has grown `slackMb` past what survived the last one costs a few ms, a few times per GB.
 */
export function heapGuard(slackMb = Number(process.env.APIWATCH_BULK_HEAP_SLACK_MB) || HEAP_SLACK_MB): () => void {
  let gc: (() => void) | null = null;
  try {
    v8.setFlagsFromString('--expose-gc');
    gc = runInNewContext('gc') as () => void;
  } catch {
    return () => {};
  }
  const slack = slackMb * 1048576;
  let floor = v8.getHeapStatistics().used_heap_size;
  return () => {
    if (v8.getHeapStatistics().used_heap_size < floor + slack) return;
    gc!();
    if (process.env.APIWATCH_BULK_DEBUG) process.stderr.write(`gc ${(v8.getHeapStatistics().used_heap_size / 1048576).toFixed(1)} MB\n`);
    floor = v8.getHeapStatistics().used_heap_size;
  };
}
