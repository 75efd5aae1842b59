import { test } from 'node:test';
import assert from 'node:assert/strict';
import { run, byLine } from './helpers.js';
import type { Explanation } from '../../src/parse/index.js';

// Ruby Faraday 1.x with the stdlib Logger default formatter (`%s, [%s #%d] %5s -- %s: %s`), as an
// app logs its Easemob calls: Faraday's :logger middleware (Faraday::Logging::Formatter with
// `bodies: true`: request line, headers, body, `Status N`, headers, body — each its own Logger
// call, headers joined by "\n"), `e.response.inspect`, and Logger#error(exception) with a progname.
const MW_415 = [
  'I, [2026-11-27T10:27:55.434877 #9783]  INFO -- request: POST https://a61.easemob.com/campfire/rooms/messages',
  'I, [2026-11-27T10:27:55.434897 #9783]  INFO -- request: User-Agent: "Faraday v1.1.0"',
  'X-Request-Id: "req-d2e4b57e2cb7-1"',
  'Authorization: "Bearer [FILTERED]"',
  'Content-Type: "text/plain"',
  'I, [2026-11-27T10:27:55.434909 #9783]  INFO -- request: {"target_type":"users","target":["u_180207"],"msg":{"type":"txt","msg":"status 500 again, see {\\"error\\":\\"x\\"}"},"from":"mei.li"}',
  'I, [2026-11-27T10:27:55.435546 #9783]  INFO -- response: Status 415',
  'I, [2026-11-27T10:27:55.435596 #9783]  INFO -- response: content-type: "application/json;charset=UTF-8"',
  'date: "Wed, 02 Dec 2026 15:57:55 GMT"',
  'connection: "keep-alive"',
  'I, [2026-11-27T10:27:55.435624 #9783]  INFO -- response: {"error":"web_application","exception":"javax.ws.rs.WebApplicationException","timestamp":1796227075435,"duration":0,"error_description":"Unsupported Media Type"}',
  'E, [2026-11-27T10:27:55.435667 #9783] ERROR -- : send message mei.li -> u_180207 failed [req-d2e4b57e2cb7-1]: Faraday::ClientError: the server responded with status 415',
  'I, [2026-11-27T10:27:55.436001 #9783]  INFO -- cron: purge-expired-sessions removed 33 sessions in 13ms',
];

test('Faraday :logger: the request and response records of one call are one event, at the request line', () => {
  const explained: Explanation[] = [];
  const { events } = run(MW_415, { explain: (x) => explained.push(x) });
  assert.deepEqual(events.map((e) => e.line), [1]);
  const e = byLine(events, 1);
  assert.deepEqual(
    [e.method, e.endpoint, e.appkey, e.host, e.status, e.error, e.errorDescription],
    ['POST', '/messages', 'campfire#rooms', 'a61.easemob.com', 415, 'web_application', 'Unsupported Media Type'],
  );
  assert.equal(e.ts, Date.UTC(2026, 10, 27, 2, 27, 55, 434)); // Logger's local time, Asia/Shanghai
  assert.equal(e.tsFromLine, true);
  assert.match(e.raw, /X-Request-Id: "req-d2e4b57e2cb7-1"/);
  // The request body (a chat text quoting a status and an error body) is not the response.
  const app = explained.find((x) => x.line === 12);
  assert.ok(app && !app.event, 'the app line after the exchange is the same attempt, no second event');
  assert.equal(app.missing, 'the failure of the attempt already reported at line 1 (request req-d2e4b57e2cb7-1)');
});

test('Faraday :logger: a call without a response is tied to the app\'s failure line by its request id', () => {
  const lines = [
    'I, [2026-11-27T10:28:01.084136 #9783]  INFO -- request: POST https://a61.easemob.com/campfire/rooms/users',
    'I, [2026-11-27T10:28:01.084170 #9783]  INFO -- request: User-Agent: "Faraday v1.1.0"',
    'X-Request-Id: "req-8147d1f37cda-1"',
    'Authorization: "Bearer [FILTERED]"',
    'Content-Type: "application/json"',
    'I, [2026-11-27T10:28:01.084185 #9783]  INFO -- request: {"username":"carol","password":"mMPMlYRAHYQK","nickname":"carol"}',
    'W, [2026-11-27T10:28:01.892605 #9783]  WARN -- : register user carol failed [req-8147d1f37cda-1]: Faraday::TimeoutError: Net::ReadTimeout with #<Socket:(closed)>; retrying in 20ms (attempt 1/3)',
  ];
  const { events } = run(lines);
  assert.deepEqual(events.map((e) => e.line), [7]);
  const e = events[0];
  assert.deepEqual([e.method, e.endpoint, e.status, e.noResponse?.kind, e.noResponse?.attempt], ['POST', '/users', null, 'timeout', 1]);
  assert.equal(e.ts, Date.UTC(2026, 10, 27, 2, 28, 1, 892));
});

