import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createParser } from '../../src/parse/index.js';
import { loadRules, RuleEngine } from '../../src/classify/index.js';
import type { ApiErrorEvent } from '../../src/parse/event.js';

interface Entry {
  ref: string;
  shape: string;
  lines: string[];
  note?: string;
}

const corpus: Entry[] = readFileSync(new URL('../fixtures/table/lines.jsonl', import.meta.url), 'utf8')
  .split('\n')
  .filter((l) => l.trim())
  .map((l) => JSON.parse(l));
const engine = new RuleEngine(loadRules({ builtin: true }));

function eventsOf(lines: string[]): ApiErrorEvent[] {
  const p = createParser({ source: 'corpus.log', timezone: 'UTC' });
  const out: ApiErrorEvent[] = [];
  lines.forEach((text, i) => out.push(...p.push(text, { lineNo: i + 1, offset: 0, readTime: Date.UTC(2026, 10, 27) })));
  out.push(...p.flush());
  return out;
}

test('the corpus covers all 55 refs of the 2.x table in at least two shapes each', () => {
  const shapes = new Map<string, Set<string>>();
  for (const e of corpus) if (!e.ref.startsWith('X')) (shapes.get(e.ref) ?? shapes.set(e.ref, new Set()).get(e.ref)!).add(e.shape);
  assert.equal(shapes.size, 55);
  for (const [ref, s] of shapes) assert.ok(s.size >= 2, `${ref} has only ${[...s]}`);
});

// Log lines, through the real parser and the bundled rules, land on exactly their row.
for (const e of corpus) {
  test(`${e.ref} from ${e.shape} lines`, () => {
    const events = eventsOf(e.lines);
    assert.ok(events.length >= 1, 'at least one event');
    for (const ev of events) {
      const cls = engine.classify(ev);
      const seen = { line: ev.line, status: ev.status, error: ev.error, description: ev.errorDescription, method: ev.method, endpoint: ev.endpoint };
      assert.equal(cls.ref, e.ref, `classified ${cls.ref} (${cls.rule}); event ${JSON.stringify(seen)}`);
    }
  });
}
