/** Torture-test settings for a daemon child process (test/helpers/daemon-child.ts), passed on as DaemonOptions.test. */
export interface DaemonHooks {
  sinkDelayMs?: number;
  maxBatchLines?: number;
  reconcileMs?: number;
  /** Files at least this far behind take the bulk catch-up (default 8 MiB). */
  catchUpMinBytes?: number;
  /** SIGKILL inside the batch transaction of the Nth checkpoint save. */
  crashAtSave?: number;
}
