import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadRules, parseRuleText, RuleEngine, fingerprint, type CompiledRule } from '../../src/classify/index.js';
import { ev } from './helpers.js';

const engine = new RuleEngine(loadRules());

function rulesFrom(text: string): CompiledRule[] {
  const p = parseRuleText(text, 'inline.yaml');
  assert.deepEqual(p.problems, []);
  return p.entries.flatMap((e) => (e.kind === 'rule' ? [e.rule] : []));
}

test('index: a lookup consults only a handful of the 227 rules', () => {
  const total = engine.rules.reduce((n, r) => n + r.matches.length, 0);
  assert.ok(total >= 260);
  const cases = [
    // The busiest bucket: 400 illegal_argument, 11 rows of 2.x (E04 twice) and 37 of 3.x, plus S400 and X112.
    ev({ status: 400, error: 'illegal_argument', description: 'x' }),
    ev({ status: 404, error: 'service_resource_not_found', description: 'Service resource not found' }),
    ev({ status: 401, error: 'unauthorized', description: 'x' }),
    ev({ status: 429 }),
    ev({ status: null, error: 'web_application', description: 'x' }),
    ev({ noResponse: { kind: 'timeout' } }),
  ];
  const counts = cases.map((e) => engine.candidateCount(e));
  // 404 service_resource_not_found: E30-E32 (twice: with and without the description), X181 + S404; 401 unauthorized: E18, E19, X119-X121
  // + S401 and X122 (status + endpoint); 429: S429 + X189; web_application without status: E35 and E40 (twice each).
  assert.deepEqual(counts, [50, 8, 7, 2, 4, 1]);
  for (const n of counts) assert.ok(n < total / 5, `${n} of ${total}`);
});

test('specificity: more conditions win regardless of file order; priority overrides', () => {
  const rules = rulesFrom(`rules:
  - id: t.broad
    match: { status: 404 }
    category: unknown
    severity: info
    title: broad
    hint: h
  - id: t.error
    match: { status: 404, error: nope }
    category: unknown
    severity: info
    title: error
    hint: h
  - id: t.endpoint
    match: { status: 404, error: nope, endpoint: "/users/{username}" }
    category: unknown
    severity: info
    title: endpoint
    hint: h
  - id: t.desc-only
    match: { description: "^special" }
    category: unknown
    severity: info
    title: desc only
    hint: h
`);
  const e = new RuleEngine(rules);
  assert.equal(e.classify(ev({ status: 404, error: 'nope', endpoint: '/users/{username}' })).rule, 't.endpoint');
  assert.equal(e.classify(ev({ status: 404, error: 'nope', endpoint: '/chatgroups' })).rule, 't.error');
  assert.equal(e.classify(ev({ status: 404, error: 'other' })).rule, 't.broad');
  // Status-less, error-less rules are still found (fallback bucket), at their specificity.
  assert.equal(e.classify(ev({ status: 500, description: 'special case' })).rule, 't.desc-only');
  assert.equal(e.classify(ev({ status: 404, description: 'special case' })).rule, 't.broad');
  assert.equal(e.classify(ev({ status: 404, error: 'nope', description: 'special case' })).rule, 't.error');

  const boosted = rulesFrom(`rules:
  - id: t.boost
    priority: 5
    match: { status: 404 }
    category: unknown
    severity: info
    title: boost
    hint: h
`);
  const e2 = new RuleEngine([...rules, ...boosted]);
  assert.equal(e2.classify(ev({ status: 404, error: 'nope', endpoint: '/users/{username}' })).rule, 't.boost');
});

test('ties: a user rule beats a bundled rule with the same number of conditions', () => {
  const mine = rulesFrom(`rules:
  - id: acme.expired
    match: { status: 401, error: unauthorized, description: "expired" }
    category: auth
    severity: warning
    title: mine
    hint: h
`).map((r) => ({ ...r, origin: { ...r.origin, builtin: false } }));
  const e = new RuleEngine([...loadRules().rules, ...mine]);
  assert.equal(e.classify(ev({ status: 401, error: 'unauthorized', description: 'Unable to authenticate due to expired access token' })).rule, 'acme.expired');
});

