import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { loadRules, RuleEngine } from '../../src/classify/index.js';
import { ev } from './helpers.js';

/**
 * test/fixtures/table/lines.jsonl is the log-line corpus for the end-to-end test (parser →
 * classifier), written by hand per row of the table. Here we only check it is well-formed,
 * covers every row in at least two shapes, and that the Easemob bodies it embeds are labelled
 * with the row our rules give them (so a mislabelled line cannot make the e2e test lie).
 */
const FILE = new URL('../fixtures/table/lines.jsonl', import.meta.url);
const SHAPES = new Set([
  'pino', 'winston', 'spring', 'sdk1', 'sdk2', 'access', 'axios-timeout', 'java-timeout', 'python-timeout',
  // real-format hardening: PHP Guzzle/Monolog, OkHttp, .NET Serilog, Ruby Faraday, log4j2, Go, app wording
  'app-wording', 'faraday', 'go-tls', 'guzzle-curl', 'guzzle-truncated', 'log4j2-json', 'okhttp-interceptor',
  'okhttp-logcat', 'python-logging-failed', 'serilog-clef', 'serilog-json',
]);
const REFS = [
  ...['S400', 'S401', 'S403', 'S404', 'S405', 'S408', 'S413', 'S415', 'S429', 'S500', 'S501', 'S502', 'S503', 'S504'],
  ...Array.from({ length: 40 }, (_, i) => `E${String(i + 1).padStart(2, '0')}`),
  'T01',
];
/** 3.x rows a few corpus lines carry (bodies the 2.x table filed under their status row). */
const REFS_3X = ['X120', 'X143'];

interface Entry {
  ref: string;
  shape: string;
  lines: string[];
}

const text = readFileSync(FILE, 'utf8');
const entries: Entry[] = text
  .split('\n')
  .filter((l) => l.trim() !== '')
  .map((l, i) => {
    try {
      return JSON.parse(l) as Entry;
    } catch (err) {
      throw new Error(`lines.jsonl:${i + 1}: not JSON: ${(err as Error).message}`);
    }
  });

test('corpus: every line is a {ref, shape, lines} object', () => {
  assert.ok(text.endsWith('\n'));
  for (const [i, e] of entries.entries()) {
    const where = `lines.jsonl:${i + 1}`;
    assert.deepEqual(Object.keys(e).sort(), ['lines', 'ref', 'shape'], where);
    assert.ok(REFS.includes(e.ref) || REFS_3X.includes(e.ref), `${where}: ref ${e.ref}`);
    assert.ok(SHAPES.has(e.shape), `${where}: shape ${e.shape}`);
    assert.ok(Array.isArray(e.lines) && e.lines.length >= 1, where);
    for (const l of e.lines) {
      assert.equal(typeof l, 'string');
      assert.ok(!l.includes('\n'), `${where}: one log line per entry`);
    }
    if (['pino', 'winston', 'axios-timeout'].includes(e.shape)) for (const l of e.lines) JSON.parse(l);
    if (e.shape === 'sdk1') assert.equal(e.lines.length % 2, 0, `${where}: sdk1 events are two lines`);
  }
});

test('corpus: every row of the table in at least two shapes', () => {
  const shapes = new Map<string, Set<string>>();
  for (const e of entries) {
    if (!shapes.has(e.ref)) shapes.set(e.ref, new Set());
    shapes.get(e.ref)!.add(e.shape);
  }
  for (const r of REFS) assert.ok((shapes.get(r)?.size ?? 0) >= 2, `${r}: ${[...(shapes.get(r) ?? [])].join(', ')}`);
  assert.ok(entries.filter((e) => e.shape === 'access').every((e) => e.ref.startsWith('S')));
  assert.ok(entries.filter((e) => e.shape.endsWith('timeout')).every((e) => e.ref === 'T01'));
});

/** Just enough URL → template for the rows that depend on it (E31/E32). */
function endpointOf(url: string): string {
  const path = new URL(url, 'https://x').pathname.replace(/^\/[^/]+\/[^/]+/, '');
  return path.replace(/^\/users\/[^/]+$/, '/users/{username}');
}

test('corpus: embedded Easemob bodies classify to the labelled row', () => {
  const engine = new RuleEngine(loadRules());
  let checked = 0;
  for (const e of entries) {
    for (const line of e.lines) {
      let status: number | null = null;
      let method: string | null = null;
      let url: string | null = null;
      let body: unknown;
      if (e.shape === 'pino') {
        const o = JSON.parse(line);
        if (!o.res) continue;
        ({ statusCode: status } = o.res);
        ({ method, url } = o.req);
        body = o.res.body;
      } else if (e.shape === 'winston') {
        const o = JSON.parse(line);
        status = o.status;
        [, method, url] = /Easemob API (\w+) (\S+)/.exec(o.message)!;
        body = o.response ? JSON.parse(o.response) : null;
      } else if (e.shape === 'spring') {
        const m = /Easemob call (\w+) (\S+) failed: \S+: (\d{3}) [^:]*: "(.*)"$/.exec(line);
        if (!m) continue;
        [, method, url] = m;
        status = Number(m[3]);
        body = m[4] ? JSON.parse(m[4]) : null;
      } else if (e.shape === 'sdk2') {
        body = JSON.parse(line.slice(line.indexOf('{')));
      } else if (e.shape === 'access') {
        const m = /"(\w+) (\S+) HTTP\/1\.1" (\d{3})/.exec(line)!;
        [, method, url] = m;
        status = Number(m[3]);
      } else continue;
      const b = body && typeof body === 'object' ? (body as Record<string, string>) : null;
      const cls = engine.classify(
        ev({
          status,
          method,
          endpoint: url ? endpointOf(url) : null,
          error: b?.error ?? null,
          description: b?.error_description ?? (typeof body === 'string' && body ? body : null),
        }),
      );
      assert.equal(cls.ref, e.ref, `${e.ref}/${e.shape}: ${line.slice(0, 160)}`);
      checked++;
    }
  }
  assert.ok(checked > 150, `checked ${checked}`);
});
