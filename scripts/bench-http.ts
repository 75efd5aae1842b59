// HTTP ingest rate (npm run bench:http): N batches of Vector-shaped ndjson records POSTed one after
// another to a real HttpSource over a real Pipeline and SQLite file.
//   BENCH_INPUT=synthetic (default): one Easemob failure in ten lines, ten origins.
//   BENCH_INPUT=realistic: the realistic app-server logs (test/fixtures/realistic/*/logs), each log one
//     origin (host + file, with its real byte offsets), their lines in order: multi-line records,
//     successful calls and noise as real servers write them (about 2% of lines are failed calls).
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase } from '../src/store/db.js';
import { Pipeline } from '../src/daemon/pipeline.js';
import { loadClassifierFor } from '../src/cli/rules.js';
import { HttpSource } from '../src/ingest/http/index.js';

const BATCHES = Number(process.env.BATCHES ?? 200);
const PER_BATCH = Number(process.env.PER_BATCH ?? 1000);
const dir = mkdtempSync(join(tmpdir(), 'apiwatch-bench-http-'));
const db = openDatabase(join(dir, 'apiwatch.db'));
const pipeline = new Pipeline({ db, classifier: await loadClassifierFor({ rules: { files: [] } }) });
const src = new HttpSource({ cfg: { listen: '127.0.0.1:0', path: '/ingest', max_body: 10 << 20, max_inflight: 32, offset_key: 'offset' }, db, target: () => pipeline });
const port = await src.start();
const fail = JSON.stringify({ level: 'error', message: 'Easemob API error', method: 'DELETE', url: 'https://a1.easemob.com/acme/chat/users/bob', status: 404, response: { data: { error: 'service_resource_not_found', error_description: 'Service resource not found' } } });
const ok = '2026-11-27 10:18:02.300  INFO 4711 --- [main] c.acme.im.MessageSender                  : sent message 1234 to group 5678';
function synthetic(): string[] {
  let offset = 0;
  const out: string[] = [];
  for (let b = 0; b < BATCHES; b++) {
    const recs: string[] = [];
    for (let i = 0; i < PER_BATCH; i++) {
      const message = i % 10 === 0 ? fail : ok;
      recs.push(JSON.stringify({ file: '/var/log/app/app.log', host: `web-${b % 10}`, message, offset: (offset += 200), source_type: 'file', timestamp: '2026-11-27T02:15:31.456789Z' }));
    }
    out.push(recs.join('\n'));
  }
  return out;
}

/** Every realistic log as one shipper would send it, BATCHES × PER_BATCH lines in all (logs repeated as new origins). */
function realistic(): string[] {
  const base = new URL('../test/fixtures/realistic/', import.meta.url);
  const logs: { name: string; lines: string[] }[] = [];
  for (const seed of readdirSync(base).filter((d) => !d.endsWith('.json') && !d.endsWith('.md'))) {
    for (const f of readdirSync(new URL(`${seed}/logs/`, base)).filter((x) => x.endsWith('.log.gz')).sort()) {
      logs.push({ name: `${seed}/${f.slice(0, -3)}`, lines: gunzipSync(readFileSync(new URL(`${seed}/logs/${f}`, base))).toString('utf8').split('\n').filter(Boolean) });
    }
  }
  const out: string[] = [];
  let recs: string[] = [];
  let round = 0;
  while (out.length < BATCHES) {
    for (const [k, log] of logs.entries()) {
      let offset = 0;
      for (const message of log.lines) {
        recs.push(JSON.stringify({ file: `/var/log/${log.name}`, host: `web-${round}-${k}`, message, offset, source_type: 'file', timestamp: '2026-11-27T02:15:31.456789Z' }));
        offset += Buffer.byteLength(message) + 1;
        if (recs.length === PER_BATCH) {
          out.push(recs.join('\n'));
          recs = [];
          if (out.length === BATCHES) return out;
        }
      }
    }
    round++;
  }
  return out;
}

const INPUT = process.env.BENCH_INPUT ?? 'synthetic';
const bodies = INPUT === 'realistic' ? realistic() : synthetic();
const bytes = bodies.reduce((n, b) => n + Buffer.byteLength(b), 0);
const t0 = process.hrtime.bigint();
for (const body of bodies) {
  const r = await fetch(`http://127.0.0.1:${port}/ingest`, { method: 'POST', body, headers: { 'content-type': 'application/x-ndjson' } });
  if (r.status !== 200) throw new Error(`HTTP ${r.status}: ${await r.text()}`);
}
const s = Number(process.hrtime.bigint() - t0) / 1e9;
const lines = BATCHES * PER_BATCH;
console.log(JSON.stringify({ input: INPUT, lines, bytes, seconds: +s.toFixed(2), lines_per_s: Math.round(lines / s), mb_per_s: +(bytes / s / 1e6).toFixed(1), events: pipeline.stats.events }));
await src.stop();
db.close();
rmSync(dir, { recursive: true, force: true });
