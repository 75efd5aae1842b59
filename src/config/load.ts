import { readFileSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { LineCounter, parseDocument } from 'yaml';
import { keyName, lineOf, type PathKey } from './yaml-location.js';
import type { z } from 'zod';
import { configSchema, type Config, type HttpSourceConfig, type SourceConfig } from './schema.js';
import { readCredential } from './credentials.js';
import { literalSecrets } from './secrets.js';
import { keysAt, nearestKey } from './suggest.js';

/** A config problem that names the file, the line, the key and what was expected. */
export class ConfigError extends Error {
  constructor(
    readonly file: string,
    readonly problems: { line?: number; col?: number; key: string; message: string }[],
  ) {
    super(
      problems
        .map((p) => `${file}${p.line ? `:${p.line}${p.col ? `:${p.col}` : ''}` : ''}: ${p.key ? `${p.key}: ` : ''}${p.message}`)
        .join('\n'),
    );
    this.name = 'ConfigError';
  }
}

export interface LoadedConfig extends Omit<Config, 'sources'> {
  /** File sources (the tailer's). */
  sources: SourceConfig[];
  /** `- http:` sources (log shippers POSTing batches). */
  httpSources: HttpSourceConfig[];
  /** Absolute path of the file this came from (null: built-in defaults). */
  configFile: string | null;
  /** Absolute path of the database file. */
  dbPath: string;
}

/** Aliases a config may expand; a real config uses a handful, an alias bomb millions. */
const MAX_ALIAS_COUNT = 100;

const CRED_REF = /\$\{CREDENTIAL:([A-Za-z0-9][A-Za-z0-9_.-]*)\}/g;
const ENV_REF = /\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g;

/** Replaces `${VAR}` / `${VAR:-default}` in string values (after YAML parsing, so values cannot inject YAML). */
function interpolate(
  value: unknown,
  env: NodeJS.ProcessEnv,
  path: PathKey[],
  missing: { path: PathKey[]; name: string }[],
): unknown {
  if (typeof value === 'string') {
    // ${CREDENTIAL:name}: a systemd LoadCredential= secret, so webhook URLs and passwords stay out of the file.
    const withCreds = value.replace(CRED_REF, (_m, name: string) => {
      const v = readCredential(name, env);
      if (v !== undefined) return v;
      missing.push({ path, name: `CREDENTIAL:${name}` });
      return '';
    });
    return withCreds.replace(ENV_REF, (_m, name: string, def: string | undefined) => {
      const v = env[name];
      if (v !== undefined && v !== '') return v;
      if (def !== undefined) return def;
      missing.push({ path, name });
      return '';
    });
  }
  if (Array.isArray(value)) return value.map((v, i) => interpolate(v, env, [...path, i], missing));
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = interpolate(v, env, [...path, k], missing);
    return out;
  }
  return value;
}

/** An unknown key, with the known key it is probably a typo of (or the list of keys allowed there). */
function unknownKey(key: string, objectPath: PathKey[]): string {
  const known = keysAt(configSchema, objectPath);
  const near = nearestKey(key, known);
  return `unknown key "${key}"${near ? `: did you mean "${near}"?` : known.length ? ` (expected one of ${known.join(', ')})` : ''}`;
}

function describeIssue(issue: z.core.$ZodIssue): string {
  if (issue.code === 'invalid_type') return `expected ${issue.expected}`;
  return issue.message;
}

