import type { ApiErrorEvent } from '../parse/event.js';

export const SEVERITIES = ['critical', 'error', 'warning', 'info'] as const;
export type Severity = (typeof SEVERITIES)[number];

/** Fixed vocabulary used by automation: do not rename. */
export const CATEGORIES = [
  'auth', 'config', 'request', 'validation', 'not_found', 'conflict',
  'quota', 'rate_limit', 'payload', 'server', 'timeout', 'unknown',
] as const;
export type Category = (typeof CATEGORIES)[number];

/**
 * The bundled packs, one folder each under rules/: the legacy 2.x table (S/E/T rows) and the 3.x /
 * Agora Chat per-API tables (X rows). Both load by default, 2.x first, so on a tie (equal
 * priority and conditions) a line that fits a 2.x row stays on it.
 */
export const BUNDLED_PACKS = ['easemob-2x', 'easemob-3x'] as const;
export type BundledPack = (typeof BUNDLED_PACKS)[number];

/** Higher is worse. */
export function severityRank(s: Severity): number {
  return 3 - SEVERITIES.indexOf(s);
}
export function atLeast(s: Severity, min: Severity): boolean {
  return severityRank(s) >= severityRank(min);
}

/** What the rule engine says about one event (stage interface classify → incidents). */
export interface Classification {
  /** Row of the Easemob table (E01…E40, S400…S504, T01), null when no row matches. */
  ref: string | null;
  /** Rule id, null when nothing matched. */
  rule: string | null;
  category: Category;
  severity: Severity;
  title: string;
  hint: string;
  hintZh: string;
  retryable: boolean;
  /** Fields of the event that make up the incident fingerprint. */
  groupBy: string[];
  /** Quiet period before auto-resolve (ms), when the rule sets one. */
  resolveAfterMs?: number;
  /** Escalation settings of the rule, passed through for the incident engine. */
  escalate?: Escalation;
  /** Send a notice when the incident resolves. */
  notifyResolved?: boolean;
}

export interface Escalation {
  /** Count within window that raises severity. */
  threshold?: number;
  windowMs?: number;
  to?: Severity;
  /** Page when the rate over the window exceeds `spikeFactor` × the incident's own recent rate. */
  spikeFactor?: number;
}

export interface ClassifiedEvent extends ApiErrorEvent {
  cls: Classification;
  /** Stable incident key: hash of the group-by fields. */
  fingerprint: string;
}

export const DEFAULT_GROUP_BY = ['ref', 'endpoint', 'appkey'];

/** What the pipeline needs from the rule engine. */
export interface Classifier {
  classify(ev: ApiErrorEvent): Classification;
  fingerprint(ev: ApiErrorEvent, cls: Classification): string;
}
