import { test } from 'node:test';
import assert from 'node:assert/strict';
import { regexProblem, MAX_REGEX_LENGTH, loadRules } from '../../src/classify/index.js';

test('refuses catastrophic and unusable regexes', () => {
  const bad: [string, RegExp][] = [
    ['(a+)+$', /contains a quantifier/],
    ['^(\\w+\\s?)+$', /contains a quantifier/],
    ['(.*a){20,}', /contains a quantifier/],
    ['(a|a)*b', /alternatives/],
    ['^(foo|foobar)+$', /alternatives/],
    ['(x+x+)+y', /quantifier/],
    ['(a*){1,100}', /quantifier/],
    ['(a)\\1', /back-references/],
    ['([a-z]+', /invalid regular expression/],
    ['x'.repeat(MAX_REGEX_LENGTH + 1), /at most/],
  ];
  for (const [src, why] of bad) assert.match(regexProblem(src) ?? 'accepted', why, src);
});

test('accepts the kinds of patterns rules need', () => {
  const ok = [
    '^unable to authenticate(?: \\(oauth\\))?[.!]?$',
    "^'?target_type'? can only be 'users'(?:,? or|,) 'chatgroups',?(?: or)? 'chatrooms'",
    '^c?an not join this group, reason\\s*[:：]\\s*user\\s*[:：]\\s*\\S+ already in group\\b',
    '^group member .+? does(?:n[’\']?t| not) exist\\b',
    '(?:ab){2}',
    '[(+*)]+',
    'a{2,5}',
    'a{',
  ];
  for (const src of ok) assert.equal(regexProblem(src), null, src);
});

test('every bundled regex passes the check and survives hostile input (its time: npm run bench:hostile)', () => {
  const hostile = ['a'.repeat(5000), 'can not join this group, reason:user: '.repeat(200), ' '.repeat(5000) + '!', "'".repeat(4000)];
  for (const r of loadRules().rules) {
    for (const m of r.matches) {
      if (!m.description) continue;
      assert.equal(regexProblem(m.description.source), null, r.id);
      for (const h of hostile) assert.doesNotThrow(() => m.description!.test(h), r.id);
    }
  }
});
