import type { FailureKind } from '../parse/event.js';
import type { Category, Classification, Severity } from './types.js';
import type { ExampleInput, GroupByField } from './schema.js';

/** One problem in a rule file: file, 1-based line when known, key path like `rules[3].severity`. */
export interface RuleProblem {
  file: string;
  line?: number;
  key?: string;
  message: string;
}

export function formatProblem(p: RuleProblem): string {
  return `${p.file}${p.line ? `:${p.line}` : ''}: ${p.key ? `${p.key}: ` : ''}${p.message}`;
}

/** Rule files that cannot be loaded; carries every problem found, not just the first. */
export class RuleError extends Error {
  constructor(readonly problems: RuleProblem[]) {
    super(problems.map(formatProblem).join('\n'));
    this.name = 'RuleError';
  }
}

/** One compiled alternative of a rule's `match` (conditions are ANDed). */
export interface CompiledMatch {
  /** HTTP statuses (any of), or null when the rule does not look at the status. */
  status: readonly number[] | null;
  /** Lower-cased Easemob error codes (any of), or null. */
  error: readonly string[] | null;
  /** The event must carry the error code (no tolerance for a missing one). */
  errorRequired: boolean;
  description: RegExp | null;
  /** The event must carry no description (schema `description_absent`). */
  descriptionAbsent: boolean;
  /** Upper-case methods, or null. */
  method: readonly string[] | null;
  endpoint: readonly string[] | null;
  /** null: not a no-response rule; true: any no-response; list: those kinds. */
  noResponse: true | readonly FailureKind[] | null;
  /** Number of conditions: more conditions = more specific = tried first. */
  specificity: number;
  /** Index of this alternative in the rule's `match` list. */
  index: number;
  line?: number;
}

export interface RuleOrigin {
  file: string;
  /** Line of the rule's `- id:` entry. */
  line?: number;
  /** Index in the file's `rules` list (for key paths like `rules[3]`). */
  index: number;
  builtin: boolean;
}

export interface CompiledExample {
  input: ExampleInput;
  line?: number;
}

export interface CompiledRule {
  id: string;
  ref: string | null;
  category: Category;
  severity: Severity;
  title: string;
  priority: number;
  matches: CompiledMatch[];
  groupBy: readonly GroupByField[];
  examples: CompiledExample[];
  why?: string;
  origin: RuleOrigin;
  /** Frozen, shared result handed out by classify() for this rule (no per-event allocation). */
  classification: Readonly<Classification>;
}

export interface RuleSet {
  /** Enabled rules, in load order (bundled first, then user files in the order given). */
  rules: CompiledRule[];
  /** Files read, in order. */
  files: string[];
  /** Ids turned off by `enabled: false`. */
  disabled: string[];
  /** Ids of bundled rules replaced by a user rule with the same id. */
  overridden: string[];
}
