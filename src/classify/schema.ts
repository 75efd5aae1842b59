import { z } from 'zod';
import { parseDuration } from '../config/duration.js';
import { CATEGORIES, SEVERITIES } from './types.js';

/**
 * Zod schema of a rule file. Shapes only: regex compilation and safety, duplicate ids and
 * override/disable resolution happen in load.ts, where file and line are known.
 */

/** Event / classification fields a rule may group incidents by. */
export const GROUP_BY_FIELDS = [
  'ref', 'rule', 'category', 'status', 'error', 'endpoint', 'method', 'appkey', 'host', 'source', 'parser',
] as const;
export type GroupByField = (typeof GROUP_BY_FIELDS)[number];

export const FAILURE_KINDS = ['timeout', 'reset', 'refused', 'dns', 'other'] as const;

const duration = z.string().transform((s, ctx) => {
  const ms = parseDuration(s);
  if (ms === null || ms <= 0) {
    ctx.addIssue({ code: 'custom', message: `expected a duration like "90s", "30m", "4h" or "1d", got "${s}"` });
    return z.NEVER;
  }
  return ms;
});

/** One value or a non-empty list of values, normalised to a list. */
function oneOrMany<T extends z.ZodType>(item: T) {
  return z
    .union([item, z.array(item).min(1)])
    .transform((v) => (Array.isArray(v) ? v : [v]) as z.output<T>[]);
}

const httpStatus = z.number().int().min(100).max(599);
const method = z
  .string()
  .regex(/^[A-Za-z]+$/, 'expected an HTTP method such as GET or DELETE')
  .transform((m) => m.toUpperCase());
const endpoint = z.string().regex(/^\/\S*$/, 'expected an endpoint template starting with "/", e.g. /users/{username}');

/** Conditions of one match alternative; every present condition must hold (AND). */
export const matchSchema = z
  .strictObject({
    status: oneOrMany(httpStatus).optional(),
    /** Easemob `error` code; compared case-insensitively, exact. */
    error: oneOrMany(z.string().min(1)).optional(),
    /** Regex source tested against the trimmed `error_description` (compiled with the `i` flag). */
    description: z.string().min(1).optional(),
    method: oneOrMany(method).optional(),
    /** Endpoint templates (exact), as the parser normalises them: `/users/{username}`. */
    endpoint: oneOrMany(endpoint).optional(),
    /**
     * An event without an error code (the Java SDK 1.x logs none) may still match a rule whose
     * description pattern vouches for it; `error_required: true` refuses that, for rows whose
     * description is shared with another row (E04/E16).
     */
    error_required: z.boolean().optional(),
    /**
     * Matches only a body that carries no `error_description` (a body summary cut before it, as
     * Guzzle's 120-byte one): the error code and the call then name the row, while a body whose
     * description names another row is still not this one.
     */
    description_absent: z.literal(true).optional(),
    /** Matches only calls that got no response; `true` or a list of failure kinds. */
    no_response: z.union([z.literal(true), z.array(z.enum(FAILURE_KINDS)).min(1)]).optional(),
  })
  .refine((m) => Object.keys(m).length > 0, { message: 'expected at least one condition (status, error, description, method, endpoint, no_response)' })
  .refine((m) => !(m.description && m.description_absent), { message: 'description and description_absent exclude each other' })
  .refine((m) => !(m.no_response && (m.status || m.error || m.description)), {
    message: 'no_response cannot be combined with status, error or description (a call without a response has none)',
  });
export type MatchInput = z.output<typeof matchSchema>;

/** An example event for lint: a bare string is a description; other fields default from the rule's first match. */
export const exampleSchema = z.union([
  z.string(),
  z.strictObject({
    status: httpStatus.nullable().optional(),
    error: z.string().nullable().optional(),
    description: z.string().nullable().optional(),
    method: z.string().nullable().optional(),
    endpoint: z.string().nullable().optional(),
    no_response: z.enum(FAILURE_KINDS).optional(),
  }),
]);
export type ExampleInput = z.output<typeof exampleSchema>;

export const escalateSchema = z
  .strictObject({
    threshold: z.number().int().positive().optional(),
    window: duration.optional(),
    to: z.enum(SEVERITIES).optional(),
    spike_factor: z.number().gt(1).optional(),
  })
  .refine((e) => e.threshold !== undefined || e.spike_factor !== undefined, {
    message: 'expected threshold and/or spike_factor',
  })
  .refine((e) => e.threshold === undefined || e.window !== undefined, { message: 'threshold needs a window' });

export const ruleSchema = z.strictObject({
  id: z.string().regex(/^[a-z0-9][a-z0-9_.-]{0,99}$/, 'expected a lower-case id of letters, digits, ".", "-", "_" (max 100), e.g. easemob.auth.expired-token'),
  /** Row of the Easemob table; omit for rules that are not a table row. */
  ref: z.string().regex(/^[A-Z][A-Z0-9]{1,15}$/, 'expected a table row such as E19, S429 or T01').optional(),
  enabled: z.boolean().default(true),
  /** Tie-breaker above specificity; higher wins. Leave at 0 unless a rule must win over a more specific one. */
  priority: z.number().int().min(-100).max(100).default(0),
  /** One condition block, or a list of alternatives (any may match). */
  match: z.union([matchSchema, z.array(matchSchema).min(1)]).transform((m) => (Array.isArray(m) ? m : [m])),
  category: z.enum(CATEGORIES),
  severity: z.enum(SEVERITIES),
  title: z.string().min(1).max(200),
  hint: z.string().min(1),
  hint_zh: z.string().default(''),
  retryable: z.boolean().default(false),
  why: z.string().optional(),
  group_by: z.array(z.enum(GROUP_BY_FIELDS)).min(1).optional(),
  resolve_after: duration.optional(),
  notify_resolved: z.boolean().optional(),
  escalate: escalateSchema.optional(),
  examples: z.array(exampleSchema).optional(),
});
export type RuleInput = z.output<typeof ruleSchema>;

/** `{ id, enabled: false }` alone turns off a rule loaded earlier (bundled or another file). */
export const disableSchema = z.strictObject({ id: ruleSchema.shape.id, enabled: z.literal(false) });

export const ruleFileSchema = z.strictObject({
  rules: z.array(z.unknown()),
});
