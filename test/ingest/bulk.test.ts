// The bulk path (replay) must store exactly the events a line-by-line read produces: same lines,
// same refs, same count — across block and worker boundaries, with CRLF lines, invalid UTF-8,
// over-long lines (skipped and counted), lines longer than the read window, multi-line events
// and a final line without a newline.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createReadStream, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { readLines } from '../../src/ingest/lines.js';
import { parseScan, startScan, type BulkStats } from '../../src/ingest/bulk.js';
import { candidatePattern } from '../../src/parse/prefilter.js';
import { createParser } from '../../src/parse/index.js';
import type { ApiErrorEvent, EventParser, LineMeta, ParserStats } from '../../src/parse/event.js';
import { loadRules, RuleEngine } from '../../src/classify/index.js';
import { failingLines, ordinaryLine } from '../../scripts/lib/corpus.js';
import { tempDir } from '../helpers/tmp.js';
import { apiwatch } from '../helpers/cli.js';

const dir = tempDir('apiwatch-bulk-');
const NOW = Date.UTC(2026, 10, 27, 12, 0, 0);

/** A stand-in parser with the real one's shape of state: multi-line drafts and the previous line as context. */
function draftParser(): EventParser {
  const stats: ParserStats = { lines: 0, events: 0, malformed: 0, clockSkew: 0 };
  let draft: { meta: LineMeta; lines: string[]; prev: string | null } | null = null;
  let prev: string | null = null;
  const continuation = (l: string) => /^[ \t]|^Caused by:|^(?:[\w$]+\.)*[\w$]+Exception(?::|$)/.test(l);
  const emit = (d: NonNullable<typeof draft>, out: ApiErrorEvent[]) => {
    stats.events++;
    out.push({
      ts: NOW, tsFromLine: false, source: 's', line: d.meta.lineNo, offset: d.meta.offset, method: null, url: d.prev,
      endpoint: null, appkey: null, host: null, status: 500, error: null, errorDescription: null, exception: null,
      raw: d.lines.join('\n'), parser: 'draft',
    });
  };
  return {
    stats,
    push(line, meta) {
      stats.lines++;
      const out: ApiErrorEvent[] = [];
      if (draft) {
        if (continuation(line)) {
          draft.lines.push(line);
          return out;
        }
        emit(draft, out);
        draft = null;
      }
      // Starts events only on lines the prefilter accepts ('RROR', 'xception', 'rror').
      if (line.includes('ERROR') || /^(?:[\w$]+\.)*[\w$]+Exception:/.test(line)) {
        draft = { meta, lines: [line], prev };
        prev = null;
      } else if (line.includes('"error"')) {
        emit({ meta, lines: [line], prev }, out);
        prev = null;
      } else prev = line;
      return out;
    },
    flush() {
      const out: ApiErrorEvent[] = [];
      if (draft) emit(draft, out);
      draft = null;
      return out;
    },
    pending: () => (draft ? draft.meta : null),
  };
}

interface Corpus {
  file: string;
  maxLineBytes: number;
}

