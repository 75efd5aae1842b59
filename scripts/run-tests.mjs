#!/usr/bin/env node
// Runs test/**/*.test.ts with Node's own runner (TypeScript via tsx).
//   node scripts/run-tests.mjs [FILTER…]           every test outside test/system/ (npm test)
//   node scripts/run-tests.mjs --system [FILTER…]  only test/system/: tests that drive real system
//                                                  services and binaries (npm run test:system)
// `npm test` must pass on a machine with nothing but Node, so anything needing a Debian package
// lives under test/system/ and .ci/run installs its packages first.
// Files are passed explicitly: `node --test DIR` exits 0 on a folder of .ts files,
// so an empty or mis-globbed suite would pass silently. This fails instead.
import { readdirSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { spawnSync } from 'node:child_process';

const root = new URL('..', import.meta.url).pathname;
const args = process.argv.slice(2);
const system = args.includes('--system');
const filters = args.filter((a) => a !== '--system');
const SYSTEM_DIR = `test${sep}system${sep}`;

function walk(dir) {
  const out = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...walk(p));
    else if (name.endsWith('.test.ts')) out.push(p);
  }
  return out;
}

let files = walk(join(root, 'test'))
  .map((f) => relative(root, f))
  .filter((f) => f.startsWith(SYSTEM_DIR) === system)
  .sort();
if (filters.length) files = files.filter((f) => filters.some((x) => f.includes(x)));
if (files.length === 0) {
  const where = system ? 'test/system/' : 'test/ (outside test/system/)';
  console.error(`no test files found${filters.length ? ` matching ${filters.join(' ')}` : ''} under ${where}`);
  process.exit(1);
}
const r = spawnSync(
  process.execPath,
  ['--import', 'tsx', '--test', '--test-reporter=spec', ...files],
  { cwd: root, stdio: 'inherit', env: { ...process.env, APIWATCH_LOG_LEVEL: process.env.APIWATCH_LOG_LEVEL ?? 'silent' } },
);
process.exit(r.status ?? 1);
