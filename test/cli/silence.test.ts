// `silence add` with Alertmanager's four operators, validated against the loaded rule packs, with a
// preview of the open incidents it catches. Spawns the built binary against a real SQLite file.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '../helpers/tmp.js';
import { apiwatch } from '../helpers/cli.js';
import { openDatabase } from '../../src/store/db.js';
import { IncidentStore } from '../../src/incidents/store.js';
import { ev } from '../notify/helpers.js';

function setup() {
  const dir = tempDir();
  const config = join(dir, 'apiwatch.yaml');
  writeFileSync(config, `state_dir: ${dir}/state\nsources: []\n`);
  const db = openDatabase(join(dir, 'state', 'apiwatch.db'));
  const store = new IncidentStore(db);
  const now = Date.now();
  db.transaction(() =>
    store.record(
      [
        ev(now - 3000, {}, { ref: 'E37', rule: 'E37', severity: 'warning', category: 'rate_limit' }),
        ev(now - 2000, { endpoint: '/users', status: 401 }, { ref: 'E31', rule: 'E31', severity: 'critical', category: 'auth' }),
        ev(now - 1000, { endpoint: '/chatgroups', status: 404 }, { ref: 'E03', rule: 'E03', severity: 'error', category: 'not_found' }),
      ],
      now,
    ),
  )();
  db.close();
  return { dir, config, dbPath: join(dir, 'state', 'apiwatch.db') };
}

const run = (config: string, ...args: string[]) => apiwatch(['silence', 'add', '--config', config, ...args], { env: { APIWATCH_CONFIG: '' } });

test('=~ is a regex (anchored), not the literal "~E3.*"; the preview lists what it catches', () => {
  const { config, dbPath } = setup();
  const r = run(config, '--match', 'ref=~E3.*', '--comment', 'load test');
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /silence #1 until .*: ref=~E3\.\*/);
  assert.match(r.stdout, /catches 2 open incidents now:/);
  assert.match(r.stdout, /#1 .*E37/);
  assert.match(r.stdout, /#2 .*E31/);
  assert.doesNotMatch(r.stdout, /E03/);
  const db = openDatabase(dbPath);
  const row = db.prepare('SELECT matchers FROM silences WHERE id = 1').get() as { matchers: string };
  db.close();
  assert.deepEqual(JSON.parse(row.matchers), [{ name: 'ref', op: '=~', value: 'E3.*' }]);
  // Anchored: "3" alone matches no whole ref, so it is refused as matching nothing.
  const part = run(config, '--match', 'ref=~3');
  assert.equal(part.status, 2);
  assert.match(part.stderr, /regex "3" matches no ref; valid values: .*E01/);
});

test('!= and !~ are accepted and invert; --preview saves nothing', () => {
  const { config, dbPath } = setup();
  const ne = run(config, '--match', 'ref!=E37', '--preview');
  assert.equal(ne.status, 0, ne.stderr);
  assert.match(ne.stdout, /preview \(not saved\): ref!=E37/);
  assert.match(ne.stdout, /catches 2 open incidents now:/);
  assert.doesNotMatch(ne.stdout, /E37 /);
  const nre = run(config, '--match', 'severity!~critical|error', '--preview');
  assert.equal(nre.status, 0, nre.stderr);
  assert.match(nre.stdout, /catches 1 open incident now:\n {2}#1 /);
  const db = openDatabase(dbPath);
  assert.equal((db.prepare('SELECT COUNT(*) AS n FROM silences').get() as { n: number }).n, 0);
  db.close();
});

test('unknown severities, categories and refs are refused with the valid values listed', () => {
  const { config } = setup();
  const sev = run(config, '--match', 'severity=crit');
  assert.equal(sev.status, 2);
  assert.match(sev.stderr, /unknown severity "crit"; valid values: critical, error, info, warning/);
  const ref = run(config, '--match', 'ref=E99');
  assert.equal(ref.status, 2);
  assert.match(ref.stderr, /unknown ref "E99"; valid values: .*E37/);
  const cat = run(config, '--match', 'category!=ratelimit');
  assert.equal(cat.status, 2);
  assert.match(cat.stderr, /unknown category "ratelimit"; valid values: .*rate_limit/);
  const name = run(config, '--match', 'colour=red');
  assert.equal(name.status, 2);
  assert.match(name.stderr, /unknown name "colour"; expected NAME one of ref, rule/);
});

test('a regex that can backtrack catastrophically is refused', () => {
  const { config } = setup();
  const r = run(config, '--match', 'endpoint=~(a+)+$');
  assert.equal(r.status, 2);
  assert.match(r.stderr, /backtrack catastrophically/);
  const bad = run(config, '--match', 'appkey=~(');
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /invalid regular expression/);
});
