import { SourceFaults } from '../ingest/faults.js';
import type { Logger } from '../util/log.js';
import type { DaemonMetrics } from './metrics.js';

/**
 * The daemon's record of unreadable sources: each fault is logged once (error, with the path and the
 * fix) and counted when it appears, and logged again when the source reads again.
 */
export function sourceFaultLog(log: Logger, metrics: () => DaemonMetrics | undefined): SourceFaults {
  return new SourceFaults({
    onFault(f) {
      metrics()?.sourceFaultsTotal.inc({ code: f.code, kind: f.kind });
      log.error({ path: f.path, code: f.code, kind: f.kind, fix: f.fix }, `source not readable: ${f.message}`);
    },
    onRecover(f) {
      log.info({ path: f.path, was: f.code }, 'source readable again');
    },
  });
}
