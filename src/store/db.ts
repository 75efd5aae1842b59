import Database from 'better-sqlite3';
import { mkdirSync, readdirSync, readFileSync, statSync } from 'node:fs';
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

/** SQLite's answers for a file that is not (any longer) a sound database. */
const CORRUPT_CODES = /^SQLITE_(CORRUPT|NOTADB)/;

/** The database file is damaged: the daemon refuses to run on it (nothing could page while ingestion went on). */
export class CorruptDatabaseError extends Error {
  constructor(
    readonly file: string,
    readonly detail: string,
  ) {
    super(
      `database ${file} is corrupt (${detail}); apiwatch will not start on it. To recover: stop apiwatch; ` +
        `move ${file} and its -wal/-shm files aside; restore a backup, or salvage with ` +
        `\`sqlite3 ${file}.corrupt .recover | sqlite3 ${file}\`; or start without it (a new, empty database: ` +
        'acks, silences and queued notifications are lost, sources are read again per start_at)',
    );
    this.name = 'CorruptDatabaseError';
  }
}

export function isCorruptionError(err: unknown): boolean {
  return CORRUPT_CODES.test(String((err as { code?: unknown } | null)?.code ?? ''));
}

/** `PRAGMA quick_check` (O(size), no index cross-check): throws CorruptDatabaseError unless it says ok. */
export function checkIntegrity(db: DB, file: string): void {
  let rows: unknown[];
  try {
    rows = db.pragma('quick_check(5)', { simple: false }) as unknown[];
  } catch (err) {
    if (isCorruptionError(err)) throw new CorruptDatabaseError(file, (err as Error).message);
    throw err;
  }
  const msgs = rows.map((r) => String(Object.values(r as Record<string, unknown>)[0]));
  if (msgs.length !== 1 || msgs[0] !== 'ok') throw new CorruptDatabaseError(file, `quick_check: ${msgs.join('; ')}`);
}

/**
 * The file the connection opened, by device and inode. SQLite keeps writing to an unlinked or
 * replaced file without a word; comparing with what is at the path now is how that is noticed.
 */
export class DatabaseIdentity {
  private readonly dev: number;
  private readonly ino: number;

  constructor(readonly file: string) {
    const st = statSync(file);
    this.dev = st.dev;
    this.ino = st.ino;
  }

  /** null while the path still names the open file; else what happened to it. */
  check(): string | null {
    let st;
    try {
      st = statSync(this.file, { throwIfNoEntry: false });
    } catch (err) {
      return `database file ${this.file} cannot be checked: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`;
    }
    if (!st) return `database file ${this.file} was deleted under the running daemon: writes go to the unlinked file and are lost at restart`;
    if (st.dev !== this.dev || st.ino !== this.ino) return `database file ${this.file} was replaced under the running daemon (inode ${this.ino} → ${st.ino}): writes go to the old file`;
    return null;
  }
}

export interface OpenOptions {
  readonly?: boolean;
  migrations?: Migration[];
  /** Run PRAGMA quick_check before anything else (the daemon at start). */
  verify?: boolean;
}

/** Opens (creating if needed) the database file with WAL and a busy timeout, then migrates it. */
export function openDatabase(file: string, opts: OpenOptions = {}): DB {
  if (!opts.readonly) mkdirSync(dirname(file), { recursive: true });
  const db = new Database(file, { readonly: opts.readonly ?? false, fileMustExist: opts.readonly ?? false });
  try {
    db.pragma('busy_timeout = 5000');
    if (opts.verify) checkIntegrity(db, file);
    if (!opts.readonly) {
      db.pragma('journal_mode = WAL');
      // NORMAL is durable across process crashes in WAL mode; only an OS crash can lose the last commit.
      db.pragma('synchronous = NORMAL');
      db.pragma('foreign_keys = ON');
      migrate(db, opts.migrations);
    }
  } catch (err) {
    db.close();
    // A damaged file named with the way out, whichever statement found the damage first.
    if (isCorruptionError(err)) throw new CorruptDatabaseError(file, (err as Error).message);
    throw err;
  }
  return db;
}
