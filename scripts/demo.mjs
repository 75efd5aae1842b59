#!/usr/bin/env node
// Appends realistic failing Easemob calls (in the shapes real apps log them) to ./logs/app.log,
// a few seconds apart, so `npm start` in another terminal shows alerts appear.
// Usage: npm run demo [-- --fast] [-- --file logs/other.log]
import { appendFileSync, mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';

const args = process.argv.slice(2);
const fast = args.includes('--fast');
const fileArg = args.indexOf('--file');
const file = resolve(fileArg >= 0 ? args[fileArg + 1] : 'logs/app.log');
mkdirSync(dirname(file), { recursive: true });

const host = 'a1.easemob.com';
const org = 'acme';
const app = 'chatprod';
const now = () => new Date();
const iso = () => now().toISOString();
const logback = () => {
  const d = now();
  const p = (n, w = 2) => String(n).padStart(w, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}.${p(d.getMilliseconds(), 3)}`;
};
const pino = (obj) => JSON.stringify({ level: 50, time: Date.now(), pid: process.pid, hostname: 'app-1', ...obj });

const scenes = [
  // pino + axios: the admin token expired
  () => [pino({
    msg: 'Easemob request failed',
    method: 'POST', url: `https://${host}/${org}/${app}/messages/users`, status: 401,
    body: { error: 'unauthorized', exception: 'EasemobSecurityException', timestamp: Date.now(), duration: 0, error_description: 'Unable to authenticate due to expired access token' },
  })],
  // Spring RestTemplate: rate limit
  () => [`${logback()} ERROR 4121 --- [nio-8080-exec-3] c.a.chat.EasemobClient : POST https://${host}/${org}/${app}/messages/chatgroups failed: org.springframework.web.client.HttpClientErrorException$TooManyRequests: 429 Too Many Requests: "{"error":"reach_limit","exception":"EasemobRateLimitException","timestamp":${Date.now()},"duration":0,"error_description":"This request has reached api limit"}"`],
  // Java server SDK 1.x: user not found on GET (E31) — two lines
  () => [
    `${logback()} WARN  [reactor-http-epoll-2] c.a.chat.UserService - lookup failed`,
    `com.easemob.im.server.exception.EMNotFoundException: GET /${org}/${app}/users/alice_01 -> 404 Not Found, `,
    ` error_description -> Service resource not found`,
  ],
  // nginx access log of an outbound proxy: 502 from upstream
  () => [`10.0.0.12 - - [${new Date().toUTCString().replace(/^\w+, (\d+) (\w+) (\d+) (\S+) GMT$/, '$1/$2/$3:$4 +0000')}] "POST /${org}/${app}/chatgroups HTTP/1.1" 502 157 "-" "okhttp/4.12.0" upstream=${host}:443`],
  // Node: time-out after retries
  () => [pino({ level: 50, msg: `easemob call to https://${host}/${org}/${app}/messages/chatgroups failed: timeout of 5000ms exceeded (attempt 3/3, giving up)`, err: { code: 'ECONNABORTED', message: 'timeout of 5000ms exceeded' } })],
  // winston: already a member (info-level business outcome)
  () => [JSON.stringify({ level: 'error', message: 'add member failed', timestamp: iso(), method: 'POST', url: `https://${host}/${org}/${app}/chatgroups/40659491815425/users/bob`, statusCode: 403, response: { data: { error: 'forbidden_op', error_description: 'can not join this group, reason:user: bob already in group: 40659491815425\n' } } })],
  // an ordinary line, so the log looks like a log
  () => [`${logback()} INFO  [main] c.a.chat.Heartbeat - ok`],
];

let i = 0;
const total = fast ? scenes.length : scenes.length * 3;
function step() {
  const lines = scenes[i % scenes.length]();
  appendFileSync(file, lines.join('\n') + '\n');
  process.stdout.write(`appended ${lines.length} line(s) to ${file}\n`);
  i++;
  if (i < total) setTimeout(step, fast ? 50 : 1500);
}
step();
