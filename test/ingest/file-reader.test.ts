import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '../helpers/tmp.js';
import { FileReader } from '../../src/ingest/file-reader.js';

function drain(r: FileReader) {
  const out: { text: string; offset: number; lineNo: number }[] = [];
  for (;;) {
    const res = r.read(r.size(), 0);
    if (!res.scanned) return out;
    for (const l of res.lines) out.push({ text: l.text, offset: l.meta.offset, lineNo: l.meta.lineNo });
  }
}

test('byte offsets, line numbers, CRLF and non-ASCII text; an unfinished line waits', () => {
  const f = join(tempDir(), 'a.log');
  writeFileSync(f, 'héllo\r\n{"msg":"错误"}\nplain\npart');
  const c = { lines: 0, bytes: 0, skippedLong: 0 };
  const r = new FileReader(f, f, { offset: 0, line: 0 }, 100, c);
  assert.deepEqual(drain(r), [
    { text: 'héllo', offset: 0, lineNo: 1 },
    { text: '{"msg":"错误"}', offset: 8, lineNo: 2 },
    { text: 'plain', offset: 8 + Buffer.byteLength('{"msg":"错误"}\n'), lineNo: 3 },
  ]);
  const partAt = r.offset;
  assert.equal(r.checkpoint().offset, partAt, 'checkpoint before the unfinished line');
  appendFileSync(f, 'ial\n');
  assert.deepEqual(drain(r), [{ text: 'partial', offset: partAt, lineNo: 4 }]);
  r.close();
});

test('over-long lines are skipped and counted, in the middle of a chunk and across reads', () => {
  const f = join(tempDir(), 'a.log');
  writeFileSync(f, `a\n${'x'.repeat(500)}\nb\n${'y'.repeat(3 << 20)}\nc\n`);
  const c = { lines: 0, bytes: 0, skippedLong: 0 };
  const r = new FileReader(f, f, { offset: 0, line: 0 }, 100, c);
  const got = drain(r);
  assert.deepEqual(got.map((l) => [l.text, l.lineNo]), [['a', 1], ['b', 3], ['c', 5]]);
  assert.equal(c.skippedLong, 2);
  assert.equal(r.offset, r.size());
  r.close();
});

test('batches are bounded; a checkpoint at an earlier line carries the hash of the bytes before it', () => {
  const f = join(tempDir(), 'a.log');
  writeFileSync(f, Array.from({ length: 25 }, (_, i) => `line ${i}`).join('\n') + '\n');
  const r = new FileReader(f, f, { offset: 0, line: 0 }, 100, { lines: 0, bytes: 0, skippedLong: 0 }, undefined, 10);
  const first = r.read(r.size(), 0);
  assert.equal(first.lines.length, 10);
  assert.equal(r.line, 10);
  const at5 = r.checkpointAt(first.lines[5]!.meta.offset, 5);
  const r2 = new FileReader(f, f, { offset: at5.offset, line: 5, head: at5.headHash, tail: at5.tailHash }, 100, { lines: 0, bytes: 0, skippedLong: 0 });
  assert.ok(r2.valid(r2.size()));
  assert.equal(drain(r2)[0]!.text, 'line 5');
  assert.equal(drain(r).length, 15);
  r.close();
  r2.close();
});
