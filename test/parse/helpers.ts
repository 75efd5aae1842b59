import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { createParser, type ApiErrorEvent, type EventParser, type ParserOptions } from '../../src/parse/index.js';

export const NOW = Date.UTC(2026, 10, 27, 2, 30, 0); // 2026-11-27T02:30:00Z
export const READ_TIME = NOW + 5000;

export function fixture(name: string): string[] {
  const text = readFileSync(fileURLToPath(new URL(`../fixtures/logs/${name}`, import.meta.url)), 'utf8');
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  return lines;
}

export function parser(opts: Partial<ParserOptions> = {}): EventParser {
  return createParser({ source: 'app.log', timezone: 'Asia/Shanghai', now: () => NOW, ...opts });
}

/** Push every line (1-based line numbers, byte offsets), then flush. */
export function run(lines: string[], opts: Partial<ParserOptions> = {}): { events: ApiErrorEvent[]; p: EventParser } {
  const p = parser(opts);
  const events: ApiErrorEvent[] = [];
  let offset = 0;
  lines.forEach((line, i) => {
    events.push(...p.push(line, { lineNo: i + 1, offset, readTime: READ_TIME }));
    offset += Buffer.byteLength(line) + 1;
  });
  events.push(...p.flush());
  return { events, p };
}

/** The event without raw/source/offset, ts as ISO text: compact to assert every field. */
export function view(e: ApiErrorEvent): Record<string, unknown> {
  const { raw: _raw, source: _s, offset: _o, ts, ...rest } = e;
  return { ...rest, ts: new Date(ts).toISOString() };
}

export function byLine(events: ApiErrorEvent[], line: number): ApiErrorEvent {
  const e = events.find((x) => x.line === line);
  if (!e) throw new Error(`no event at line ${line}; events at ${events.map((x) => x.line).join(',')}`);
  return e;
}
