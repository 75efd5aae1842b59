import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { createParser, type ApiErrorEvent } from '../../src/parse/index.js';
import { loadRules, RuleEngine } from '../../src/classify/index.js';

// The regression corpus: logs written by real HTTP clients and loggers (test/fixtures/realistic/),
// classified through the real parser and rules and scored with score.py's rules — per log the
// multiset of expected refs against detected refs; fp = detections of a ref beyond what the log
// holds; a 3.x ref counts as its 2.x twin (same_as) or, inside a fallback event of its status, as
// that event's S row. No later change may bring false pages back.
const MIN_ACCURACY = 0.99;
const MAX_FP = 0;
/**
 * The sets from libraries outside the shared kit (tools/realistic-ext: PHP Guzzle + Monolog, Python
 * requests + structlog/loguru, Ruby Faraday, Go log/zap) are not at the target: nearly all of what
 * is left is the kit's Ruby `resp` style, whose record (`failed [req-…]: the server responded with
 * status 503: <html>…`, no URL, no progname, no Easemob body) holds no evidence of an Easemob call
 * — 18 events of seed 7, 14 of seed 31337 — and whose `get user`/`delete user` 404s carry no
 * endpoint, so they are E30 (counted as fp) where the truth says E31/E32. Gated at today's figures
 * so they can only get better; the README's "What it recognises" names the gap.
 */
const KNOWN_GAP: Record<string, { accuracy: number; fp: number }> = {
  'ext-seed-7': { accuracy: 0.974, fp: 3 },
  'ext-seed-31337': { accuracy: 0.979, fp: 3 },
};

interface TruthEvent { line: number; end_line: number; ref: string; shape: string; fallback?: boolean }
interface Truth { log: string; client: string; events: TruthEvent[] }

const ROOT = new URL('../fixtures/realistic/', import.meta.url);
const X3 = (JSON.parse(readFileSync(new URL('x3-rows.json', ROOT), 'utf8')) as { rows: Record<string, [number, string | null]> }).rows;
const engine = new RuleEngine(loadRules({ builtin: true, files: [] }));
// Log times are whatever day the kit ran; the parser keeps them (a replayed log keeps its dates).
const NOW = Date.UTC(2026, 11, 2, 12);

function detect(text: string, source: string): { line: number; ref: string | null }[] {
  const p = createParser({ source, timezone: 'UTC', now: () => NOW });
  const events: ApiErrorEvent[] = [];
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  lines.forEach((l, i) => events.push(...p.push(l, { lineNo: i + 1, offset: 0, readTime: NOW })));
  events.push(...p.flush());
  return events.map((e) => ({ line: e.line, ref: engine.classify(e).ref }));
}

interface Score { expected: number; refOk: number; fp: number; located: number; shapes: Map<string, [number, number]> }

export function scoreLog(truth: Truth, dets: { line: number; ref: string | null }[]): Score {
  const span = new Map<number, TruthEvent>();
  for (const e of truth.events) for (let l = e.line; l <= e.end_line; l++) span.set(l, e);
  const refs = dets.map((d) => {
    const r = d.ref;
    if (!r || !(r in X3)) return r;
    const [status, same] = X3[r];
    if (same) return same;
    const e = span.get(d.line);
    return e && e.fallback && e.ref === `S${status}` ? e.ref : r;
  });
  const exp = new Map<string, number>();
  for (const e of truth.events) exp.set(e.ref, (exp.get(e.ref) ?? 0) + 1);
  const det = new Map<string, number>();
  for (const r of refs) if (r) det.set(r, (det.get(r) ?? 0) + 1);
  let refOk = 0;
  let fp = 0;
  for (const [r, n] of exp) refOk += Math.min(n, det.get(r) ?? 0);
  for (const [r, n] of det) fp += Math.max(0, n - (exp.get(r) ?? 0));
  // Location: a detection whose line falls inside the expected record, with the right ref.
  const hit = new Map<TruthEvent, Set<string>>();
  dets.forEach((d, i) => {
    const e = span.get(d.line);
    if (!e) return;
    if (!hit.has(e)) hit.set(e, new Set());
    if (refs[i]) hit.get(e)!.add(refs[i] as string);
  });
  const shapes = new Map<string, [number, number]>();
  let located = 0;
  for (const e of truth.events) {
    const ok = hit.get(e)?.has(e.ref) ?? false;
    if (ok) located++;
    const key = `${truth.client}/${e.shape}`;
    const s = shapes.get(key) ?? [0, 0];
    shapes.set(key, [s[0] + (ok ? 1 : 0), s[1] + 1]);
  }
  return { expected: truth.events.length, refOk, fp, located, shapes };
}

