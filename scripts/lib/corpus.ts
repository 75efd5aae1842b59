// Realistic log lines for benchmarks: ordinary traffic plus failing Easemob calls in the shapes
// real libraries write (pino, winston, logback/Spring, the Java SDK, nginx, client time-outs).
const HOSTS = ['a1.easemob.com', 'a41.chat.agora.io', 'a61.easemob.com'];
const APPS = ['acme/chatprod', 'acme/chatstaging', 'globex/im'];
let seq = 0;

function pick<T>(a: T[], i: number): T {
  return a[i % a.length];
}

function logback(t: number): string {
  return new Date(t).toISOString().replace('T', ' ').replace('Z', '');
}

/**
 * Mix of ordinary lines, in percent (ORDINARY_MIX describes it for the bench output). Successful
 * Easemob calls logged with their URL are kept at a few percent, as real apps log them: each is a
 * candidate for the bulk scan (Easemob host) that must yield no event.
 */
const MIX: [kind: string, pct: number][] = [
  ['logback INFO', 30],
  ['pino request completed (statusCode 200)', 25],
  ['nginx access 200', 20],
  ['logback DEBUG', 22],
  ['winston easemob call ok (Easemob URL, 200)', 3],
];
const KIND_OF: number[] = MIX.flatMap(([, pct], k) => Array<number>(pct).fill(k));
export const ORDINARY_MIX = MIX.map(([kind, pct]) => `${pct}% ${kind}`).join(', ');

/** An ordinary (non-failing) line. */
export function ordinaryLine(t: number, i: number): string {
  // Spread the kinds over i with a multiplicative hash, so neighbouring lines differ.
  switch (KIND_OF[(Math.imul(i, 0x9e3779b1) >>> 0) % 100]) {
    case 0:
      return `${logback(t)} INFO  [http-nio-8080-exec-${i % 16}] c.a.chat.MessageController - delivered message ${i} to user_${i % 9973} in ${i % 97} ms`;
    case 1:
      return JSON.stringify({ level: 30, time: t, pid: 4121, hostname: 'app-1', reqId: `req-${i}`, msg: 'request completed', res: { statusCode: 200 }, responseTime: i % 250 });
    case 2:
      return `10.0.${i % 255}.${i % 200} - - [27/Nov/2026:10:15:30 +0000] "GET /api/v1/rooms/${i % 500}/messages?limit=50 HTTP/1.1" 200 ${1000 + (i % 9000)} "-" "Mozilla/5.0"`;
    case 4:
      return JSON.stringify({ level: 'info', message: `easemob send ok`, timestamp: new Date(t).toISOString(), method: 'POST', url: `https://${pick(HOSTS, i)}/${pick(APPS, i)}/messages/users`, statusCode: 200, durationMs: i % 120 });
    default:
      return `${logback(t)} DEBUG [scheduler-1] c.a.chat.PresenceSync - synced ${i % 1000} presences, cursor=${i.toString(36)}`;
  }
}

export const FAILING_SHAPES =
  'evenly pino 429 JSON, Spring HttpClientErrorException 401, Java SDK 1.x 404 (two lines), nginx 502, winston 403 JSON, pino client time-out';

/** A failing Easemob call; some shapes span two lines. */
export function failingLines(t: number, i: number): string[] {
  const host = pick(HOSTS, i);
  const app = pick(APPS, i >> 2);
  const s = seq++;
  switch (i % 6) {
    case 0:
      return [JSON.stringify({ level: 50, time: t, pid: 4121, hostname: 'app-1', msg: 'Easemob request failed', method: 'POST', url: `https://${host}/${app}/messages/users`, status: 429, body: { error: 'reach_limit', exception: 'EasemobRateLimitException', timestamp: t, duration: 0, error_description: 'This request has reached api limit' }, seq: s })];
    case 1:
      return [`${logback(t)} ERROR 4121 --- [nio-8080-exec-3] c.a.chat.EasemobClient : call failed seq=${s}: org.springframework.web.client.HttpClientErrorException$Unauthorized: 401 Unauthorized: "{"error":"unauthorized","exception":"EasemobSecurityException","timestamp":${t},"duration":0,"error_description":"Unable to authenticate due to expired access token"}"`];
    case 2:
      return [`com.easemob.im.server.exception.EMNotFoundException: GET /${app}/users/user_${s} -> 404 Not Found, `, ` error_description -> Service resource not found`];
    case 3:
      return [`10.0.0.12 - - [27/Nov/2026:10:15:30 +0000] "POST /${app}/chatgroups HTTP/1.1" 502 157 "-" "okhttp/4.12.0" upstream=${host}:443`];
    case 4:
      return [JSON.stringify({ level: 'error', message: 'add member failed', timestamp: new Date(t).toISOString(), method: 'POST', url: `https://${host}/${app}/chatgroups/4065949181${s % 100000}/users/bob`, statusCode: 403, response: { data: { error: 'forbidden_op', error_description: `can not join this group, reason:user: bob already in group: 4065949181${s % 100000}\n` } } })];
    default:
      return [JSON.stringify({ level: 50, time: t, msg: `easemob call to https://${host}/${app}/messages/chatgroups failed: timeout of 5000ms exceeded`, err: { code: 'ECONNABORTED', message: 'timeout of 5000ms exceeded' } })];
  }
}
