import type { Command } from 'commander';
import { getConfig } from '../context.js';
import { loadClassifierFor } from '../rules.js';

export function registerRules(program: Command): void {
  const rules = program.command('rules').description('Work with rule files.');
  rules
    .command('lint')
    .description('Validate rule files (default: the bundled pack and the config\'s rules.files).')
    .argument('[files...]', 'rule files to check')
    .option('-c, --config <file>', 'config file')
    .action(async (files: string[], opts: { config?: string }) => {
      const cfg = getConfig(opts.config);
      await loadClassifierFor({ ...cfg, rules: { files: files.length ? files : cfg.rules.files } });
      process.stdout.write('rules OK\n');
    });
}