// Every set in the folder is held to the same bar (a set added later is gated from its first day).
const sets = readdirSync(ROOT).filter((d) => existsSync(new URL(`${d}/truth/`, ROOT))).sort();

test('the realistic corpus holds both kit seeds', () => {
  assert.ok(sets.includes('seed-20240611') && sets.includes('seed-7'), sets.join(', '));
});

for (const set of sets) {
  const minAccuracy = KNOWN_GAP[set]?.accuracy ?? MIN_ACCURACY;
  const maxFp = KNOWN_GAP[set]?.fp ?? MAX_FP;
  test(`realistic ${set}: accuracy >= ${minAccuracy}, ${maxFp} false positives, every event inside its record`, () => {
    const dir = new URL(`${set}/`, ROOT);
    const names = readdirSync(new URL('truth/', dir)).filter((f) => f.endsWith('.json')).sort();
    assert.ok(names.length >= 7, `${set}: ${names.length} logs`);
    let expected = 0;
    let refOk = 0;
    let fp = 0;
    let located = 0;
    const report: string[] = [];
    for (const n of names) {
      const truth = JSON.parse(readFileSync(new URL(`truth/${n}`, dir), 'utf8')) as Truth;
      const text = gunzipSync(readFileSync(new URL(`logs/${truth.log}.gz`, dir))).toString('utf8');
      const s = scoreLog(truth, detect(text, truth.log));
      expected += s.expected;
      refOk += s.refOk;
      fp += s.fp;
      located += s.located;
      for (const [k, [ok, all]] of s.shapes) if (ok < all) report.push(`${k} ${ok}/${all}`);
      if (s.fp) report.push(`${truth.log}: fp ${s.fp}`);
    }
    const acc = refOk / expected;
    const msg = `${set}: accuracy ${acc.toFixed(4)} (${refOk}/${expected}), fp ${fp}, located ${located}; ${report.join('; ')}`;
    assert.ok(acc >= minAccuracy, msg);
    assert.ok(fp <= maxFp, msg);
    assert.ok(located / expected >= minAccuracy, msg);
  });
}

test('the scorer itself: the truth scores perfect, a perturbed copy loses what was changed', () => {
  const truth: Truth = {
    log: 'x.log', client: 'c',
    events: [
      { line: 1, end_line: 2, ref: 'E31', shape: 'a' },
      { line: 5, end_line: 5, ref: 'S429', shape: 'b' },
      { line: 9, end_line: 9, ref: 'S400', shape: 'b', fallback: true },
    ],
  };
  const perfect = scoreLog(truth, [{ line: 2, ref: 'E31' }, { line: 5, ref: 'S429' }, { line: 9, ref: 'S400' }]);
  assert.deepEqual([perfect.refOk, perfect.fp, perfect.located], [3, 0, 3]);
  const x3 = Object.entries(X3).find(([, [st, same]]) => st === 400 && !same)?.[0];
  assert.ok(x3, 'a 3.x row of status 400 without a 2.x twin');
  const pert = scoreLog(truth, [{ line: 2, ref: 'E31' }, { line: 7, ref: 'E37' }, { line: 9, ref: x3 }, { line: 20, ref: null }]);
  assert.deepEqual([pert.refOk, pert.fp, pert.located], [2, 1, 2]);
});
