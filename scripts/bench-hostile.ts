/**
 * Hostile-input budgets: the parser and the rule engine must stay linear on inputs built to make
 * them slow (a 10 MB line, 1 MB lines of repeated URL/JSON/dot fragments, a 1 MB description, every
 * bundled rule regex against backtracking bait). Unit tests assert what happens to such input
 * (no event, counted, no throw); how long it takes is a measurement, so it lives here, next to a
 * linear baseline (one indexOf pass over the same bytes) measured in the same run.
 *   npm run bench:hostile            prints the table; exits 1 when a case is over its budget
 * Budgets are generous multiples of what a 2-core VM measures, so a regression to quadratic
 * behaviour (seconds, not milliseconds) fails while machine noise does not.
 */
import { createParser } from '../src/parse/index.js';
import { loadRules, RuleEngine } from '../src/classify/index.js';
import type { ApiErrorEvent } from '../src/parse/event.js';

interface Case { name: string; budgetMs: number; bytes: number; run: () => void }

const NOW = Date.UTC(2026, 10, 27, 2, 30);
const meta = (n: number) => ({ lineNo: n, offset: 0, readTime: NOW });
const parser = () => createParser({ source: 'bench', timezone: 'UTC', now: () => NOW });
const M = 1_000_000;

const cases: Case[] = [];

const huge = '{"level":50,"status":500,"url":"https://a1.easemob.com/acme/chat/users","error":"' + 'x'.repeat(10 * 1024 * 1024) + '"}';
cases.push({ name: '10 MB JSON line (refused as over-long)', budgetMs: 100, bytes: huge.length, run: () => { parser().push(huge, meta(1)); } });

const pathological = [
  ['1 MB of repeated Easemob URLs', 'ERROR ' + 'https://a1.easemob.com/'.repeat(M / 23)],
  ['1 MB of dotted names before Exception', 'ERROR ' + 'a.b.c.d.'.repeat(M / 8) + 'Exception'],
  ['1 MB of "error":"a", fields', 'ERROR x ' + '"error":"a",'.repeat(M / 12)],
  ['1 MB of {', 'ERROR ' + '{'.repeat(M)],
  ['1 MB of a then error', 'a'.repeat(M) + ' error'],
  ['1 MB access-log path', '1.2.3.4 - - [27/Nov/2026:10:17:00 +0800] "GET /' + 'a'.repeat(M) + ' HTTP/1.1" 404 1'],
] as const;
for (const [name, line] of pathological) {
  cases.push({
    name, budgetMs: 500, bytes: line.length * 2,
    run: () => {
      const p = parser();
      p.push('2026-11-27 10:00:00.000 ERROR x - easemob failed', meta(1));
      p.push(line, meta(2));
      p.push(' ' + line, meta(3));
      p.flush();
    },
  });
}

const rules = loadRules();
const engine = new RuleEngine(rules);
const description = 'can not join this group, reason:user: ' + 'x'.repeat(M);
const ev: ApiErrorEvent = {
  ts: NOW, tsFromLine: true, source: 'bench', line: 1, method: 'POST', url: null,
  endpoint: '/chatgroups/{group_id}/users/{username}', appkey: 'acme#im', host: 'a1.easemob.com',
  status: 403, error: 'forbidden_op', errorDescription: description, exception: null, raw: '', parser: 'json',
};
cases.push({ name: 'classify a 1 MB description', budgetMs: 100, bytes: description.length, run: () => { engine.classify(ev); } });

const bait = ['a'.repeat(5000), 'can not join this group, reason:user: '.repeat(200), ' '.repeat(5000) + '!', "'".repeat(4000)];
const regexes = rules.rules.flatMap((r) => r.matches.flatMap((m) => (m.description ? [m.description] : [])));
cases.push({
  name: `${regexes.length} rule regexes × backtracking bait`, budgetMs: 500, bytes: regexes.length * bait.reduce((a, b) => a + b.length, 0),
  run: () => { for (const re of regexes) for (const b of bait) re.test(b); },
});

function time(fn: () => void): number {
  const t0 = process.hrtime.bigint();
  fn();
  return Number(process.hrtime.bigint() - t0) / 1e6;
}

let over = 0;
console.log(`${'case'.padEnd(44)} ${'ms'.padStart(8)} ${'budget'.padStart(8)} ${'indexOf ms'.padStart(11)}`);
for (const c of cases) {
  const ms = Math.min(time(c.run), time(c.run)); // best of two: the first pays for JIT warm-up
  const probe = 'y'.repeat(c.bytes);
  const base = time(() => probe.indexOf('"error"'));
  const bad = ms > c.budgetMs;
  if (bad) over++;
  console.log(`${c.name.padEnd(44)} ${ms.toFixed(1).padStart(8)} ${String(c.budgetMs).padStart(8)} ${base.toFixed(2).padStart(11)}${bad ? '  OVER BUDGET' : ''}`);
}
if (over) {
  console.error(`${over} case(s) over budget`);
  process.exit(1);
}
