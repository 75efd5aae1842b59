import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { ConfigError, defaultConfig, loadConfig, type LoadedConfig } from '../config/load.js';

/** Where a command's config comes from: --config, $APIWATCH_CONFIG, ./apiwatch.yaml, /etc/apiwatch/apiwatch.yaml, built-in defaults. */
export function configPath(explicit?: string): string | null {
  if (explicit) return resolve(explicit);
  if (process.env.APIWATCH_CONFIG) return resolve(process.env.APIWATCH_CONFIG);
  for (const p of ['apiwatch.yaml', '/etc/apiwatch/apiwatch.yaml']) if (existsSync(p)) return resolve(p);
  return null;
}

export function getConfig(explicit?: string): LoadedConfig {
  const p = configPath(explicit);
  return p ? loadConfig(p) : defaultConfig();
}

/** Exit codes: 0 ok, 1 runtime failure, 2 bad usage / config / rules. */
/** 3: the database file is corrupt (systemd must not restart into it: RestartPreventExitStatus). */
export const EXIT = { OK: 0, FAILURE: 1, USAGE: 2, CORRUPT_STATE: 3 } as const;

export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: number = EXIT.FAILURE,
  ) {
    super(message);
  }
}

export function reportError(err: unknown): number {
  if (err instanceof ConfigError) {
    process.stderr.write(`apiwatch: invalid config\n${err.message}\n`);
    return EXIT.USAGE;
  }
  if (err instanceof CliError) {
    process.stderr.write(`apiwatch: ${err.message}\n`);
    return err.exitCode;
  }
  const e = err as { name?: string; message?: string };
  if (e && e.name === 'RuleError') {
    process.stderr.write(`apiwatch: invalid rules\n${e.message}\n`);
    return EXIT.USAGE;
  }
  process.stderr.write(`apiwatch: ${e?.message ?? String(err)}\n`);
  return EXIT.FAILURE;
}
