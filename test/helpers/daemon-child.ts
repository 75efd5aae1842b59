// `apiwatch run` for tests that need a real process (SIGKILL, restarts) with DaemonOptions of their own:
//   node --import tsx test/helpers/daemon-child.ts CONFIG '{"sinkDelayMs":15,"maxBatchLines":100,"crashAtSave":3}'
// crashAtSave: SIGKILL this process inside the batch transaction of the Nth checkpoint save.
import { getConfig } from '../../src/cli/context.js';
import { runUntilStopped } from '../../src/cli/commands/run.js';
import { createLogger } from '../../src/util/log.js';
import type { DaemonHooks } from './daemon-hooks.js';


const [config, json = '{}'] = process.argv.slice(2);
const hooks = JSON.parse(json) as DaemonHooks;
const cfg = getConfig(config);
let saves = 0;
await runUntilStopped(cfg, createLogger(cfg.log.level), {
  test: {
    sinkDelayMs: hooks.sinkDelayMs,
    maxBatchLines: hooks.maxBatchLines,
    reconcileMs: hooks.reconcileMs,
    catchUpMinBytes: hooks.catchUpMinBytes,
    afterCheckpointSave: hooks.crashAtSave ? () => void (++saves === hooks.crashAtSave && process.kill(process.pid, 'SIGKILL')) : undefined,
  },
});
