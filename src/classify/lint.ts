import type { ApiErrorEvent } from '../parse/event.js';
import { RuleEngine, matchesAlternative } from './engine.js';
import { parseRuleFile, resolveRuleFiles, ruleFilesFor, type LoadOptions, type ParsedFile } from './load.js';
import type { CompiledMatch, CompiledRule } from './rule.js';
import type { ExampleInput } from './schema.js';

export interface LintProblem {
  file: string;
  line?: number;
  key?: string;
  message: string;
  /** `error`: the files would not load; `warning`: they load but a rule is dead or mis-aimed. */
  level: 'error' | 'warning';
}

export interface LintOptions {
  /** Lint in the context of the bundled packs (default true), so overrides and shadowing are seen as at run time. */
  builtin?: boolean;
  /** Which bundled packs (default both: every example is checked against 2.x and 3.x together). */
  packs?: LoadOptions['packs'];
}

/**
 * Problems in rule files, for `apiwatch rules lint`: everything loadRules would refuse, plus
 * warnings for rules that load but cannot work as meant — an alternative that a rule tried
 * earlier always pre-empts (shadowed / duplicate conditions), and `examples` that do not match
 * their own rule or that classify to another rule (which is how a swapped look-alike shows up).
 */
export function lintRuleFiles(files: string[], opts: LintOptions = {}): LintProblem[] {
  const out: LintProblem[] = [];
  const found = ruleFilesFor({ builtin: opts.builtin, packs: opts.packs, files });
  for (const p of found.problems) out.push({ ...p, level: 'error' });
  const parsed: ParsedFile[] = found.files.map(({ file, builtin }) => parseRuleFile(file, builtin));
  const { set, problems } = resolveRuleFiles(parsed);
  for (const p of problems) out.push({ ...p, level: 'error' });

  const engine = new RuleEngine(set);
  const warnings = [...shadowWarnings(engine), ...exampleWarnings(engine)];
  // Read top to bottom per file (stable, so same-line warnings keep their order).
  warnings.sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : (a.line ?? 0) - (b.line ?? 0)));
  return [...out, ...warnings];
}

const keyOf = (r: CompiledRule, m?: CompiledMatch) =>
  `rules[${r.origin.index}]${m ? (r.matches.length > 1 ? `.match[${m.index}]` : '.match') : ''}`;
const where = (r: CompiledRule) => `"${r.id}" (${r.origin.file}${r.origin.line ? `:${r.origin.line}` : ''})`;

/** `outer` accepts every value `inner` accepts (null = no condition = accepts anything). */
function covers<T>(outer: readonly T[] | null, inner: readonly T[] | null): boolean {
  if (outer === null) return true;
  if (inner === null) return false;
  return inner.every((v) => outer.includes(v));
}

function sameRegex(a: RegExp | null, b: RegExp | null): boolean {
  return a === null ? b === null : b !== null && a.source === b.source && a.flags === b.flags;
}

/** B is tried before A and matches at least everything A matches, so A never wins. */
function subsumes(b: CompiledMatch, a: CompiledMatch): boolean {
  if (!!a.noResponse !== !!b.noResponse) return false;
  if (a.noResponse && b.noResponse && b.noResponse !== true && (a.noResponse === true || !a.noResponse.every((k) => (b.noResponse as readonly string[]).includes(k)))) return false;
  // A status-less event matches a status rule only through its error code; keep the check conservative.
  if (b.status !== null && a.status === null) return false;
  return (
    covers(b.status, a.status) &&
    covers(b.error, a.error) &&
    covers(b.method, a.method) &&
    covers(b.endpoint, a.endpoint) &&
    (b.description === null || sameRegex(b.description, a.description)) &&
    // A `description_absent` alternative never matches an event that a description pattern needs.
    (!b.descriptionAbsent || a.descriptionAbsent)
  );
}

function identical(a: CompiledMatch, b: CompiledMatch): boolean {
  const eq = <T>(x: readonly T[] | null, y: readonly T[] | null) => covers(x, y) && covers(y, x);
  return (
    eq(a.status, b.status) && eq(a.error, b.error) && eq(a.method, b.method) && eq(a.endpoint, b.endpoint) &&
    sameRegex(a.description, b.description) && a.descriptionAbsent === b.descriptionAbsent &&
    JSON.stringify(a.noResponse) === JSON.stringify(b.noResponse)
  );
}

