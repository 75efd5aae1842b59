import type { Command } from 'commander';
import { getConfig } from '../context.js';
import { startDaemon } from '../../daemon/index.js';
import { createLogger } from '../../util/log.js';

export function registerRun(program: Command): void {
  program
    .command('run')
    .description('Tail the configured sources, store events and incidents, and send alerts (the daemon).')
    .option('-c, --config <file>', 'config file')
    .action(async (opts: { config?: string }) => {
      const cfg = getConfig(opts.config);
      const log = createLogger(cfg.log.level);
      const daemon = await startDaemon(cfg, log);
      await new Promise<void>((resolve) => {
        const stop = (sig: string) => {
          log.info({ signal: sig }, 'stopping');
          daemon.stop().then(resolve, (err: Error) => {
            log.error({ err: err.message }, 'error while stopping');
            process.exitCode = 1;
            resolve();
          });
        };
        process.once('SIGTERM', () => stop('SIGTERM'));
        process.once('SIGINT', () => stop('SIGINT'));
      });
    });
}
