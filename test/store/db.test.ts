import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { loadMigrations, migrate, openDatabase, SchemaTooNewError } from '../../src/store/db.js';
import { tempDir } from '../helpers/tmp.js';

test('a new database gets every migration, recorded, in WAL mode', () => {
  const dir = tempDir();
  const db = openDatabase(join(dir, 'state', 'apiwatch.db'));
  const versions = (db.prepare('SELECT version FROM schema_migrations ORDER BY version').all() as { version: number }[]).map((r) => r.version);
  assert.deepEqual(versions, loadMigrations().map((m) => m.version));
  assert.equal(db.pragma('journal_mode', { simple: true }), 'wal');
  const tables = (db.prepare("SELECT name FROM sqlite_master WHERE type='table'").all() as { name: string }[]).map((r) => r.name);
  for (const t of ['events', 'incidents', 'source_positions']) assert.ok(tables.includes(t), t);
  db.close();
});

test('an older schema is upgraded in order and data survives; reopening applies nothing', () => {
  const dir = tempDir();
  const file = join(dir, 'apiwatch.db');
  const all = loadMigrations();
  const first = all.slice(0, 1);
  const db0 = openDatabase(file, { migrations: first });
  db0.prepare("INSERT INTO source_positions (path, offset, line, updated_at) VALUES ('/var/log/a.log', 10, 2, 0)").run();
  db0.close();
  const db = new Database(file);
  const applied = migrate(db, all);
  assert.deepEqual(applied, all.slice(1).map((m) => m.version));
  assert.equal((db.prepare('SELECT offset FROM source_positions').get() as { offset: number }).offset, 10);
  assert.deepEqual(migrate(db, all), []);
  db.close();
});

test('a database newer than the code is refused', () => {
  const dir = tempDir();
  const file = join(dir, 'apiwatch.db');
  openDatabase(file).close();
  const db = new Database(file);
  db.prepare("INSERT INTO schema_migrations (version, name, applied_at) VALUES (999, '999_future.sql', 0)").run();
  assert.throws(() => migrate(db), SchemaTooNewError);
  assert.throws(() => migrate(db), /schema version 999 is newer/);
  db.close();
});

test('a failing migration rolls back and is not recorded', () => {
  const dir = tempDir();
  const mdir = join(dir, 'm');
  mkdirSync(mdir);
  writeFileSync(join(mdir, '001_ok.sql'), 'CREATE TABLE a (x INTEGER);');
  writeFileSync(join(mdir, '002_bad.sql'), 'CREATE TABLE b (x INTEGER); INSERT INTO nope VALUES (1);');
  const db = new Database(join(dir, 'x.db'));
  assert.throws(() => migrate(db, loadMigrations(mdir)), /no such table: nope/);
  const versions = (db.prepare('SELECT version FROM schema_migrations').all() as { version: number }[]).map((r) => r.version);
  assert.deepEqual(versions, [1]);
  assert.equal(db.prepare("SELECT count(*) AS n FROM sqlite_master WHERE name='b'").get() && (db.prepare("SELECT count(*) AS n FROM sqlite_master WHERE name='b'").get() as { n: number }).n, 0);
  db.close();
});
