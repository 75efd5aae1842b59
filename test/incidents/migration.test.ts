import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { openDatabase, loadMigrations } from '../../src/store/db.js';
import { tempDir } from '../helpers/tmp.js';

test('upgrading to 020 records open incidents as already paged (no flood of old news), resolved ones untouched', () => {
  const file = join(tempDir(), 'apiwatch.db');
  const db0 = openDatabase(file, { migrations: loadMigrations().filter((m) => m.version < 20) });
  const ins = db0.prepare(
    `INSERT INTO incidents (fingerprint, category, severity, title, state, count, first_seen, last_seen, created_at, updated_at)
     VALUES (?, 'unknown', 'error', 't', ?, 5, 1, 2, 3, 4)`,
  );
  ins.run('open', 'firing');
  ins.run('done', 'resolved');
  db0.close();
  const db = openDatabase(file);
  const ns = db.prepare('SELECT incident_id, last_kind, last_count FROM incident_notify').all();
  assert.deepEqual(ns, [{ incident_id: 1, last_kind: 'firing', last_count: 5 }]);
  const inc = db.prepare('SELECT epoch, epoch_started_at, last_event_at, base_severity FROM incidents WHERE id = 1').get();
  assert.deepEqual(inc, { epoch: 0, epoch_started_at: 3, last_event_at: 4, base_severity: 'error' });
  for (const t of ['outbox', 'silences', 'incident_notify']) {
    assert.ok(db.prepare("SELECT name FROM sqlite_master WHERE type='table' AND name=?").get(t), t);
  }
  db.close();
});
