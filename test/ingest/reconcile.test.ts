import { test } from 'node:test';
import assert from 'node:assert/strict';
import { closeSync, copyFileSync, renameSync, truncateSync, unlinkSync, writeFileSync, appendFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '../helpers/tmp.js';
import { FileReader } from '../../src/ingest/file-reader.js';
import { locate, rotatedSiblings } from '../../src/ingest/reconcile.js';
import type { Checkpoint } from '../../src/ingest/types.js';

function checkpointAfter(path: string, text: string): Checkpoint {
  writeFileSync(path, text);
  const r = new FileReader(path, path, { offset: 0, line: 0 }, 1000, { lines: 0, bytes: 0, skippedLong: 0 });
  r.read(r.size(), 0);
  const cp = r.checkpoint();
  r.close();
  return cp;
}

const body = Array.from({ length: 40 }, (_, i) => `{"n":${i},"msg":"line ${i}"}`).join('\n') + '\n';

test('locate: same file, renamed sibling, copy by head, identical rewrite, gone', () => {
  const dir = tempDir();
  const log = join(dir, 'app.log');
  const cp = checkpointAfter(log, body);
  appendFileSync(log, 'more\n');
  let loc = locate(cp)!;
  assert.deepEqual([loc.path, loc.current], [log, true]);
  closeSync(loc.fd);

  renameSync(log, `${log}-20261127`);
  writeFileSync(log, 'new file\n');
  loc = locate(cp)!;
  assert.deepEqual([loc.path, loc.current], [`${log}-20261127`, false]);
  closeSync(loc.fd);

  unlinkSync(`${log}-20261127`);
  const cp2 = checkpointAfter(log, body);
  copyFileSync(log, `${log}.1`);
  truncateSync(log, 0);
  appendFileSync(log, body.replace(/line/g, 'LINE') + body); // regrown past the offset, different bytes
  loc = locate(cp2)!;
  assert.deepEqual([loc.path, loc.current], [`${log}.1`, false], 'copytruncate: the copy by head fingerprint');
  closeSync(loc.fd);

  unlinkSync(`${log}.1`);
  assert.equal(locate(cp2), null, 'content gone: start from 0');

  const cp3 = checkpointAfter(log, body);
  unlinkSync(log);
  writeFileSync(log, body + 'tail\n'); // same bytes, new inode
  loc = locate(cp3)!;
  assert.deepEqual([loc.path, loc.current], [log, true]);
  closeSync(loc.fd);
});

test('rotated siblings: same folder, rotated names only, compressed ones skipped', () => {
  const dir = tempDir();
  const log = join(dir, 'app.log');
  for (const n of ['app.log', 'app.log.1', 'app.log.2.gz', 'app.log-20261127', 'app.logger', 'other.log.1']) writeFileSync(join(dir, n), 'x\n');
  assert.deepEqual(rotatedSiblings(log).map((p) => p.slice(dir.length + 1)), ['app.log-20261127', 'app.log.1']);
});