test('no_response kinds, and status rules never match a no-response event', () => {
  const rules = rulesFrom(`rules:
  - id: t.dns
    match: { no_response: [dns] }
    category: timeout
    severity: critical
    title: dns
    hint: h
  - id: t.any
    match: { no_response: true }
    category: timeout
    severity: error
    title: any
    hint: h
  - id: t.endpoint
    match: { endpoint: /token }
    category: auth
    severity: error
    title: ep
    hint: h
`);
  const e = new RuleEngine(rules);
  assert.equal(e.classify(ev({ noResponse: { kind: 'dns' }, endpoint: '/token' })).rule, 't.dns');
  assert.equal(e.classify(ev({ noResponse: { kind: 'timeout' }, endpoint: '/token' })).rule, 't.any');
  assert.equal(e.classify(ev({ status: 500, endpoint: '/token' })).rule, 't.endpoint');
  const none = new RuleEngine([]);
  assert.equal(none.classify(ev({ noResponse: { kind: 'timeout' } })).title, 'No response from Easemob');
});

test('fingerprint: stable, 16 hex, grouped by the rule\'s fields', () => {
  const a = ev({ status: 401, error: 'unauthorized', description: 'Unable to authenticate due to expired access token', endpoint: '/users' });
  const b = { ...a, endpoint: '/messages/users', line: 99, ts: 5 };
  const ca = engine.classify(a);
  const fa = engine.fingerprint(a, ca);
  assert.match(fa, /^[0-9a-f]{16}$/);
  assert.equal(fa, engine.fingerprint({ ...a }, ca));
  assert.equal(fa, fingerprint(a, ca));
  // E19 groups by [ref, appkey]: another endpoint is the same incident, another app is not.
  assert.equal(engine.fingerprint(b, engine.classify(b)), fa);
  const other = { ...a, appkey: 'acme-im#staging' };
  assert.notEqual(engine.fingerprint(other, engine.classify(other)), fa);

  // Default grouping includes the endpoint.
  const n1 = ev({ status: 404, error: 'service_resource_not_found', description: 'Service resource not found', endpoint: '/chatgroups/{group_id}' });
  const n2 = { ...n1, endpoint: '/chatrooms/{chatroom_id}' };
  assert.notEqual(engine.fingerprint(n1, engine.classify(n1)), engine.fingerprint(n2, engine.classify(n2)));
});

test('fingerprint: unknown errors group by status + error instead of the null ref', () => {
  const u1 = ev({ status: 409, error: 'concurrent_operation_error', endpoint: '/token' });
  const u2 = ev({ status: 409, error: 'metadata_error', endpoint: '/token' });
  const u3 = ev({ status: 422, error: 'concurrent_operation_error', endpoint: '/token' });
  const u1b = ev({ status: 409, error: ' Concurrent_Operation_Error ', endpoint: '/token' });
  const f = (e: ReturnType<typeof ev>) => engine.fingerprint(e, engine.classify(e));
  assert.equal(new Set([f(u1), f(u2), f(u3)]).size, 3);
  assert.equal(f(u1), f(u1b));
});

test('classify 200k events: the cache never hands one event another\'s row (its speed: npm run bench)', () => {
  const evs = [
    ev({ status: 400, error: 'illegal_argument', description: "target_type can only be 'users' or 'chatgroups' or 'chatrooms'" }),
    ev({ status: 404, error: 'service_resource_not_found', description: 'Service resource not found', method: 'DELETE', endpoint: '/users/{username}' }),
    ev({ status: 403, error: 'forbidden_op', description: 'can not join this group, reason:user: u1 already in group: 1' }),
    ev({ status: 502 }),
  ];
  const first = evs.map((e) => engine.classify(e).ref);
  assert.ok(first.every((r) => r !== null), String(first));
  let same = 0;
  for (let i = 0; i < 200_000; i++) if (engine.classify(evs[i & 3]).ref === first[i & 3]) same++;
  assert.equal(same, 200_000);
});

test('hostile input: huge descriptions are clipped, odd statuses are not cached, nothing throws', () => {
  const huge = 'can not join this group, reason:user: ' + 'x'.repeat(1_000_000);
  assert.equal(engine.classify(ev({ status: 403, error: 'forbidden_op', description: huge })).ref, 'S403');
  const odd = engine.classify(ev({ status: 9999 }));
  assert.equal(odd.ref, null);
  assert.equal(odd.title, 'HTTP 9999 from Easemob');
  // A head that matches still matches after clipping.
  const html = '<html><title>413 Request Entity Too Large</title>' + ' '.repeat(100_000) + '</html>';
  assert.equal(engine.classify(ev({ status: 413, description: html })).ref, 'E34');
});
