import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { openDatabase } from '../../src/store/db.js';
import { Pipeline } from '../../src/daemon/pipeline.js';
import { loadClassifierFor } from '../../src/cli/rules.js';
import { tempDir } from '../helpers/tmp.js';

test('a multi-line event whose next line never comes is emitted after the multi-line timeout, with the position past it', () => {
  const db = openDatabase(join(tempDir(), 'apiwatch.db'));
  let now = Date.UTC(2026, 10, 28, 10);
  const p = new Pipeline({ db, classifier: loadClassifierFor({ rules: { files: [] } }), multilineTimeoutMs: 1500, now: () => now });
  const text = 'com.easemob.im.server.exception.EMNotFoundException: DELETE /acme/prod/users/alice -> 404 Not Found, ';
  const cp = { path: '/var/log/app.log', dev: 1, ino: 2, offset: text.length + 1, line: 1, headHash: null, tailHash: null };
  p.process({
    source: '/var/log/app.log',
    lines: [{ text, meta: { lineNo: 1, offset: 0, readTime: now } }],
    checkpoint: cp,
    rewindTo: (meta) => ({ ...cp, offset: meta.offset, line: meta.lineNo - 1 }),
  });
  const count = () => (db.prepare('SELECT count(*) AS n FROM events').get() as { n: number }).n;
  const saved = () => (db.prepare('SELECT offset FROM source_positions').get() as { offset: number }).offset;
  assert.equal(count(), 0, 'held: the SDK puts error_description on the next line');
  assert.equal(saved(), 0, 'the checkpoint stays at the pending event');
  now += 1000;
  p.flushIdle();
  assert.equal(count(), 0, 'not yet: inside the timeout');
  now += 1000;
  p.flushIdle();
  assert.equal(count(), 1);
  const ev = db.prepare('SELECT ref, status, endpoint, line FROM events').get();
  // Without the description line only the status row can be told.
  assert.deepEqual(ev, { ref: 'S404', status: 404, endpoint: '/users/{username}', line: 1 });
  assert.equal(saved(), text.length + 1, 'emitted, so the position moves past it');
  db.close();
});
