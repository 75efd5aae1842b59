import Database from 'better-sqlite3';
import { mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export type DB = Database.Database;

/** migrations/ sits at the package root; this file is src/store or dist/store. */
export const MIGRATIONS_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'migrations');

export interface Migration {
  version: number;
  name: string;
  sql: string;
}

export function loadMigrations(dir = MIGRATIONS_DIR): Migration[] {
  return readdirSync(dir)
    .filter((f) => /^\d+_.*\.sql$/.test(f))
    .map((f) => ({ version: Number.parseInt(f, 10), name: f, sql: readFileSync(join(dir, f), 'utf8') }))
    .sort((a, b) => a.version - b.version);
}

export class SchemaTooNewError extends Error {}

/**
 * Applies pending migrations in order, each in its own transaction, recording each one.
 * Refuses a database whose schema is newer than this code knows (a downgrade would corrupt it).
 */
export function migrate(db: DB, migrations = loadMigrations()): number[] {
  db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
    version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)`);
  const applied = new Set(
    (db.prepare('SELECT version FROM schema_migrations').all() as { version: number }[]).map((r) => r.version),
  );
  const known = new Set(migrations.map((m) => m.version));
  const newest = Math.max(0, ...applied);
  const newestKnown = Math.max(0, ...known);
  if (newest > newestKnown) {
    throw new SchemaTooNewError(
      `database schema version ${newest} is newer than this apiwatch knows (${newestKnown}); ` +
        'upgrade apiwatch or point state_dir at another database',
    );
  }
  const done: number[] = [];
  const record = db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)');
  for (const m of migrations) {
    if (applied.has(m.version)) continue;
    db.transaction(() => {
      db.exec(m.sql);
      record.run(m.version, m.name, Date.now());
    })();
    done.push(m.version);
  }
  return done;
}

export interface OpenOptions {
  readonly?: boolean;
  migrations?: Migration[];
}

/** Opens (creating if needed) the database file with WAL and a busy timeout, then migrates it. */
export function openDatabase(file: string, opts: OpenOptions = {}): DB {
  if (!opts.readonly) mkdirSync(dirname(file), { recursive: true });
  const db = new Database(file, { readonly: opts.readonly ?? false, fileMustExist: opts.readonly ?? false });
  db.pragma('busy_timeout = 5000');
  if (!opts.readonly) {
    db.pragma('journal_mode = WAL');
    // NORMAL is durable across process crashes in WAL mode; only an OS crash can lose the last commit.
    db.pragma('synchronous = NORMAL');
    db.pragma('foreign_keys = ON');
    migrate(db, opts.migrations);
  }
  return db;
}
