/** Public API of the rule engine. */
export { loadRules, builtinRulesDir, expandRulePath, parseRuleText, type LoadOptions } from './load.js';
export { RuleEngine, type MatchResult } from './engine.js';
export { fingerprint } from './fingerprint.js';
export { lintRuleFiles, type LintProblem } from './lint.js';
export { regexProblem, MAX_REGEX_LENGTH } from './regex-safety.js';
export { RuleError, formatProblem, type CompiledRule, type CompiledMatch, type RuleProblem, type RuleSet } from './rule.js';
export { GROUP_BY_FIELDS, type GroupByField } from './schema.js';
export * from './types.js';