function shadowWarnings(engine: RuleEngine): LintProblem[] {
  const out: LintProblem[] = [];
  const alts = engine.ranked;
  for (let i = 0; i < alts.length; i++) {
    const a = alts[i];
    for (let j = 0; j < i; j++) {
      const b = alts[j];
      if (!subsumes(b.m, a.m)) continue;
      const same = identical(a.m, b.m);
      out.push({
        file: a.rule.origin.file,
        line: a.m.line ?? a.rule.origin.line,
        key: keyOf(a.rule, a.m),
        level: 'warning',
        message: same
          ? `rule "${a.rule.id}": duplicate match conditions: rule ${where(b.rule)} has the same conditions and is tried first, so this never matches`
          : `rule "${a.rule.id}": shadowed by rule ${where(b.rule)}, which matches everything this does and is tried first (higher priority or more specific)`,
      });
      break;
    }
  }
  return out;
}

/** The event an example stands for: a bare string is a description; the rest comes from the rule's first alternative. */
export function exampleEvent(rule: CompiledRule, ex: ExampleInput): ApiErrorEvent {
  const m = rule.matches[0];
  const o = typeof ex === 'string' ? { description: ex } : ex;
  const pick = <T>(k: keyof typeof o, dflt: T): T => (k in o ? ((o as Record<string, unknown>)[k] as T) : dflt);
  const noResponseKind = 'no_response' in o ? o.no_response : m.noResponse ? (m.noResponse === true ? 'timeout' : m.noResponse[0]) : undefined;
  const ev: ApiErrorEvent = {
    ts: 0,
    tsFromLine: false,
    source: 'example',
    line: 0,
    method: pick('method', m.method?.[0] ?? null),
    url: null,
    endpoint: pick('endpoint', m.endpoint?.[0] ?? null),
    appkey: 'example-org#example-app',
    host: null,
    status: noResponseKind ? null : pick('status', m.status?.[0] ?? null),
    error: pick('error', m.error?.[0] ?? null),
    errorDescription: pick('description', null),
    exception: null,
    raw: '',
    parser: 'example',
  };
  if (noResponseKind) ev.noResponse = { kind: noResponseKind };
  return ev;
}

function exampleWarnings(engine: RuleEngine): LintProblem[] {
  const out: LintProblem[] = [];
  for (const rule of engine.rules) {
    rule.examples.forEach((ex, k) => {
      const ev = exampleEvent(rule, ex.input);
      const base = { file: rule.origin.file, line: ex.line ?? rule.origin.line, key: `rules[${rule.origin.index}].examples[${k}]`, level: 'warning' as const };
      if (!rule.matches.some((m) => matchesAlternative(m, ev))) {
        out.push({ ...base, message: `rule "${rule.id}": example ${JSON.stringify(ex.input)} does not match the rule's own conditions (check the description regex)` });
        return;
      }
      const hit = engine.match(ev);
      if (hit && hit.rule !== rule) {
        out.push({ ...base, message: `rule "${rule.id}": example ${JSON.stringify(ex.input)} classifies to rule ${where(hit.rule)}${hit.rule.ref ? ` (${hit.rule.ref})` : ''} instead` });
        return;
      }
      // Won, but maybe only by file order: a rule of equal rank class also matches (e.g. an
      // unanchored "Unable to authenticate" next to "... due to corrupt access token").
      const won = rule.matches[hit ? hit.alternative : 0];
      const rival = engine.ranked.find(
        (a) => a.rule !== rule && a.rule.priority === rule.priority && a.m.specificity === won.specificity && matchesAlternative(a.m, ev),
      );
      if (rival) {
        out.push({
          ...base,
          message: `rule "${rule.id}": example ${JSON.stringify(ex.input)} also matches rule ${where(rival.rule)} with the same priority and number of conditions; only file order decides, so make the conditions exclusive (e.g. anchor the regex)`,
        });
      }
    });
  }
  return out;
}
