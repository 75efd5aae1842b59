import type { Command } from 'commander';
import { lintRuleFiles } from '../../classify/index.js';
import { getConfig, CliError, EXIT } from '../context.js';

export function registerRules(program: Command): void {
  const rules = program.command('rules').description('Work with rule files.');
  rules
    .command('lint')
    .description("Validate rule files against the bundled pack: errors (exit 2) and warnings (shadowed rules, examples that classify elsewhere). Default: the config's rules.files.")
    .argument('[files...]', 'rule files or folders to check')
    .option('-c, --config <file>', 'config file')
    .option('--strict', 'exit non-zero on warnings too')
    .action((files: string[], opts: { config?: string; strict?: boolean }) => {
      const targets = files.length ? files : getConfig(opts.config).rules.files;
      const problems = lintRuleFiles(targets, { builtin: true });
      for (const p of problems) {
        process.stdout.write(`${p.file}${p.line ? `:${p.line}` : ''}: ${p.level}: ${p.key ? `${p.key}: ` : ''}${p.message}\n`);
      }
      const errors = problems.filter((p) => p.level === 'error').length;
      const warnings = problems.length - errors;
      if (errors || (opts.strict && warnings)) {
        throw new CliError(`${errors} error(s), ${warnings} warning(s)`, EXIT.USAGE);
      }
      process.stdout.write(`rules OK${warnings ? ` (${warnings} warning(s))` : ''}\n`);
    });
}
