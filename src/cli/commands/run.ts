import type { Command } from 'commander';
import { glob } from 'tinyglobby';
import { consoleTimezone } from '../../notify/console/index.js';
import { getConfig } from '../context.js';
import { startDaemon, type Daemon, type DaemonOptions } from '../../daemon/index.js';
import type { LoadedConfig } from '../../config/load.js';
import { AlreadyRunningError } from '../../daemon/lock.js';
import { CorruptDatabaseError } from '../../store/db.js';
import { createLogger, type Logger } from '../../util/log.js';
import { CliError, EXIT } from '../context.js';

export function registerRun(program: Command): void {
  program
    .command('run')
    .description('Tail the configured sources, store events and incidents, and send alerts (the daemon).')
    .option('-c, --config <file>', 'config file')
    .action(async (opts: { config?: string }) => {
      const cfg = getConfig(opts.config);
      await runUntilStopped(cfg, createLogger(cfg.log.level, { timezone: consoleTimezone(cfg) }));
    });
}

/**
 * Runs the daemon as this process's job: signals (SIGTERM/SIGINT stop, SIGHUP reloads) until it has
 * stopped, then exits. Tests run it in a child process with DaemonOptions of their own.
 */
export async function runUntilStopped(cfg: LoadedConfig, log: Logger, options: DaemonOptions = {}): Promise<void> {
  // Handlers go in before start-up: SIGHUP's default action would kill the process, and a SIGTERM
  // during start-up must still stop cleanly once the database is open.
  let daemon: Daemon | null = null;
  let stopRequested: string | null = null;
  let finish!: () => void;
  const done = new Promise<void>((r) => (finish = r));
  const stop = (sig: string) => {
    if (stopRequested) {
      // A second Ctrl-C at a terminal means "now"; a repeated SIGTERM just waits for the first.
      if (sig === 'SIGINT') process.exit(130);
      log.info({ signal: sig }, 'already stopping');
      return;
    }
    stopRequested = sig;
    log.info({ signal: sig }, 'stopping');
    if (daemon) daemon.stop().then(finish, failed);
  };
  const failed = (err: Error) => {
    log.error({ err: err.message }, 'error while stopping');
    process.exitCode = EXIT.FAILURE;
    finish();
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
  // A reload asked for during start-up is not dropped: it runs once the daemon is up (the
  // file may already have changed, e.g. a config-management run racing the service start).
  let reloadPending = false;
  process.on('SIGHUP', () => {
    if (!daemon) {
      reloadPending = true;
      log.info('SIGHUP during start-up: reloading once started');
    } else {
      log.info('SIGHUP: reloading configuration');
      void daemon.reload();
    }
  });
  process.on('unhandledRejection', (err) => {
    // Everything committed is safe; systemd restarts us and the tailer resumes from the checkpoints.
    log.fatal({ err: (err as Error)?.stack ?? String(err) }, 'unhandled error; exiting');
    process.exit(EXIT.FAILURE);
  });
  try {
    daemon = await startDaemon(cfg, log, options);
  } catch (err) {
    if (err instanceof AlreadyRunningError) throw new CliError(err.message, EXIT.FAILURE);
    if (err instanceof CorruptDatabaseError) {
      log.fatal({ db: err.file, detail: err.detail }, 'database is corrupt; refusing to start');
      throw new CliError(err.message, EXIT.CORRUPT_STATE);
    }
    throw err;
  }
  await reportIdleSources(cfg, log);
  if (stopRequested) daemon.stop().then(finish, failed);
  else if (reloadPending) void daemon.reload();
  await done;
  // Timers from other stages (retries, sockets) must not keep a stopped daemon alive past TimeoutStopSec.
  setImmediate(() => process.exit(process.exitCode ?? EXIT.OK));
}

/**
 * A daemon with nothing to read still runs (HTTP, digests, a reload may add sources) but must say
 * so, or an empty `sources:` or a mistyped glob looks like a quiet, healthy service.
 */
async function reportIdleSources(cfg: LoadedConfig, log: Logger): Promise<void> {
  if (cfg.sources.length === 0) {
    log.warn({ file: cfg.configFile }, 'no sources configured (sources is empty): nothing is tailed; add one and reload (SIGHUP)');
    return;
  }
  for (const s of cfg.sources) {
    for (const pattern of s.path) {
      const found = await glob(pattern, { absolute: true, onlyFiles: true, dot: true });
      if (found.length === 0) log.warn({ path: pattern }, 'no file matches this source yet; files that appear are picked up within a second');
    }
  }
}
