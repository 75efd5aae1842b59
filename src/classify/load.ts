import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { globSync, isDynamicPattern } from 'tinyglobby';
import { LineCounter, parseDocument, type Document } from 'yaml';
import { keyName, lineOf, type PathKey } from '../config/yaml-location.js';
import type { z } from 'zod';
import { disableSchema, ruleFileSchema, ruleSchema, type GroupByField, type RuleInput } from './schema.js';
import { regexProblem } from './regex-safety.js';
import { BUNDLED_PACKS, DEFAULT_GROUP_BY, type BundledPack, type Classification, type Escalation } from './types.js';
import { RuleError, type CompiledMatch, type CompiledRule, type RuleProblem, type RuleSet } from './rule.js';


export interface LoadOptions {
  /** Load the bundled rules/ packs first (default true). */
  builtin?: boolean;
  /** Which bundled packs to load (default: all of BUNDLED_PACKS), always in BUNDLED_PACKS order. */
  packs?: readonly BundledPack[];
  /** User rule files or directories (every *.yaml / *.yml inside, recursively, sorted), in precedence order. */
  files?: string[];
}

/** The bundled rule pack. Resolves from both src/classify (tsx) and dist/classify (built). */
export function builtinRulesDir(): string {
  return fileURLToPath(new URL('../../rules/', import.meta.url));
}

/**
 * Expands a file, a directory or a glob into rule files. Directories: *.yaml / *.yml, recursive,
 * sorted by path. A glob (`rules.d/*.yaml`) matching nothing is an error, as a missing file is.
 */
export function expandRulePath(path: string): string[] {
  if (isDynamicPattern(path)) {
    const found = globSync(path, { absolute: true, onlyFiles: true }).sort();
    if (!found.length) throw new RuleError([{ file: path, message: 'no rule file matches this glob' }]);
    return found.flatMap((f) => expandRulePath(f));
  }
  let st;
  try {
    st = statSync(path);
  } catch (err) {
    throw new RuleError([{ file: path, message: `cannot read rule file: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}` }]);
  }
  if (!st.isDirectory()) return [path];
  const out: string[] = [];
  for (const name of readdirSync(path).sort()) {
    const p = join(path, name);
    if (statSync(p).isDirectory()) out.push(...expandRulePath(p));
    else if (/\.ya?ml$/i.test(name)) out.push(p);
  }
  return out;
}

/** A rule file entry after validation: a full rule, or a `{ id, enabled: false }` switch-off. */
export type FileEntry =
  | { kind: 'rule'; rule: CompiledRule; enabled: boolean; line?: number }
  | { kind: 'disable'; id: string; line?: number; index: number };

export interface ParsedFile {
  file: string;
  entries: FileEntry[];
  problems: RuleProblem[];
}

function describeIssue(issue: z.core.$ZodIssue): string {
  switch (issue.code) {
    case 'unrecognized_keys':
      return `unknown key ${issue.keys.map((k) => `"${k}"`).join(', ')}`;
    case 'invalid_type':
      // zod says "Invalid input: expected number, received string": keep the useful half.
      return issue.message.startsWith('Invalid input: ') ? issue.message.slice(15) : `expected ${issue.expected}`;
    case 'invalid_value':
      return `expected one of ${issue.values.map(String).join('|')}`;
    case 'too_small':
      return issue.origin === 'array' ? `expected at least ${String(issue.minimum)} item(s)` : issue.message;
    default:
      return issue.message;
  }
}

/**
 * The union branch whose complaint is most useful: one where the value had the branch's shape
 * and failed deeper (e.g. `match: {status: "409"}` fails inside the object branch, not as "not a
 * list"); else the first branch.
 */
function bestBranch(issue: z.core.$ZodIssueInvalidUnion): z.core.$ZodIssue[] {
  const deep = issue.errors.find((b) => b.some((i) => i.path.length > 0 || i.code !== 'invalid_type'));
  return deep ?? issue.errors[0] ?? [];
}

function zodProblems(err: { issues: z.core.$ZodIssue[] }, prefix: PathKey[], file: string, doc: Document, lc: LineCounter): RuleProblem[] {
  const out: RuleProblem[] = [];
  for (const i of err.issues) {
    const rel = i.path.filter((p): p is PathKey => typeof p !== 'symbol');
    const base = [...prefix, ...rel];
    if (i.code === 'invalid_union') {
      const branch = bestBranch(i);
      if (branch.length) {
        out.push(...zodProblems({ issues: branch }, base, file, doc, lc));
        continue;
      }
    }
    if (i.code === 'unrecognized_keys') {
      // One problem per unknown key, each on its own line.
      for (const k of i.keys) {
        const full = [...base, k];
        out.push({ file, line: lineOf(doc, lc, full), key: keyName(full), message: `unknown key "${k}"` });
      }
      continue;
    }
    out.push({ file, line: lineOf(doc, lc, base), key: keyName(base), message: describeIssue(i) });
  }
  return out;
}

