// Silence matchers as Alertmanager writes them: NAME=VALUE, NAME!=VALUE, NAME=~REGEX, NAME!~REGEX.
// Parsing and matching know nothing of the store; validation takes the vocabulary (known refs and
// rule ids from the loaded packs) so a silence that can never match is refused before it is saved.
import { CATEGORIES, SEVERITIES } from '../classify/types.js';
import { regexProblem } from '../classify/regex-safety.js';
import { SILENCE_FIELDS } from '../config/schema.js';
import type { Incident } from './types.js';

export type SilenceField = (typeof SILENCE_FIELDS)[number];
export const MATCH_OPS = ['=', '!=', '=~', '!~'] as const;
export type MatchOp = (typeof MATCH_OPS)[number];

export interface Matcher {
  name: SilenceField;
  /** Absent in silences stored before operators existed: those are `=`. */
  op?: MatchOp;
  value: string;
}

export class MatcherError extends Error {}

/** Longest operator first, so `=~` is not read as `=` with a value starting `~`. */
const MATCHER_RE = /^\s*([A-Za-z_]+)\s*(=~|!~|!=|=)\s*(.*?)\s*$/s;

/** `"a b"` → `a b`, as Alertmanager's matcher syntax allows quoted values. */
function unquote(v: string): string {
  if (v.length >= 2 && v.startsWith('"') && v.endsWith('"')) return v.slice(1, -1).replace(/\\(["\\])/g, '$1');
  return v;
}

export function parseMatcher(text: string): Matcher {
  const m = MATCHER_RE.exec(text);
  const fields = SILENCE_FIELDS.join(', ');
  if (!m) throw new MatcherError(`bad matcher "${text}": expected NAME=VALUE, NAME!=VALUE, NAME=~REGEX or NAME!~REGEX with NAME one of ${fields}`);
  const [, name, op, raw] = m;
  if (!(SILENCE_FIELDS as readonly string[]).includes(name)) throw new MatcherError(`bad matcher "${text}": unknown name "${name}"; expected NAME one of ${fields}`);
  const value = unquote(raw);
  if (value === '' && (op === '=' || op === '!=')) throw new MatcherError(`bad matcher "${text}": empty value (use ${name}=~.+ to match any value)`);
  if (op === '=~' || op === '!~') {
    const problem = regexProblem(value);
    if (problem) throw new MatcherError(`bad matcher "${text}": ${problem}`);
  }
  return { name: name as SilenceField, op: op as MatchOp, value };
}

export function formatMatcher(m: Matcher): string {
  return `${m.name}${m.op ?? '='}${m.value}`;
}

/** Anchored like Alertmanager's (`^(?:re)$`), case-sensitive. Compiled once per pattern. */
const compiled = new Map<string, RegExp>();
const MAX_CACHED = 500;
function anchored(re: string): RegExp {
  let r = compiled.get(re);
  if (!r) {
    if (compiled.size >= MAX_CACHED) compiled.clear();
    r = new RegExp(`^(?:${re})$`, 's');
    compiled.set(re, r);
  }
  return r;
}

export function fieldOf(inc: Incident, name: SilenceField): string {
  const v = name === 'id' ? inc.id : name === 'host' ? inc.last_host : inc[name];
  return v === null || v === undefined ? '' : String(v);
}

/**
 * `=` keeps apiwatch's two conveniences from before operators existed: `VALUE*` is a prefix and
 * `endpoint=/messages` covers the paths below it. `=~`/`!~` are plain anchored regexes.
 */
export function equalsValue(actual: string, want: string, name?: SilenceField): boolean {
  if (want.endsWith('*')) return actual.startsWith(want.slice(0, -1));
  if (name === 'endpoint' && want.startsWith('/') && actual.startsWith(want.endsWith('/') ? want : want + '/')) return true;
  return actual === want;
}

export function valueMatches(actual: string, m: Matcher): boolean {
  switch (m.op ?? '=') {
    case '=':
      return equalsValue(actual, m.value, m.name);
    case '!=':
      return !equalsValue(actual, m.value, m.name);
    case '=~':
      return anchored(m.value).test(actual);
    case '!~':
      return !anchored(m.value).test(actual);
  }
}

/** Every matcher must hold (AND), like Alertmanager. */
export function matchesAll(inc: Incident, matchers: Matcher[]): boolean {
  return matchers.every((m) => valueMatches(fieldOf(inc, m.name), m));
}

/** What values exist for the closed fields. Refs and rules come from the loaded rule packs. */
export interface Vocabulary {
  refs: readonly string[];
  rules: readonly string[];
}

const MAX_LISTED = 60;
function listed(values: readonly string[]): string {
  const sorted = [...values].sort();
  return sorted.length > MAX_LISTED ? `${sorted.slice(0, MAX_LISTED).join(', ')}, … (${sorted.length} in all)` : sorted.join(', ');
}

function closedValues(name: SilenceField, vocab: Vocabulary): readonly string[] | null {
  switch (name) {
    case 'severity':
      return SEVERITIES;
    case 'category':
      return CATEGORIES;
    case 'ref':
      return vocab.refs;
    case 'rule':
      return vocab.rules;
    default:
      return null; // appkey, endpoint, host, …: open-ended
  }
}

/**
 * Refuses a matcher on a closed field (ref, rule, severity, category) whose value names nothing
 * that exists, or whose regex matches none of the values: such a silence can never do what its
 * author meant (`severity=crit`, `ref=E99`). The message lists the valid values.
 */
export function validateMatcher(m: Matcher, vocab: Vocabulary): void {
  const values = closedValues(m.name, vocab);
  if (!values || !values.length) return;
  const op = m.op ?? '=';
  const hits = values.filter((v) => (op === '=' || op === '!=' ? equalsValue(v, m.value, m.name) : anchored(m.value).test(v)));
  if (hits.length) return;
  const what = op === '=~' || op === '!~' ? `regex "${m.value}" matches no ${m.name}` : `unknown ${m.name} "${m.value}"`;
  throw new MatcherError(`bad matcher "${formatMatcher(m)}": ${what}; valid values: ${listed(values)}`);
}

/** Refs and rule ids of the loaded rules, plus any already on stored incidents (rules may have changed since). */
export function vocabularyOf(rules: readonly { id: string; ref: string | null }[], stored: readonly { ref: string | null; rule: string | null }[] = []): Vocabulary {
  const refs = new Set<string>();
  const ids = new Set<string>();
  for (const r of [...rules.map((x) => ({ ref: x.ref, rule: x.id })), ...stored]) {
    if (r.ref) refs.add(r.ref);
    if (r.rule) ids.add(r.rule);
  }
  return { refs: [...refs], rules: [...ids] };
}
