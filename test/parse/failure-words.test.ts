import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { createParser, type ApiErrorEvent } from '../../src/parse/index.js';
import { failureKind } from '../../src/parse/client.js';
import { FAILURE_EVIDENCE } from '../../src/parse/failure-words.js';

// The evidence gate (src/parse/failure-words.ts) skips records with no failure token: it must
// change no event. Held to that on the realistic corpus and the parser's own fixture logs.
const NOW = Date.UTC(2026, 11, 2, 12);

function corpus(): { name: string; text: string }[] {
  const out: { name: string; text: string }[] = [];
  const real = new URL('../fixtures/realistic/', import.meta.url);
  for (const seed of readdirSync(real)) {
    const logs = new URL(`${seed}/logs/`, real);
    if (!existsSync(logs)) continue;
    for (const f of readdirSync(logs).filter((x) => x.endsWith('.log.gz'))) {
      out.push({ name: `${seed}/${f}`, text: gunzipSync(readFileSync(new URL(f, logs))).toString('utf8') });
    }
  }
  const plain = new URL('../fixtures/logs/', import.meta.url);
  if (existsSync(plain)) {
    for (const f of readdirSync(plain).filter((x) => /\.(log|txt|jsonl)$/.test(x))) out.push({ name: f, text: readFileSync(new URL(f, plain), 'utf8') });
  }
  return out;
}

function events(text: string, gate: boolean): ApiErrorEvent[] {
  const p = createParser({ source: 's', timezone: 'UTC', now: () => NOW, evidenceGate: gate });
  const out: ApiErrorEvent[] = [];
  const lines = text.split('\n');
  lines.forEach((l, i) => out.push(...p.push(l, { lineNo: i + 1, offset: 0, readTime: NOW })));
  out.push(...p.flush());
  return out;
}

test('the evidence gate changes no event on any fixture log', () => {
  const logs = corpus();
  assert.ok(logs.length >= 20, `fixture logs found: ${logs.length}`);
  let total = 0;
  for (const { name, text } of logs) {
    const a = events(text, false);
    const b = events(text, true);
    assert.deepEqual(b, a, name);
    total += a.length;
  }
  assert.ok(total > 100, `events compared: ${total}`);
});

test('every line failureKind reads as a no-response error holds a failure token', () => {
  let n = 0;
  for (const { name, text } of corpus()) {
    for (const line of text.split('\n')) {
      if (failureKind(line) === null) continue;
      n++;
      assert.ok(FAILURE_EVIDENCE.test(line), `${name}: ${line.slice(0, 200)}`);
    }
  }
  assert.ok(n > 50, `no-response lines checked: ${n}`);
});

test('failure tokens: statuses as the parser reads them, not ids or durations', () => {
  for (const yes of ['status=404', 'status404', '"statusCode":429}', 'HTTP/1.1" 503 12', '1.404 : {', 'x.500 Server Error: ', 'code=4011', '<-- 401 https://a', 'error_description -> x', `{'error': 'x'}`, '{\\"error\\":1}', 'java.net.SocketTimeoutException', 'i\\/o timeout', '\\u0034']) {
    assert.ok(FAILURE_EVIDENCE.test(yes), yes);
  }
  for (const no of ['id 545cf6c1-d85b', '0fedf600e479', 'took 452ms', 'in 0.452 s', 'status: 200 OK', 'error=nil']) {
    assert.ok(!FAILURE_EVIDENCE.test(no), no);
  }
});
