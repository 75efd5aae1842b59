import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { ConfigError, defaultConfig, loadConfig, type LoadedConfig } from '../config/load.js';
import { openDatabase, type DB } from '../store/db.js';
import { timezoneProblem } from '../config/timezone.js';

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

/** Where the config a command used came from, for messages that must say why it looked where it did. */
export function configOrigin(cfg: LoadedConfig): string {
  return cfg.configFile
    ? `state_dir from ${cfg.configFile}`
    : 'the built-in default state_dir (no --config, no $APIWATCH_CONFIG, no ./apiwatch.yaml or /etc/apiwatch/apiwatch.yaml)';
}

/**
 * The database for commands that read what the daemon stored. They never create one: run in the
 * wrong folder, an empty new database would answer "no incidents", a false all-clear.
 */
export function openExistingDatabase(cfg: LoadedConfig): DB {
  if (!existsSync(cfg.dbPath)) {
    throw new CliError(
      `no database at ${cfg.dbPath} (${configOrigin(cfg)}): pass the daemon's config with --config, or start the daemon (apiwatch run) once to create it`,
      EXIT.FAILURE,
    );
  }
  return openDatabase(cfg.dbPath);
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

/** A `--timezone` option checked like the config's zones (IANA names only, abbreviations refused). */
export function timezoneOption(tz: string | undefined): string | undefined {
  const problem = tz === undefined ? null : timezoneProblem(tz);
  if (problem) throw new CliError(`--timezone: ${problem}`, EXIT.USAGE);
  return tz;
}