function buildClassification(r: RuleInput): Readonly<Classification> {
  const escalate: Escalation | undefined = r.escalate
    ? Object.freeze({
        ...(r.escalate.threshold !== undefined && { threshold: r.escalate.threshold }),
        ...(r.escalate.window !== undefined && { windowMs: r.escalate.window }),
        ...(r.escalate.to !== undefined && { to: r.escalate.to }),
        ...(r.escalate.spike_factor !== undefined && { spikeFactor: r.escalate.spike_factor }),
      })
    : undefined;
  const cls: Classification = {
    ref: r.ref ?? null,
    rule: r.id,
    category: r.category,
    severity: r.severity,
    title: r.title,
    hint: r.hint.trim(),
    hintZh: r.hint_zh.trim(),
    retryable: r.retryable,
    groupBy: Object.freeze([...(r.group_by ?? DEFAULT_GROUP_BY)]) as string[],
  };
  if (r.resolve_after !== undefined) cls.resolveAfterMs = r.resolve_after;
  if (escalate) cls.escalate = escalate;
  if (r.notify_resolved !== undefined) cls.notifyResolved = r.notify_resolved;
  return Object.freeze(cls);
}

/** Validates one rule file's text. Never throws: problems are returned with file, line and key. */
export function parseRuleText(text: string, file: string, builtin = false): ParsedFile {
  const problems: RuleProblem[] = [];
  const entries: FileEntry[] = [];
  const lc = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lc, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length) {
    for (const e of doc.errors) {
      const line = e.linePos?.[0]?.line ?? (e.pos ? lc.linePos(e.pos[0]).line : undefined);
      const tip = e.code === 'BLOCK_AS_IMPLICIT_KEY' ? ' (a value containing ": " must be quoted)' : '';
      problems.push({ file, line, message: `YAML syntax: ${e.message.split('\n')[0]}${tip}` });
    }
    return { file, entries, problems };
  }
  const raw: unknown = doc.toJS();
  const top = ruleFileSchema.safeParse(raw ?? undefined);
  if (!top.success) {
    if (raw === null || raw === undefined || typeof raw !== 'object' || Array.isArray(raw)) {
      problems.push({ file, line: 1, message: 'expected a mapping with a "rules:" list at the top level' });
    } else {
      problems.push(...zodProblems(top.error, [], file, doc, lc));
    }
    return { file, entries, problems };
  }
  const firstLine = new Map<string, number | undefined>();
  top.data.rules.forEach((entry, index) => {
    const prefix: PathKey[] = ['rules', index];
    const line = lineOf(doc, lc, prefix);
    const id = entry && typeof entry === 'object' && 'id' in entry ? (entry as { id: unknown }).id : undefined;
    if (typeof id === 'string') {
      if (firstLine.has(id)) {
        const first = firstLine.get(id);
        problems.push({
          file,
          line: lineOf(doc, lc, [...prefix, 'id']),
          key: keyName([...prefix, 'id']),
          message: `duplicate id "${id}" (already defined in this file${first ? ` at line ${first}` : ''})`,
        });
        return;
      }
      firstLine.set(id, line);
    }
    const isDisable =
      !!entry && typeof entry === 'object' && !Array.isArray(entry) &&
      (entry as Record<string, unknown>).enabled === false &&
      Object.keys(entry).every((k) => k === 'id' || k === 'enabled');
    if (isDisable) {
      const d = disableSchema.safeParse(entry);
      if (!d.success) problems.push(...zodProblems(d.error, prefix, file, doc, lc));
      else entries.push({ kind: 'disable', id: d.data.id, line, index });
      return;
    }
    const r = ruleSchema.safeParse(entry);
    if (!r.success) {
      problems.push(...zodProblems(r.error, prefix, file, doc, lc));
      return;
    }
    const rawMatch = (entry as { match: unknown }).match;
    const matchIsList = Array.isArray(rawMatch);
    const matches: CompiledMatch[] = [];
    r.data.match.forEach((m, j) => {
      const mPath: PathKey[] = matchIsList ? [...prefix, 'match', j] : [...prefix, 'match'];
      let description: RegExp | null = null;
      if (m.description !== undefined) {
        const why = regexProblem(m.description);
        if (why) {
          const p = [...mPath, 'description'];
          problems.push({ file, line: lineOf(doc, lc, p), key: keyName(p), message: `rule "${r.data.id}": ${why}` });
          return;
        }
        description = new RegExp(m.description, 'i');
      }
      const status = m.status ?? null;
      const error = m.error ? m.error.map((e) => e.trim().toLowerCase()) : null;
      const method = m.method ?? null;
      const endpoint = m.endpoint ?? null;
      const noResponse = m.no_response ?? null;
      const specificity =
        (status ? 1 : 0) + (error ? 1 : 0) + (description || m.description_absent ? 1 : 0) + (method ? 1 : 0) + (endpoint ? 1 : 0) + (noResponse ? 1 : 0);
      const errorRequired = m.error_required ?? false;
      matches.push({ status, error, errorRequired, description, descriptionAbsent: m.description_absent === true, method, endpoint, noResponse, specificity, index: j, line: lineOf(doc, lc, mPath) });
    });
    if (matches.length !== r.data.match.length) return;
    const rule: CompiledRule = {
      id: r.data.id,
      ref: r.data.ref ?? null,
      category: r.data.category,
      severity: r.data.severity,
      title: r.data.title,
      priority: r.data.priority,
      matches,
      groupBy: r.data.group_by ?? (DEFAULT_GROUP_BY as GroupByField[]),
      examples: (r.data.examples ?? []).map((input, k) => ({ input, line: lineOf(doc, lc, [...prefix, 'examples', k]) })),
      origin: { file, line, index, builtin },
      classification: buildClassification(r.data),
    };
    if (r.data.why !== undefined) rule.why = r.data.why;
    entries.push({ kind: 'rule', rule, enabled: r.data.enabled, line });
  });
  // Zod reports in schema order; users read files top to bottom.
  problems.sort((a, b) => (a.line ?? 0) - (b.line ?? 0));
  return { file, entries, problems };
}