/** Corpus lines plus every awkward case; `long` adds lines longer than the scan's 64 KiB window. */
function makeCorpus(name: string, opts: { lines: number; maxLineBytes: number; long?: boolean; seed?: number }): Corpus {
  const parts: Buffer[] = [];
  const add = (s: string | Buffer, eol = '\n') => parts.push(Buffer.isBuffer(s) ? Buffer.concat([s, Buffer.from(eol)]) : Buffer.from(s + eol));
  let r = opts.seed ?? 7;
  const rnd = () => ((r = (Math.imul(r, 1103515245) + 12345) >>> 0) / 2 ** 32);
  const t0 = Date.UTC(2026, 10, 27);
  for (let i = 0; i < opts.lines; i++) {
    const x = rnd();
    const t = t0 + i * 3;
    if (x < 0.06) for (const l of failingLines(t, i)) add(l);
    else if (x < 0.08) {
      // Java-style multi-line event: logger line, exception header, frames (the header alone also starts one).
      add(`2026-11-27 10:00:00.000 ERROR [exec-1] c.a.chat.EasemobClient - call ${i} to https://a1.easemob.com/acme/im/users failed`);
      add(`com.easemob.im.server.exception.EMNotFoundException: GET /acme/im/users/u${i} -> 404 Not Found`);
      for (let k = 0; k < 1 + (i % 7); k++) add(`\tat com.easemob.im.server.api.Frame${k}.call(Frame.java:${k})`);
    } else if (x < 0.085) {
      add(`Caused by: java.net.SocketTimeoutException: Read timed out ${i}`); // orphan continuation
    } else if (x < 0.09) {
      add(`2026-11-27 10:00:00.000 INFO  c.a.Foo - crlf line ${i}`, '\r\n');
      add(`2026-11-27 10:00:00.000 ERROR c.a.Foo - crlf failure ${i}`, '\r\n');
      add(` error_description -> Service resource not found`, '\r\n');
    } else if (x < 0.095) {
      // Invalid UTF-8, in an ordinary line and in one that starts an event.
      add(Buffer.concat([Buffer.from(`2026-11-27 10:00:00.000 INFO c.a.Foo - bad bytes `), Buffer.from([0xff, 0xc3, 0x28, 0xe2, 0x82])]));
      add(Buffer.concat([Buffer.from(`2026-11-27 10:00:00.000 ERROR c.a.Foo - bad bytes `), Buffer.from([0xc3, 0x28, 0xa0, 0xa1]), Buffer.from(' \u4e2d\u6587')]));
    } else if (x < 0.097) {
      // Over-long: an ordinary one, one that would be a candidate, one just before a candidate, one inside a draft.
      const k = i % 4;
      const pad = 'x'.repeat(opts.maxLineBytes + 1 + (i % 3));
      if (k === 0) add(`INFO ${pad}`);
      else if (k === 1) add(`ERROR ${pad}`);
      else if (k === 2) {
        add(`INFO context before the long line ${i}`);
        add(`INFO ${pad}`);
        add(`2026-11-27 10:00:00.000 ERROR c.a.Foo - after a long line ${i}`);
      } else {
        add(`2026-11-27 10:00:00.000 ERROR c.a.Foo - draft with a long frame ${i}`);
        add(`\tat ${pad}`);
        add(`\tat com.x.Y.z(Y.java:1)`);
      }
    } else if (x < 0.0975) {
      // Exactly at the limit (kept) and one byte over (skipped), both would start an event.
      add(`ERROR `.padEnd(opts.maxLineBytes, 'z'));
      add(`ERROR `.padEnd(opts.maxLineBytes + 1, 'z'));
    } else if (x < 0.098) {
      add(''); // empty lines
      add('');
    } else add(ordinaryLine(t, i));
  }
  if (opts.long) {
    // Longer than the 64 KiB window but not over-long: as a candidate, as context, as a frame.
    const big = 'y'.repeat(150 << 10);
    add(`INFO context ${big}`);
    add(`2026-11-27 10:00:00.000 ERROR c.a.Foo - ${big}`);
    add(`\tat ${big}`);
    add(`INFO ${big}`);
    add(`2026-11-27 10:00:00.000 ERROR c.a.Foo - after a big context line`);
  }
  // A final line without a newline, starting an event.
  add(`2026-11-27 10:00:00.000 ERROR c.a.Foo - last line, no newline`, '');
  const file = join(dir, name);
  writeFileSync(file, Buffer.concat(parts));
  return { file, maxLineBytes: opts.maxLineBytes };
}

/** The reference: every line through the parser, one by one (the line reader skips over-long lines). */
async function naive(c: Corpus, parser: EventParser): Promise<{ events: ApiErrorEvent[]; lines: number; skippedLong: number }> {
  const events: ApiErrorEvent[] = [];
  const stats = { lines: 0, bytes: 0, skippedLong: 0 };
  for await (const batch of readLines(createReadStream(c.file), { maxLineBytes: c.maxLineBytes, now: () => NOW }, stats)) {
    for (const l of batch) events.push(...parser.push(l.text, l.meta));
  }
  events.push(...parser.flush());
  return { events, lines: stats.lines + stats.skippedLong, skippedLong: stats.skippedLong };
}

async function bulk(
  c: Corpus,
  parser: EventParser,
  opts: { blockBytes: number; workers: number; mainScans?: boolean; segmentBytes?: number; analyse?: { apiHosts?: string[] } },
): Promise<{ events: ApiErrorEvent[]; lines: number; skippedLong: number; workerBlocks: number }> {
  const scan = startScan(c.file, { re: candidatePattern(), maxLineBytes: c.maxLineBytes, ...opts });
  const stats: BulkStats = { bytes: 0, lines: 0, skippedLong: 0 };
  const events: ApiErrorEvent[] = [];
  for await (const b of parseScan(c.file, scan, parser, stats, { maxLineBytes: c.maxLineBytes, now: () => NOW })) events.push(...b.events);
  events.push(...parser.flush());
  return { events, lines: stats.lines, skippedLong: stats.skippedLong, workerBlocks: stats.workerBlocks ?? 0 };
}

const view = (e: ApiErrorEvent) => ({ line: e.line, raw: e.raw, prev: e.url, status: e.status, error: e.error });

const small = makeCorpus('small.log', { lines: 6000, maxLineBytes: 3000 });
const long = makeCorpus('long.log', { lines: 3000, maxLineBytes: 1 << 20, long: true, seed: 11 });

test('corpus has what the test is about', async () => {
  const ref = await naive(small, draftParser());
  assert.ok(ref.skippedLong >= 5, `over-long lines: ${ref.skippedLong}`);
  assert.ok(ref.events.some((e) => e.raw.includes('\n\tat ')), 'multi-line events');
  assert.ok(ref.events.some((e) => e.raw.includes('\uFFFD')), 'invalid UTF-8 in an event');
  assert.ok(ref.events.some((e) => e.raw.includes('crlf failure') && !e.raw.includes('\r')), 'CRLF stripped');
  assert.equal(ref.events.at(-1)!.raw, '2026-11-27 10:00:00.000 ERROR c.a.Foo - last line, no newline');
  assert.ok(ref.events.length > 400);
});

