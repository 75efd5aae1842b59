import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fixture, run, view, byLine } from './helpers.js';

const { events, p } = run(fixture('json.log'));

test('json: exactly the failing Easemob records yield events', () => {
  assert.deepEqual(events.map((e) => e.line), [1, 2, 3, 4, 5, 6, 7, 8, 14]);
  assert.equal(p.stats.lines, 14);
  assert.equal(p.stats.events, 9);
  assert.equal(p.stats.malformed, 1); // line 13: truncated record
});

test('json: pino + serialised AxiosError (config.baseURL + relative url, response.data)', () => {
  const e = byLine(events, 1);
  assert.deepEqual(view(e), {
    ts: '2026-11-27T02:15:30.123Z', tsFromLine: true, line: 1, method: 'GET',
    url: 'https://a1.easemob.com/acme/chat/users/bob', endpoint: '/users/{username}', appkey: 'acme#chat',
    host: 'a1.easemob.com', status: 401, error: 'unauthorized',
    errorDescription: 'Unable to authenticate due to expired access token', exception: 'EasemobSecurityException',
    parser: 'json',
  });
  assert.equal(e.offset, 0);
  assert.ok(!e.raw.includes('YWMtQ2x5ZC1'), 'bearer token redacted in raw');
  assert.ok(e.raw.includes('"Authorization":"Bearer [REDACTED]"'));
});

test('json: winston DELETE of one user gives /users/{username} (rule E32)', () => {
  assert.deepEqual(view(byLine(events, 2)), {
    ts: '2026-11-27T02:15:31.456Z', tsFromLine: true, line: 2, method: 'DELETE',
    url: 'https://a1.easemob.com/acme/chat/users/bob', endpoint: '/users/{username}', appkey: 'acme#chat',
    host: 'a1.easemob.com', status: 404, error: 'service_resource_not_found', errorDescription: 'Service resource not found',
    exception: 'org.apache.usergrid.services.exceptions.ServiceResourceNotFoundException', parser: 'json',
  });
});

test('json: bunyan + got HTTPError, body as a JSON string, Agora Chat host', () => {
  assert.deepEqual(view(byLine(events, 3)), {
    ts: '2026-11-27T02:15:32.001Z', tsFromLine: true, line: 3, method: 'POST',
    url: 'https://a41.chat.agora.io/7112345/demo/messages/chatgroups', endpoint: '/messages/chatgroups',
    appkey: '7112345#demo', host: 'a41.chat.agora.io', status: 429, error: 'reach_limit',
    errorDescription: 'This request has reached api limit', exception: 'com.easemob.ratelimit.ReachLimitException',
    parser: 'json',
  });
});

test('json: logstash-logback-encoder stack_trace with Spring HttpClientErrorException', () => {
  assert.deepEqual(view(byLine(events, 4)), {
    ts: '2026-11-27T02:15:33.789Z', tsFromLine: true, line: 4, method: null, url: null, endpoint: null,
    appkey: null, host: null, status: 400, error: 'duplicate_unique_property_exists',
    errorDescription: 'Application null Entity user requires that property named username be unique, value of alice exists',
    exception: 'org.apache.usergrid.persistence.exceptions.DuplicateUniquePropertyExistsException', parser: 'json',
  });
});

test('json: zap (epoch seconds ts, body string)', () => {
  const e = byLine(events, 5);
  assert.equal(view(e).ts, '2026-11-27T02:15:34.512Z');
  assert.equal(e.status, 429);
  assert.equal(e.endpoint, '/messages/users');
  assert.equal(e.error, 'reach_limit');
  assert.equal(e.method, 'POST');
});

test('json: structlog status_code + numeric group id folded', () => {
  const e = byLine(events, 6);
  assert.equal(e.endpoint, '/chatgroups/{group_id}/users/{username}');
  assert.equal(e.host, 'a1-sgp.easemob.com');
  assert.equal(e.status, 403);
  assert.equal(e.errorDescription, 'can not join this group, reason:user: hxtest1 already in group: 40659491815425');
  assert.equal(view(e).ts, '2026-11-27T02:15:35.000Z');
});

test('json: ECS flattened dotted keys', () => {
  assert.deepEqual(view(byLine(events, 7)), {
    ts: '2026-11-27T02:15:36.000Z', tsFromLine: true, line: 7, method: 'GET',
    url: 'https://a71.easemob.com/acme/chat/chatrooms/200987654321', endpoint: '/chatrooms/{chatroom_id}',
    appkey: 'acme#chat', host: 'a71.easemob.com', status: 404, error: 'service_resource_not_found',
    errorDescription: 'Service resource not found',
    exception: 'org.apache.usergrid.services.exceptions.ServiceResourceNotFoundException', parser: 'json',
  });
});