export function parseRuleFile(file: string, builtin = false): ParsedFile {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    return { file, entries: [], problems: [{ file, message: `cannot read rule file: ${(err as Error).message}` }] };
  }
  return parseRuleText(text, file, builtin);
}

/**
 * Resolves parsed files in order into the active rule set. A rule whose id was loaded from an
 * earlier file replaces it whole (no field merging: a partial override would silently keep a
 * stale regex or severity); `{ id, enabled: false }` removes it.
 */
export function resolveRuleFiles(parsed: ParsedFile[]): { set: RuleSet; problems: RuleProblem[] } {
  const problems = parsed.flatMap((p) => p.problems);
  const active = new Map<string, CompiledRule>();
  const known = new Set<string>();
  const disabled: string[] = [];
  const overridden: string[] = [];
  for (const p of parsed) {
    for (const e of p.entries) {
      if (e.kind === 'disable') {
        if (!known.has(e.id)) {
          problems.push({ file: p.file, line: e.line, key: `rules[${e.index}].id`, message: `no rule with id "${e.id}" was loaded before this file, so there is nothing to disable` });
          continue;
        }
        active.delete(e.id);
        disabled.push(e.id);
        continue;
      }
      const id = e.rule.id;
      const prev = active.get(id);
      if (prev && prev.origin.builtin && !e.rule.origin.builtin) overridden.push(id);
      // Delete first so the replacement takes its load position after everything before it.
      active.delete(id);
      known.add(id);
      if (e.enabled) active.set(id, e.rule);
      else disabled.push(id);
    }
  }
  return {
    set: { rules: [...active.values()], files: parsed.map((p) => p.file), disabled, overridden },
    problems,
  };
}

/** Which files loadRules reads, in order; paths that cannot be read become problems. */
export function ruleFilesFor(opts: LoadOptions = {}): { files: { file: string; builtin: boolean }[]; problems: RuleProblem[] } {
  const files: { file: string; builtin: boolean }[] = [];
  const problems: RuleProblem[] = [];
  const add = (path: string, builtin: boolean) => {
    try {
      for (const file of expandRulePath(path)) files.push({ file, builtin });
    } catch (err) {
      if (!(err instanceof RuleError)) throw err;
      problems.push(...err.problems);
    }
  };
  if (opts.builtin !== false) {
    const packs = opts.packs ?? BUNDLED_PACKS;
    for (const pack of BUNDLED_PACKS) if (packs.includes(pack)) add(join(builtinRulesDir(), pack), true);
  }
  for (const path of opts.files ?? []) add(path, false);
  return { files, problems };
}

/**
 * Loads the bundled pack plus user files. Synchronous (startup-only, a few small files);
 * `await loadRules(...)` works too. Throws RuleError listing every problem in every file.
 */
export function loadRules(opts: LoadOptions = {}): RuleSet {
  const { files, problems: missing } = ruleFilesFor(opts);
  const parsed = files.map(({ file, builtin }) => parseRuleFile(file, builtin));
  const { set, problems } = resolveRuleFiles(parsed);
  if (missing.length || problems.length) throw new RuleError([...missing, ...problems]);
  return set;
}
