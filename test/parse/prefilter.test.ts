import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { createParser } from '../../src/parse/index.js';
import { candidatePattern, isCandidate } from '../../src/parse/prefilter.js';

// The bulk path (replay) parses only candidate lines and what follows them while an event is
// pending. That is only right if no event ever starts on a line the candidate check rejects:
// every fixture line of every shape, and every line of the table corpus, is held to it here.
const re = candidatePattern();

function starts(lines: string[], label: string): void {
  const p = createParser({ source: label, timezone: 'UTC' });
  const events = lines.flatMap((l, i) => p.push(l, { lineNo: i + 1, offset: 0, readTime: Date.UTC(2026, 10, 27) }));
  events.push(...p.flush());
  for (const ev of events) {
    const line = lines[ev.line - 1];
    assert.ok(isCandidate(line, re), `${label}:${ev.line}: an event starts on a line the candidate check rejects:\n${line.slice(0, 300)}`);
  }
}

test('every event in the parser fixtures starts on a candidate line', () => {
  const dir = new URL('../fixtures/logs/', import.meta.url);
  const files = readdirSync(dir).filter((f) => f.endsWith('.log'));
  assert.ok(files.length >= 6);
  let n = 0;
  for (const f of files) {
    const lines = readFileSync(new URL(f, dir), 'utf8').split('\n');
    starts(lines, f);
    n += lines.length;
  }
  assert.ok(n > 100);
});

test('every event of the table corpus starts on a candidate line', () => {
  const corpus = readFileSync(new URL('../fixtures/table/lines.jsonl', import.meta.url), 'utf8').split('\n').filter(Boolean);
  for (const row of corpus) {
    const e = JSON.parse(row) as { ref: string; shape: string; lines: string[] };
    starts(e.lines, `${e.ref}/${e.shape}`);
  }
});

test('ordinary lines are not candidates (the check is worth having)', () => {
  for (const l of [
    '2026-11-27 10:15:30.123 INFO  [main] c.a.chat.Heartbeat - ok',
    '{"level":30,"time":1764300000000,"msg":"request completed","res":{"statusCode":200},"responseTime":12}',
    '10.0.0.1 - - [27/Nov/2026:10:15:30 +0000] "GET /api/v1/rooms/3 HTTP/1.1" 200 5120 "-" "Mozilla/5.0"',
  ]) {
    assert.equal(isCandidate(l, re), false, l);
  }
});
