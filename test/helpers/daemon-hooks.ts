/** Torture-test settings for a daemon child process (test/helpers/daemon-child.ts), passed on as DaemonOptions.test. */
export interface DaemonHooks {
  sinkDelayMs?: number;
  maxBatchLines?: number;
  reconcileMs?: number;
  /** SIGKILL inside the batch transaction of the Nth checkpoint save. */
  crashAtSave?: number;
}
