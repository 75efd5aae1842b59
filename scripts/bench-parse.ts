/**
 * Micro-benchmark of the parser: lines/s for ordinary (non-error) lines and for error lines,
 * next to a bare `indexOf('"error"')` loop over the same lines (a stand-in for grep -cF).
 *   node --import tsx scripts/bench-parse.ts [lines]
 */
import { createParser } from '../src/parse/index.js';

const N = Number(process.argv[2] ?? 500_000);

const ordinary = [
  '{"level":30,"time":1795745730123,"pid":4242,"hostname":"im-api-7d9f","reqId":"req-1f","req":{"method":"GET","url":"/api/rooms/12","remoteAddress":"10.0.0.8"},"res":{"statusCode":200},"responseTime":3,"msg":"request completed"}',
  '2026-11-27 10:15:30.123  INFO 31337 --- [nio-8080-exec-4] c.acme.im.RoomController                 : room 12 loaded for user alice in 3 ms',
  '10.0.3.17 - - [27/Nov/2026:10:17:00 +0800] "GET /static/app.4f3a.js HTTP/1.1" 200 51234 "https://app.example.com/" "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36"',
  '{"level":"info","message":"sent message to bob","url":"https://a1.easemob.com/acme/chat/messages/users","status":200,"durationMs":35,"timestamp":"2026-11-27T02:15:31.456Z"}',
  '2026-11-27 10:15:31,456 DEBUG [pool-2-thread-1] com.acme.cache.RoomCache - cache hit for key room:12 (size=4123, ttl=300s)',
];
const errors = [
  '{"level":50,"time":1795745730123,"msg":"easemob failed","method":"POST","url":"https://a1.easemob.com/acme/chat/messages/users","status":429,"body":{"error":"reach_limit","exception":"X","timestamp":1,"duration":0,"error_description":"This request has reached api limit"}}',
  '2026-11-27 10:16:02.303 ERROR 31337 --- [nio-8080-exec-6] c.a.EasemobMessageService : send failed: org.springframework.web.client.HttpClientErrorException$Unauthorized: 401 Unauthorized: "{"error":"unauthorized","exception":"EasemobSecurityException","timestamp":1795745762300,"duration":0,"error_description":"Unable to authenticate due to expired access token"}"',
  '10.0.3.17 - - [27/Nov/2026:10:17:01 +0800] "GET /acme/chat/users/bob HTTP/1.1" 404 160 "-" "Apache-HttpClient/4.5.14 (Java/17.0.9)"',
];

function lines(src: string[], n: number): string[] {
  // Distinct strings, as a line splitter would hand them over.
  const out: string[] = new Array(n);
  for (let i = 0; i < n; i++) out[i] = (src[i % src.length] + ' ').slice(0, -1);
  return out;
}

function run(name: string, ls: string[]): void {
  const p = createParser({ source: 'bench', timezone: 'UTC', now: () => Date.UTC(2026, 10, 27, 2, 30) });
  const meta = { lineNo: 0, offset: 0, readTime: 0 };
  let ev = 0;
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < ls.length; i++) {
    meta.lineNo = i + 1;
    ev += p.push(ls[i], meta).length;
  }
  ev += p.flush().length;
  const s = Number(process.hrtime.bigint() - t0) / 1e9;
  let c = 0;
  const t1 = process.hrtime.bigint();
  for (let i = 0; i < ls.length; i++) if (ls[i].indexOf('"error"') >= 0) c++;
  const s2 = Number(process.hrtime.bigint() - t1) / 1e9;
  const mb = ls.reduce((a, l) => a + l.length + 1, 0) / 1e6;
  console.log(
    `${name.padEnd(9)} ${Math.round(ls.length / s).toLocaleString('en').padStart(12)} lines/s  ${(mb / s).toFixed(0).padStart(5)} MB/s` +
      `  events=${ev}  (indexOf baseline ${Math.round(ls.length / s2).toLocaleString('en')} lines/s, hits=${c})`,
  );
}

run('ordinary', lines(ordinary, N));
run('error', lines(errors, Math.max(1000, Math.floor(N / 20))));
