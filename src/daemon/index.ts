// The daemon as parts (Alertmanager's app/ layout): app.ts builds the graph with a last-in-first-out
// stop list, reloader.ts holds the config-scoped part swapped on SIGHUP, recovery.ts the resync after
// store failures, loop.ts the timers and the health they feed, ingest.ts the tailer and pipeline.
export { startDaemon, StopList, type Daemon, type DaemonOptions } from './app.js';