// Segments of 2 KiB (< the 3000-byte limit here) take the SIMD-counting path; 64 KiB ones the line-by-line one.
for (const [blockBytes, segmentBytes] of [[4096, 2048], [4096, undefined], [20000, 2048], [20000, undefined], [1 << 20, 2048]] as const) {
  for (const [workers, mainScans] of [[0, true], [1, true], [1, false], [2, false]] as const) {
    test(`multi-line events and context lines: block ${blockBytes}, segment ${segmentBytes ?? 'default'}, ${workers} worker(s)${mainScans ? '' : ' only'}`, async () => {
      const ref = await naive(small, draftParser());
      const got = await bulk(small, draftParser(), { blockBytes, workers, mainScans, segmentBytes });
      if (!mainScans && blockBytes < 1 << 20) assert.ok(got.workerBlocks > 0);
      assert.equal(got.lines, ref.lines);
      assert.equal(got.skippedLong, ref.skippedLong);
      assert.equal(got.events.length, ref.events.length);
      assert.deepEqual(got.events.map(view), ref.events.map(view));
    });
  }
}

test('lines longer than the read window (as candidate, context, continuation), 1 MiB limit', async () => {
  const ref = await naive(long, draftParser());
  assert.ok(ref.events.some((e) => e.raw.length > 150 << 10));
  for (const blockBytes of [16 << 10, 100 << 10]) {
    for (const [workers, mainScans] of [[0, true], [1, false]] as const) {
      const got = await bulk(long, draftParser(), { blockBytes, workers, mainScans });
      assert.equal(got.lines, ref.lines);
      assert.equal(got.skippedLong, ref.skippedLong);
      assert.deepEqual(got.events.map(view), ref.events.map(view));
    }
  }
});

const engine = new RuleEngine(loadRules());
const classified = (events: ApiErrorEvent[]) =>
  events.map((e) => {
    const cls = engine.classify(e);
    return { line: e.line, status: e.status, error: e.error, ref: cls.ref, fingerprint: engine.fingerprint(e, cls) };
  });

test('the real parser + rule engine: bulk equals line by line', async () => {
  const opts = { source: small.file, now: () => NOW };
  const ref = await naive(small, createParser(opts));
  assert.ok(ref.events.length > 100);
  for (const [workers, mainScans] of [[0, true], [2, false], [1, true]] as const) {
    const got = await bulk(small, createParser(opts), { blockBytes: 8192, workers, mainScans, segmentBytes: 2048 });
    assert.deepEqual(classified(got.events), classified(ref.events));
  }
});

test('records analysed on the workers: the same events as line by line, whatever the blocks', async () => {
  const opts = { source: small.file, now: () => NOW };
  const ref = await naive(small, createParser(opts));
  for (const blockBytes of [1024, 4096, 8192, 20000]) {
    for (const [workers, mainScans] of [[2, false], [1, true]] as const) {
      const parser = createParser(opts);
      let used = 0;
      const use = parser.useAnalyses!.bind(parser);
      parser.useAnalyses = (lookup, key) =>
        use(lookup && ((off: number) => {
          const p = lookup(off);
          if (p !== undefined) used++;
          return p;
        }), key);
      const got = await bulk(small, parser, { blockBytes, workers, mainScans, segmentBytes: 2048, analyse: {} });
      assert.deepEqual(got.events, ref.events, `block ${blockBytes}, ${workers} worker(s)`);
      if (!mainScans) assert.ok(used > ref.events.length, `analyses used: ${used}`);
    }
  }
  // Made for another parser (other hosts): not used, and still the same events.
  const got = await bulk(small, createParser(opts), { blockBytes: 4096, workers: 1, mainScans: false, analyse: { apiHosts: ['api.example.com'] } });
  assert.deepEqual(got.events, ref.events);
});

test('apiwatch replay stores the events of a line-by-line parse', async () => {
  const state = join(dir, 'state');
  const cfg = join(dir, 'replay.yaml');
  writeFileSync(cfg, `state_dir: ${state}\nsources: []\n`);
  const big = makeCorpus('replay.log', { lines: 20000, maxLineBytes: 1 << 20, long: true, seed: 3 });
  // Small blocks so the file has many, shared between the main thread and a worker.
  const r = apiwatch(['replay', '--config', cfg, '--json', big.file], { env: { APIWATCH_BULK_BLOCK_KB: '64', APIWATCH_BULK_WORKERS: '1' } });
  assert.equal(r.status, 0, r.stderr);
  const summary = JSON.parse(r.stdout);
  const ref = await naive(big, createParser({ source: big.file, now: () => NOW }));
  assert.equal(summary.files[0].lines, ref.lines);
  assert.equal(summary.files[0].skipped_long_lines, ref.skippedLong);
  assert.equal(summary.events, ref.events.length);
  const db = new Database(join(state, 'apiwatch.db'), { readonly: true });
  const rows = db.prepare('SELECT line, status, error, ref, fingerprint FROM events ORDER BY line, id').all();
  db.close();
  assert.deepEqual(rows, classified(ref.events));
});
