// System test: needs systemd-analyze (Debian package systemd). Run with `npm run test:system`.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';

const UNIT = new URL('../../systemd/apiwatch.service', import.meta.url).pathname;

/** Runs systemd-analyze; a missing binary fails the test (the gate must not pass by skipping). */
function analyze(args: string[]) {
  const r = spawnSync('systemd-analyze', args, { encoding: 'utf8' });
  if (r.error) assert.fail(`systemd-analyze is not installed (${r.error.message}); on Debian: apt-get install -y systemd`);
  return r;
}

test('systemd-analyze verify accepts the unit with nothing on stderr', () => {
  // verify exits 0 on unknown keys and typos; only the output tells. It also checks ExecStart's binary exists.
  const r = analyze(['verify', UNIT]);
  assert.equal(r.stderr, '', r.stderr);
  assert.equal(r.status, 0);
});

test('systemd-analyze security --offline rates the unit at 2.0 or lower', () => {
  const r = analyze(['security', '--offline=yes', '--threshold=20', '--no-pager', UNIT]);
  const m = /Overall exposure level for apiwatch\.service: (\d+\.\d)/.exec(r.stdout);
  assert.ok(m, r.stdout + r.stderr);
  assert.ok(Number(m[1]) <= 2.0, `exposure ${m[1]}`);
  assert.equal(r.status, 0, `--threshold=20 failed:\n${r.stdout.split('\n').filter((l) => l.includes('✗')).join('\n')}`);
});