/** Parses and validates config text. Relative paths resolve against `baseDir`. */
export function parseConfig(text: string, file: string, env: NodeJS.ProcessEnv = process.env): LoadedConfig {
  const lc = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lc, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length) {
    throw new ConfigError(
      file,
      doc.errors.map((e) => ({
        line: lc.linePos(e.pos[0]).line,
        col: lc.linePos(e.pos[0]).col,
        key: '',
        // The library appends " at line L, column C:" and a code frame; the location is in the prefix.
        message: `YAML syntax: ${e.message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '')}`,
      })),
    );
  }
  let raw: unknown;
  try {
    raw = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT }) ?? {};
  } catch (err) {
    // The yaml library refuses a "billion laughs" document (aliases expanding exponentially) here.
    throw new ConfigError(file, [{ key: '', message: `YAML refused: ${(err as Error).message} (more than ${MAX_ALIAS_COUNT} alias expansions)` }]);
  }
  if (typeof raw !== 'object' || Array.isArray(raw)) {
    throw new ConfigError(file, [{ line: 1, key: '', message: 'expected a mapping of settings at the top level' }]);
  }
  // The SMTP password comes from the environment or a credential, never from the file itself.
  const literalPass = (raw as { notify?: { email?: { smtp?: { pass?: unknown } } } }).notify?.email?.smtp?.pass;
  if (typeof literalPass === 'string' && literalPass !== '' && !/\$\{[^}]+\}/.test(literalPass)) {
    const path = ['notify', 'email', 'smtp', 'pass'];
    throw new ConfigError(file, [
      {
        line: lineOf(doc, lc, path),
        key: keyName(path),
        message: 'a password must not be written in the config file: use ${SOME_ENV}, ${CREDENTIAL:smtp-password}, pass_file or APIWATCH_SMTP_PASS',
      },
    ]);
  }
  // Bot webhook URLs and signing secrets likewise (the URL carries the bot's key or token).
  const literal = literalSecrets(raw);
  if (literal.length) {
    throw new ConfigError(
      file,
      literal.map((path) => ({
        line: lineOf(doc, lc, path),
        key: keyName(path),
        message: 'a secret must not be written in the config file: use ${SOME_ENV} or ${CREDENTIAL:name} (systemd LoadCredential=)',
      })),
    );
  }
  const missing: { path: PathKey[]; name: string }[] = [];
  const interpolated = interpolate(raw, env, [], missing);
  if (missing.length) {
    throw new ConfigError(
      file,
      missing.map((m) => ({
        line: lineOf(doc, lc, m.path),
        key: keyName(m.path),
        message: m.name.startsWith('CREDENTIAL:')
          ? `credential ${m.name.slice(11)} is not available (no $CREDENTIALS_DIRECTORY/${m.name.slice(11)}: add LoadCredential=${m.name.slice(11)}:/path/to/file to the unit)`
          : `environment variable ${m.name} is not set (use \${${m.name}:-default} for a default)`,
      })),
    );
  }
  const result = configSchema.safeParse(interpolated);
  if (!result.success) {
    throw new ConfigError(
      file,
      result.error.issues.flatMap((i) => {
        const path = i.path.filter((p): p is PathKey => typeof p !== 'symbol');
        if (i.code === 'unrecognized_keys') {
          return i.keys.map((k) => ({ line: lineOf(doc, lc, [...path, k]), key: keyName([...path, k]), message: unknownKey(k, path) }));
        }
        return [{ line: lineOf(doc, lc, path), key: keyName(path), message: describeIssue(i) }];
      }),
    );
  }
  return resolvePaths(result.data, file);
}

function resolvePaths(cfg: Config, file: string | null): LoadedConfig {
  const base = file ? dirname(resolve(file)) : process.cwd();
  const abs = (p: string) => (isAbsolute(p) ? p : resolve(base, p));
  const stateDir = abs(cfg.state_dir);
  return {
    ...cfg,
    state_dir: stateDir,
    sources: cfg.sources.flatMap((s) => ('path' in s ? [{ ...s, path: s.path.map(abs) }] : [])),
    httpSources: cfg.sources.flatMap((s) => ('http' in s ? [s.http] : [])),
    rules: { ...cfg.rules, files: cfg.rules.files.map(abs) },
    configFile: file ? resolve(file) : null,
    dbPath: resolve(stateDir, 'apiwatch.db'),
  };
}

export function loadConfig(file: string, env: NodeJS.ProcessEnv = process.env): LoadedConfig {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new ConfigError(file, [{ key: '', message: `cannot read config file: ${(err as Error).message}` }]);
  }
  return parseConfig(text, file, env);
}

/** Built-in defaults, for commands run without a config file. */
export function defaultConfig(): LoadedConfig {
  return resolvePaths(configSchema.parse({}), null);
}
