import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { fixture, run, NOW } from './helpers.js';

// A record's time is kept whatever its age: read 30 days after it was written (replay of last
// month's log), every event of every fixture shape keeps the time its record states. Only records
// that state a time of day and no date (pino-pretty `[10:15:30]`) are read as "today" — there is
// no date to keep.
const DAY = 86400000;
const LATER = NOW + 30 * DAY;
const CLOCK_ONLY = /^\[?\d{2}:\d{2}:\d{2}/;

const files = readdirSync(new URL('../fixtures/logs/', import.meta.url)).filter((f) => f.endsWith('.log')).sort();

test('the fixtures cover many shapes', () => {
  assert.ok(files.length >= 10, files.join(', '));
});

for (const f of files) {
  test(`age: ${f} read 30 days later keeps every record's own time`, () => {
    const lines = fixture(f);
    const now = run(lines).events;
    const later = run(lines, { now: () => LATER }).events;
    assert.equal(later.length, now.length, 'the same events');
    let kept = 0;
    for (let i = 0; i < now.length; i++) {
      const a = now[i];
      const b = later[i];
      assert.equal(b.line, a.line);
      if (!a.tsFromLine || CLOCK_ONLY.test(a.raw)) continue;
      assert.equal(b.tsFromLine, true, `${f}:${a.line}: time from the record`);
      assert.equal(new Date(b.ts).toISOString(), new Date(a.ts).toISOString(), `${f}:${a.line}`);
      assert.ok(LATER - b.ts > 29 * DAY, `${f}:${a.line}: a month old`);
      kept++;
    }
    if (now.length) assert.ok(kept > 0, `${f}: at least one event dated by its record`);
  });
}
