import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fixture, run, view, byLine } from './helpers.js';

const { events, p } = run(fixture('embedded.log'));

test('embedded: events only for Easemob failures', () => {
  assert.deepEqual(events.map((e) => e.line), [1, 8, 9, 10, 11, 12, 15, 16, 17]);
  assert.equal(p.stats.malformed, 0);
});

test('embedded: Spring 6 HttpClientErrorException with quoted body, stack trace joined into raw', () => {
  const e = byLine(events, 1);
  assert.deepEqual(view(e), {
    ts: '2026-11-27T02:16:00.101Z', tsFromLine: true, line: 1, method: null,
    url: 'https://a1.easemob.com/acme/chat/users', endpoint: '/users', appkey: 'acme#chat', host: 'a1.easemob.com',
    status: 400, error: 'illegal_argument', errorDescription: 'username is not legal',
    exception: 'java.lang.IllegalArgumentException', parser: 'embedded',
  });
  assert.equal(e.raw.split('\n').length, 7);
  assert.ok(e.raw.endsWith('... 87 common frames omitted'));
});

test('embedded: Spring 5 bracketed body `400 Bad Request: [{…}]`, secret redacted', () => {
  assert.deepEqual(view(byLine(events, 8)), {
    ts: '2026-11-27T02:16:01.202Z', tsFromLine: true, line: 8, method: 'POST',
    url: 'https://a1.easemob.com/acme/chat/token', endpoint: '/token', appkey: 'acme#chat', host: 'a1.easemob.com',
    status: 400, error: 'invalid_grant', errorDescription: 'client_secret does not match',
    exception: 'EasemobSecurityException', parser: 'embedded',
  });
});

test('embedded: Spring 6 empty reason `401 : "{…}"`, no URL, scoped by the Easemob body', () => {
  const e = byLine(events, 9);
  assert.equal(e.status, 401);
  assert.equal(e.error, 'unauthorized');
  assert.equal(e.url, null);
  assert.equal(e.endpoint, null);
});

test('embedded: escaped body after status=403', () => {
  assert.deepEqual(view(byLine(events, 10)), {
    ts: '2026-11-27T02:16:03.404Z', tsFromLine: true, line: 10, method: 'DELETE',
    url: 'https://a1.easemob.com/acme/chat/chatgroups/40659491815425/users/hxtest100',
    endpoint: '/chatgroups/{group_id}/users/{username}', appkey: 'acme#chat', host: 'a1.easemob.com', status: 403,
    error: 'forbidden_op', errorDescription: 'users [hxtest100] are not members of this group!',
    exception: 'com.easemob.group.exception.ForbiddenOpException', parser: 'embedded',
  });
});

test('embedded: Feign "[429 Too Many Requests] during [POST] to [url]"', () => {
  const e = byLine(events, 11);
  assert.equal(e.method, 'POST');
  assert.equal(e.status, 429);
  assert.equal(e.endpoint, '/messages/chatrooms');
  assert.equal(e.error, 'reach_limit');
});

test('embedded: Python requests HTTPError, access_token in the URL redacted', () => {
  const e = byLine(events, 12);
  assert.equal(e.status, 401);
  assert.equal(e.url, 'https://a1.easemob.com/acme/chat/users?limit=100&access_token=[REDACTED]');
  assert.equal(e.endpoint, '/users');
  assert.equal(e.exception, 'requests.exceptions.HTTPError');
  assert.equal(e.error, null);
  assert.ok(!e.raw.includes('YWMt'));
});

test('embedded: debug log of an Easemob body with no status is an event with status null', () => {
  const e = byLine(events, 15);
  assert.equal(e.status, null);
  assert.equal(e.error, 'resource_limited');
  assert.equal(e.parser, 'embedded');
  assert.equal(view(e).ts, '2026-11-27T02:16:08.909Z');
});

test('embedded: outbound access log "POST url 429 35ms" and a gateway 413 without body', () => {
  const a = byLine(events, 16);
  assert.equal(a.status, 429);
  assert.equal(a.method, 'POST');
  assert.equal(a.endpoint, '/messages/users');
  const b = byLine(events, 17);
  assert.equal(b.status, 413);
  assert.equal(b.error, null);
});

test('embedded: a 200 line echoing {"error":…} in chat text and another API\'s 400 give nothing', () => {
  assert.equal(events.some((e) => e.line === 13 || e.line === 14), false);
});

test('embedded: includeOtherApis yields the payment API 400', () => {
  const { events: ev } = run(fixture('embedded.log'), { includeOtherApis: true });
  const e = byLine(ev, 14);
  assert.equal(e.host, 'api.payments.example');
  assert.equal(e.status, 400);
  assert.equal(e.error, 'invalid_request');
  assert.equal(e.appkey, null);
  assert.equal(ev.some((x) => x.line === 13), false); // still a success
});

test('embedded: configured apiHosts (VIP region) count as Easemob, unknown hosts do not', () => {
  const line = '2026-11-27 10:16:00.000 ERROR [main] c.a.Im - POST https://api.im.acme-vip.com/acme/chat/users failed: status=401';
  assert.equal(run([line]).events.length, 0);
  const ev = run([line], { apiHosts: ['*.im.acme-vip.com'] }).events;
  assert.equal(ev.length, 1);
  assert.deepEqual([ev[0].host, ev[0].endpoint, ev[0].appkey, ev[0].status], ['api.im.acme-vip.com', '/users', 'acme#chat', 401]);
  // A VIP host named without any other failure word still passes the prefilter.
  const ev2 = run(['10:16:00 api.im.acme-vip.com POST /acme/chat/users 429'], { apiHosts: ['api.im.acme-vip.com'] }).events;
  assert.equal(ev2.length, 1);
  assert.equal(ev2[0].status, 429);
});
