import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { builtinRulesDir, loadRules, parseRuleText, RuleEngine, RuleError } from '../../src/classify/index.js';
import { ev } from './helpers.js';

const FIX = new URL('../fixtures/rules/', import.meta.url).pathname;
const fx = (name: string) => join(FIX, name);

/** Loads and returns the RuleError's problems; fails the test if loading succeeds. */
function problemsOf(files: string[], builtin = false) {
  try {
    loadRules({ builtin, files });
  } catch (err) {
    assert.ok(err instanceof RuleError, `expected RuleError, got ${String(err)}`);
    return { err, problems: err.problems };
  }
  assert.fail('expected loadRules to throw');
}

test('bundled pack loads from the module-relative rules/ directory', () => {
  assert.match(builtinRulesDir(), /rules\/$/);
  const set = loadRules();
  assert.equal(set.rules.length, 55 + 172);
  assert.ok(set.files.every((f) => /\/rules\/easemob-(2x|3x)\//.test(f)));
  // 2.x first: on a tie a line that fits a 2.x row stays on it.
  assert.ok(set.files.findIndex((f) => f.includes('/easemob-3x/')) > set.files.findLastIndex((f) => f.includes('/easemob-2x/')));
  assert.equal(loadRules({ packs: ['easemob-2x'] }).rules.length, 55);
  const x = loadRules({ packs: ['easemob-3x'] });
  assert.equal(x.rules.length, 172);
  assert.ok(x.rules.every((r) => r.ref?.startsWith('X')));
  assert.deepEqual(loadRules({ builtin: false }).rules, []);
});

test('user file overrides a bundled rule by id (whole rule), disables one, adds one', () => {
  const set = loadRules({ files: [fx('user-overrides.yaml')] });
  assert.deepEqual(set.overridden, ['easemob.auth.expired-token']);
  assert.deepEqual(set.disabled, ['easemob.not_found.get-user']);
  assert.equal(set.rules.length, 227); // 227 - 1 disabled + 1 new
  const engine = new RuleEngine(set);

  const e19 = engine.classify(ev({ status: 401, error: 'unauthorized', description: 'Unable to authenticate due to expired access token' }));
  assert.equal(e19.rule, 'easemob.auth.expired-token');
  assert.equal(e19.severity, 'error');
  assert.equal(e19.hint, 'Our token refresher handles this; page only if it lasts.');
  // Replaced whole: bundled hint_zh / notify_resolved / group_by are not inherited.
  assert.equal(e19.hintZh, '');
  assert.equal(e19.notifyResolved, undefined);
  assert.deepEqual(e19.groupBy, ['ref', 'endpoint', 'appkey']);

  // E31 disabled: a GET of a missing user now falls to the generic E30 row.
  const get = engine.classify(ev({ status: 404, error: 'service_resource_not_found', description: 'Service resource not found', method: 'GET', endpoint: '/users/{username}' }));
  assert.equal(get.ref, 'E30');

  // A 409 body no bundled row knows (X184/X185 are the two documented descriptions).
  const c = engine.classify(ev({ status: 409, error: 'concurrent_operation_error', description: 'concurrent update of group 40660245607667' }));
  assert.equal(c.rule, 'acme.conflict.concurrent-edit');
  assert.equal(c.ref, null);
  assert.equal(c.resolveAfterMs, 30 * 60_000);
  assert.equal(c.notifyResolved, false);
  assert.deepEqual(c.escalate, { threshold: 50, windowMs: 10 * 60_000, to: 'warning' });
  assert.deepEqual(c.groupBy, ['rule', 'appkey']);
});

test('a directory of user files loads every .yaml in it, sorted', () => {
  const dir = mkdtempSync(join(tmpdir(), 'apiwatch-rules-'));
  mkdirSync(join(dir, 'sub'));
  const rule = (id: string, status: number) =>
    `rules:\n  - id: ${id}\n    match: { status: ${status} }\n    category: unknown\n    severity: info\n    title: T\n    hint: H\n`;
  writeFileSync(join(dir, 'b.yaml'), rule('acme.b', 418));
  writeFileSync(join(dir, 'sub', 'a.yml'), rule('acme.a', 419));
  writeFileSync(join(dir, 'notes.txt'), 'not a rule file');
  const set = loadRules({ builtin: false, files: [dir] });
  assert.deepEqual(set.rules.map((r) => r.id), ['acme.b', 'acme.a']);
});

test('unknown key: names file, line and key', () => {
  const { problems } = problemsOf([fx('bad-unknown-key.yaml')]);
  assert.deepEqual(problems, [{ file: fx('bad-unknown-key.yaml'), line: 8, key: 'rules[0].sevrity', message: 'unknown key "sevrity"' }]);
});

test('wrong types: every problem with its own line', () => {
  const { problems, err } = problemsOf([fx('bad-type.yaml')]);
  assert.deepEqual(
    problems.map((p) => [p.line, p.key]),
    [[4, 'rules[0].match.status'], [9, 'rules[0].retryable']],
  );
  assert.match(problems[0].message, /expected number/);
  assert.match(problems[1].message, /expected boolean/);
  assert.match(err.message, /bad-type\.yaml:4: rules\[0\]\.match\.status: expected number/);
});

test('bad severity: message lists what is expected', () => {
  const { err } = problemsOf([fx('bad-severity.yaml')]);
  assert.equal(err.message, `${fx('bad-severity.yaml')}:11: rules[1].severity: expected one of critical|error|warning|info`);
});

test('YAML syntax error names the line', () => {
  const { problems } = problemsOf([fx('bad-syntax.yaml')]);
  assert.equal(problems.length, 1);
  assert.equal(problems[0].line, 6);
  assert.match(problems[0].message, /^YAML syntax: .*must be quoted/);
});

test('duplicate id within one file', () => {
  const { problems } = problemsOf([fx('dup-id.yaml')]);
  assert.deepEqual(problems, [
    { file: fx('dup-id.yaml'), line: 9, key: 'rules[1].id', message: 'duplicate id "acme.five" (already defined in this file at line 2)' },
  ]);
});

test('catastrophic regexes are refused with file, line, key and rule id', () => {
  const { problems } = problemsOf([fx('catastrophic.yaml')]);
  assert.deepEqual(problems.map((p) => [p.line, p.key]), [
    [6, 'rules[0].match.description'],
    [18, 'rules[1].match[1].description'],
  ]);
  assert.match(problems[0].message, /rule "acme\.six": .*backtrack catastrophically/);
  assert.match(problems[1].message, /rule "acme\.seven": .*alternatives/);
});

test('disabling an id nobody defined is an error (a typo would leave the rule on)', () => {
  const { problems } = problemsOf([fx('disable-unknown.yaml')], true);
  assert.equal(problems[0].line, 2);
  assert.equal(problems[0].key, 'rules[0].id');
  assert.match(problems[0].message, /no rule with id "easemob\.auth\.no-such-rule"/);
});

test('problems from several files are all reported in one RuleError', () => {
  const { problems } = problemsOf([fx('bad-unknown-key.yaml'), fx('dup-id.yaml'), fx('missing.yaml')]);
  assert.deepEqual(problems.map((p) => [p.file, p.line]), [
    [fx('missing.yaml'), undefined],
    [fx('bad-unknown-key.yaml'), 8],
    [fx('dup-id.yaml'), 9],
  ]);
  assert.match(problems[0].message, /cannot read rule file: ENOENT/);
});

test('schema checks: match needs a condition, no_response excludes status, escalate needs window, bad duration, bad group_by', () => {
  const text = `rules:
  - id: a.empty
    match: {}
    category: unknown
    severity: info
    title: T
    hint: H
  - id: a.nr
    match: { no_response: true, status: 504 }
    category: timeout
    severity: error
    title: T
    hint: H
  - id: a.esc
    match: { status: 500 }
    category: server
    severity: error
    title: T
    hint: H
    escalate: { threshold: 5 }
    resolve_after: soon
    group_by: [ref, colour]
  - id: A.Bad
    match: { status: 500 }
    category: servers
    severity: error
    title: T
    hint: H
`;
  const { problems } = parseRuleText(text, 'inline.yaml');
  const got = problems.map((p) => `${p.line} ${p.key}`);
  assert.deepEqual(got, [
    '3 rules[0].match',
    '9 rules[1].match',
    '20 rules[2].escalate',
    '21 rules[2].resolve_after',
    '22 rules[2].group_by[1]',
    '23 rules[3].id',
    '25 rules[3].category',
  ]);
  assert.match(problems[0].message, /at least one condition/);
  assert.match(problems[1].message, /no_response cannot be combined/);
  assert.match(problems[2].message, /threshold needs a window/);
  assert.match(problems[3].message, /expected a duration like/);
  assert.match(problems[4].message, /expected one of ref\|rule\|/);
  assert.match(problems[6].message, /expected one of auth\|config\|/);
});

test('top level must be a mapping with a rules list', () => {
  assert.match(parseRuleText('', 'e.yaml').problems[0].message, /"rules:" list/);
  assert.match(parseRuleText('- a\n- b\n', 'e.yaml').problems[0].message, /"rules:" list/);
  const p = parseRuleText('rules: []\nversion: 2\n', 'e.yaml').problems;
  assert.deepEqual(p.map((x) => [x.line, x.key, x.message]), [[2, 'version', 'unknown key "version"']]);
  assert.deepEqual(parseRuleText('rules: []\n', 'e.yaml').problems, []);
});

test('duplicate YAML keys are syntax errors', () => {
  const p = parseRuleText('rules:\n  - id: a.b\n    id: a.c\n', 'e.yaml').problems;
  assert.equal(p.length, 1);
  assert.equal(p[0].line, 3);
  assert.match(p[0].message, /unique/);
});

test('rules.files takes globs: every match is loaded, a glob matching nothing is an error', () => {
  const dir = mkdtempSync(join(tmpdir(), 'apiwatch-rules-glob-'));
  mkdirSync(join(dir, 'rules.d'));
  const rule = (id: string, status: number) =>
    `rules:\n  - id: ${id}\n    match: { status: ${status}, error: custom_${status} }\n    category: request\n    severity: info\n    title: t\n    hint: h\n`;
  writeFileSync(join(dir, 'rules.d', 'a.yaml'), rule('custom.a', 409));
  writeFileSync(join(dir, 'rules.d', 'b.yaml'), rule('custom.b', 422));
  writeFileSync(join(dir, 'rules.d', 'notes.txt'), 'not rules');
  const set = loadRules({ builtin: false, files: [join(dir, 'rules.d', '*.yaml')] });
  assert.deepEqual(set.rules.map((r) => r.id).sort(), ['custom.a', 'custom.b']);
  assert.throws(
    () => loadRules({ builtin: false, files: [join(dir, 'nothing', '*.yaml')] }),
    (e: unknown) => e instanceof RuleError && /nothing\/\*\.yaml: no rule file matches this glob/.test(e.message),
  );
});
