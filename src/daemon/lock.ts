import Database from 'better-sqlite3';
import { readFileSync, writeFileSync } from 'node:fs';

export class AlreadyRunningError extends Error {
  override name = 'AlreadyRunningError';
}

export interface InstanceLock {
  release(): void;
}

/**
 * One daemon per database. The lock is an exclusive SQLite (fcntl) lock on `<db>.lock`: the kernel drops
 * it when the process dies however it dies, so there is no stale pid file to clean up after a crash.
 * The holder's pid goes in `<db>.lock.pid` only to make the refusal message useful.
 */
export function acquireInstanceLock(dbPath: string): InstanceLock {
  const file = `${dbPath}.lock`;
  const conn = new Database(file);
  try {
    conn.pragma('busy_timeout = 0');
    conn.pragma('locking_mode = EXCLUSIVE');
    // The first write under EXCLUSIVE locking mode takes the lock and keeps it until close.
    conn.exec('BEGIN EXCLUSIVE; CREATE TABLE IF NOT EXISTS holder (pid INTEGER); DELETE FROM holder; INSERT INTO holder VALUES (' + process.pid + '); COMMIT;');
  } catch (err) {
    conn.close();
    const code = (err as { code?: string }).code;
    if (code === 'SQLITE_BUSY' || code === 'SQLITE_LOCKED') {
      let pid = '';
      try {
        pid = readFileSync(`${file}.pid`, 'utf8').trim();
      } catch {
        /* no pid file: the message stays generic */
      }
      throw new AlreadyRunningError(
        `another apiwatch${pid ? ` (pid ${pid})` : ''} is already running on ${dbPath}; ` +
          'stop it first (systemctl stop apiwatch) or give this one another state_dir',
      );
    }
    throw err;
  }
  try {
    writeFileSync(`${file}.pid`, `${process.pid}\n`);
  } catch {
    /* informational only */
  }
  return {
    release() {
      if (conn.open) conn.close();
    },
  };
}