test('json: axios time-out (ECONNABORTED) is a no-response event with attempt/gaveUp', () => {
  assert.deepEqual(view(byLine(events, 8)), {
    ts: '2026-11-27T02:15:37.000Z', tsFromLine: true, line: 8, method: 'POST',
    url: 'https://a1.easemob.com/acme/chat/messages/users', endpoint: '/messages/users', appkey: 'acme#chat',
    host: 'a1.easemob.com', status: null, error: null, errorDescription: null, exception: 'AxiosError',
    parser: 'json', noResponse: { kind: 'timeout', gaveUp: true, attempt: 3 },
  });
});

test('json: an Easemob error body with no status stays status null (rule engine keys on error)', () => {
  assert.deepEqual(view(byLine(events, 14)), {
    ts: '2026-11-27T02:15:43.000Z', tsFromLine: true, line: 14, method: null, url: null, endpoint: null,
    appkey: null, host: null, status: null, error: 'auth_bad_access_token',
    errorDescription: 'Unable to authenticate due to corrupt access token', exception: 'EasemobSecurityException',
    parser: 'json',
  });
});

test('json: docker json-file wrapper and syslog-prefixed records', () => {
  const inner = JSON.stringify({ level: 'error', msg: 'easemob failed', status: 401, url: 'https://a1.easemob.com/acme/chat/users', time: '2026-11-27T02:10:00.000Z' });
  const docker = JSON.stringify({ log: inner + '\n', stream: 'stderr', time: '2026-11-27T02:10:00.500Z' });
  const syslog = 'Nov 27 10:11:00 im-1 node[77]: ' + JSON.stringify({ level: 50, msg: 'easemob failed', status: 403, url: 'https://a1.easemob.com/acme/chat/chatgroups/1' });
  const { events: ev } = run([docker, syslog]);
  assert.equal(ev.length, 2);
  assert.equal(ev[0].status, 401);
  assert.equal(view(ev[0]).ts, '2026-11-27T02:10:00.000Z');
  assert.equal(ev[1].status, 403);
  assert.equal(ev[1].endpoint, '/chatgroups/{group_id}');
  assert.equal(view(ev[1]).ts, '2026-11-27T02:11:00.000Z'); // from the syslog prefix, Asia/Shanghai
});

test('json: pino-http error record — the Easemob call status, not the app\'s own res.statusCode', () => {
  const { events: ev } = run([
    '{"level":50,"time":1795745730123,"req":{"method":"POST","url":"/api/im/send"},"res":{"statusCode":500},"err":{"type":"AxiosError","message":"timeout of 5000ms exceeded","code":"ECONNABORTED","config":{"url":"https://a1.easemob.com/acme/chat/messages/users","method":"post"}},"msg":"request errored"}',
    '{"level":50,"time":1795745730123,"req":{"method":"POST","url":"/api/im/send"},"res":{"statusCode":500},"err":{"type":"AxiosError","message":"Request failed with status code 429","code":"ERR_BAD_REQUEST","config":{"url":"https://a1.easemob.com/acme/chat/messages/users","method":"post"},"response":{"status":429,"data":{"error":"reach_limit","error_description":"This request has reached api limit"}}},"msg":"request errored"}',
    '{"level":50,"time":1795745730123,"req":{"method":"POST","url":"/api/im/send"},"res":{"statusCode":500},"err":{"type":"Error","message":"db down"},"msg":"request errored"}',
  ]);
  assert.deepEqual(ev.map((e) => [e.line, e.status, e.noResponse?.kind ?? null, e.endpoint, e.error]), [
    [1, null, 'timeout', '/messages/users', null],
    [2, 429, null, '/messages/users', 'reach_limit'],
  ]);
});

test('json: status under "code" (numeric 4xx/5xx) or "httpCode"', () => {
  const { events: ev } = run([
    '{"level":"error","msg":"easemob failed","code":401,"url":"https://a1.easemob.com/acme/chat/users","time":"2026-11-27T02:15:30Z"}',
    '{"level":"error","msg":"easemob failed","httpCode":503,"url":"https://a1.easemob.com/acme/chat/users","time":"2026-11-27T02:15:30Z"}',
    '{"level":"error","msg":"easemob failed","code":"ECONNRESET","url":"https://a1.easemob.com/acme/chat/users","time":"2026-11-27T02:15:30Z"}',
  ]);
  assert.deepEqual(ev.map((e) => [e.status, e.noResponse?.kind ?? null]), [[401, null], [503, null], [null, 'reset']]);
});
