import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { lintRuleFiles } from '../../src/classify/index.js';

const FIX = new URL('../fixtures/rules/', import.meta.url).pathname;
const fx = (name: string) => join(FIX, name);

test('the bundled pack lints clean: every example classifies to its own rule, nothing shadowed', () => {
  assert.deepEqual(lintRuleFiles([]), []);
});

test('user overrides lint clean', () => {
  assert.deepEqual(lintRuleFiles([fx('user-overrides.yaml')]), []);
});

test('swapped look-alike regexes are caught by their examples', () => {
  const p = lintRuleFiles([fx('swapped.yaml')]);
  assert.deepEqual(p.map((x) => [x.level, x.line, x.key]), [
    ['warning', 14, 'rules[0].examples[0]'],
    ['warning', 26, 'rules[1].examples[0]'],
  ]);
  assert.match(p[0].message, /rule "easemob\.auth\.corrupt-token": example .* does not match the rule's own conditions/);
});

test('shadowed and duplicate rules are warned about, with file and line', () => {
  const p = lintRuleFiles([fx('shadowed.yaml')], { packs: ['easemob-2x'] });
  const dup = p.filter((x) => /duplicate match conditions/.test(x.message));
  const auth = join(new URL('../../rules/easemob-2x/', import.meta.url).pathname, 'auth.yaml');
  // S401 (status 401 only) has exactly acme.all-401's conditions; dup-b repeats dup-a.
  assert.deepEqual(dup.map((x) => [x.file, x.line, x.key]), [
    [auth, 185, 'rules[7].match'],
    [fx('shadowed.yaml'), 18, 'rules[2].match'],
  ]);
  assert.match(dup[0].message, /"acme\.all-401"/);
  assert.match(dup[1].message, /"acme\.dup-a"/);
  // acme.all-401 (priority 10) pre-empts the four other 401 rows of the bundled pack (E18–E21).
  const shadowed = p.filter((x) => /shadowed by rule "acme\.all-401"/.test(x.message));
  assert.deepEqual(shadowed.map((x) => [x.file, x.key]), [3, 4, 5, 6].map((i) => [auth, `rules[${i}].match`]));
  // …and their examples now classify to it.
  assert.ok(p.some((x) => /classifies to rule "acme\.all-401"/.test(x.message)));
  assert.ok(p.every((x) => x.level === 'warning'));
  // With both packs (the default) it pre-empts the 3.x 401 rows as well.
  const both = lintRuleFiles([fx('shadowed.yaml')]).filter((x) => /shadowed by rule "acme\.all-401"/.test(x.message));
  const refs3 = both.filter((x) => x.file.includes('/rules/easemob-3x/'));
  assert.ok(refs3.length >= 6, `${refs3.length} 3.x rows shadowed`);
  assert.equal(both.length - refs3.length, 4);
});

test('load errors come back as lint errors, alongside warnings', () => {
  const p = lintRuleFiles([fx('bad-severity.yaml'), fx('shadowed.yaml'), fx('nope.yaml')]);
  const errors = p.filter((x) => x.level === 'error');
  assert.deepEqual(errors.map((x) => [x.file, x.line, x.key]), [
    [fx('nope.yaml'), undefined, undefined],
    [fx('bad-severity.yaml'), 11, 'rules[1].severity'],
  ]);
  assert.ok(p.some((x) => x.level === 'warning'));
});

test('a look-alike decided only by file order is flagged', () => {
  const p = lintRuleFiles([fx('ambiguous.yaml')], { builtin: false });
  assert.deepEqual(p.map((x) => [x.file, x.line, x.key]), [[fx('ambiguous.yaml'), 14, 'rules[0].examples[0]']]);
  assert.match(p[0].message, /also matches rule "acme\.unrecognised-token" .*only file order decides/);
});

test('an override that steals a look-alike row\'s events is flagged (unanchored E21 vs bundled E20)', () => {
  const auth = join(new URL('../../rules/easemob-2x/', import.meta.url).pathname, 'auth.yaml');
  const p = lintRuleFiles([fx('override-steals.yaml')]);
  assert.deepEqual(p.map((x) => [x.file, x.key]), [
    [auth, 'rules[5].examples[0]'],
    [auth, 'rules[5].examples[1]'],
  ]);
  assert.match(p[0].message, /classifies to rule "easemob\.auth\.unrecognised-token" .*\(E21\) instead/);
});