test('Faraday :logger: successful calls and calls to other services are no event', () => {
  const lines = [
    'I, [2026-11-27T10:27:55.434877 #9783]  INFO -- request: GET https://a61.easemob.com/campfire/rooms/users/bob',
    'I, [2026-11-27T10:27:55.434897 #9783]  INFO -- request: User-Agent: "Faraday v1.1.0"',
    'X-Request-Id: "req-aaaaaaaaaaaa-1"',
    'I, [2026-11-27T10:27:55.435546 #9783]  INFO -- response: Status 200',
    'I, [2026-11-27T10:27:55.435596 #9783]  INFO -- response: content-type: "application/json"',
    'I, [2026-11-27T10:27:55.435624 #9783]  INFO -- response: {"action":"get","uri":"https://a1.easemob.com/campfire/rooms/users","entities":[{"username":"bob","nickname":"status 500 {\\"error\\":\\"unauthorized\\"}"}],"duration":3}',
    'I, [2026-11-27T10:27:56.000001 #9783]  INFO -- request: POST https://api.partner-pay.com/sms/v1/send',
    'I, [2026-11-27T10:27:56.000002 #9783]  INFO -- request: User-Agent: "Faraday v1.1.0"',
    'X-Request-Id: "req-bbbbbbbbbbbb-1"',
    'I, [2026-11-27T10:27:56.000100 #9783]  INFO -- response: Status 503',
    'I, [2026-11-27T10:27:56.000101 #9783]  INFO -- response: {"error":"unavailable","error_description":"try later"}',
    'E, [2026-11-27T10:27:56.000200 #9783] ERROR -- sms: send login code failed [req-bbbbbbbbbbbb-1]: the server responded with status 503',
  ];
  assert.deepEqual(run(lines).events, []);
});

test('Faraday e.response.inspect: the call from the Ruby Hash\'s :request (:method, :url_path)', () => {
  const line =
    'E, [2026-11-27T10:28:03.166227 #9783] ERROR -- : delete user u_0865d2 failed [req-7ec8b653ac62-1]: Faraday::ResourceNotFound: the server responded with status 404 ' +
    '{:status=>404, :headers=>{"content-type"=>"application/json;charset=UTF-8", "content-length"=>"162"}, ' +
    ':body=>"{\\"error\\":\\"service_resource_not_found\\",\\"timestamp\\":1796227083166,\\"duration\\":1,\\"exception\\":\\"UserNotFoundException\\",\\"error_description\\":\\"Service resource not found\\"}", ' +
    ':request=>{:method=>:delete, :url_path=>"/campfire/rooms/users/u_0865d2", :params=>nil, :headers=>{"User-Agent"=>"Faraday v1.1.0", "X-Request-Id"=>"req-7ec8b653ac62-1"}, :body=>nil}}';
  const { events } = run([line]);
  assert.equal(events.length, 1);
  const e = events[0];
  assert.deepEqual(
    [e.method, e.endpoint, e.appkey, e.status, e.error, e.errorDescription],
    ['DELETE', '/users/{username}', 'campfire#rooms', 404, 'service_resource_not_found', 'Service resource not found'],
  );
});

test('Logger progname / Monolog channel `easemob` names the call when the record logs no URL', () => {
  const lines = [
    'W, [2026-11-27T10:28:03.054123 #9783]  WARN -- easemob req-b1ca56c1dfe3-1: end of file reached (Faraday::ConnectionFailed)',
    "/usr/lib/ruby/3.1.0/net/protocol.rb:227:in `rbuf_fill'",
    "/srv/campfire/app.rb:75:in `send_once'",
    '[2026-11-27T02:27:42.497307+00:00] easemob.ERROR: send message failed: cURL error 52: Empty reply from server {"request_id":"req-c87d94af1978-1"} []',
    // Not the client's logger: inbound callbacks, other services, an app line without a name.
    'E, [2026-11-27T10:28:04.000000 #9783] ERROR -- easemob.callback: easemob callback received: {"status"=>"500", "error"=>"timed out"}',
    '[2026-11-27T10:27:43.000000+00:00] easemob.callback.ERROR: callback delivery timed out [] []',
    'E, [2026-11-27T10:28:05.000000 #9783] ERROR -- sms: send login code failed: end of file reached (Faraday::ConnectionFailed)',
    'W, [2026-11-27T10:28:06.000000 #9783]  WARN -- : add friend walter failed [req-147fd9323543-1]: the server responded with status 503: ; retrying in 20ms (attempt 1/3)',
  ];
  const { events } = run(lines);
  assert.deepEqual(events.map((e) => e.line), [1, 4]);
  assert.deepEqual([events[0].noResponse?.kind, events[0].ts], ['reset', Date.UTC(2026, 10, 27, 2, 28, 3, 54)]);
  assert.deepEqual([events[1].noResponse?.kind, events[1].ts], ['reset', Date.UTC(2026, 10, 27, 2, 27, 42, 497)]);
  const explained: Explanation[] = [];
  run(lines, { explain: (x) => explained.push(x) });
  assert.match(explained.find((x) => x.line === 1)?.call ?? '', /logger "easemob"/);
  assert.match(explained.find((x) => x.line === 8)?.missing ?? '', /no Easemob call in the record/);
});
