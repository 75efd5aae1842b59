import type { Command } from 'commander';
import { configPath, getConfig } from '../context.js';
import { loadClassifierFor } from '../rules.js';

export function registerConfig(program: Command): void {
  program
    .command('check-config')
    .description('Validate the config file and the rules it loads; exit 2 with file:line: key: problem on error.')
    .option('-c, --config <file>', 'config file')
    .action(async (opts: { config?: string }) => {
      const cfg = getConfig(opts.config);
      await loadClassifierFor(cfg);
      process.stdout.write(`${configPath(opts.config) ?? '(built-in defaults)'}: OK (${cfg.sources.length} source(s), database ${cfg.dbPath})\n`);
    });
}
