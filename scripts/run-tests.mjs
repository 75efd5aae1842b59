#!/usr/bin/env node
// Runs every test/**/*.test.ts with Node's own runner (TypeScript via tsx).
// Files are passed explicitly: `node --test DIR` exits 0 on a folder of .ts files,
// so an empty or mis-globbed suite would pass silently. This fails instead.
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { spawnSync } from 'node:child_process';

const root = new URL('..', import.meta.url).pathname;
const filters = process.argv.slice(2);

function walk(dir) {
  const out = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...walk(p));
    else if (name.endsWith('.test.ts')) out.push(p);
  }
  return out;
}

let files = walk(join(root, 'test')).map((f) => relative(root, f)).sort();
if (filters.length) files = files.filter((f) => filters.some((x) => f.includes(x)));
if (files.length === 0) {
  console.error(`no test files found${filters.length ? ` matching ${filters.join(' ')}` : ''} under test/`);
  process.exit(1);
}
const r = spawnSync(
  process.execPath,
  ['--import', 'tsx', '--test', '--test-reporter=spec', ...files],
  { cwd: root, stdio: 'inherit', env: { ...process.env, APIWATCH_LOG_LEVEL: process.env.APIWATCH_LOG_LEVEL ?? 'silent' } },
);
process.exit(r.status ?? 1);
