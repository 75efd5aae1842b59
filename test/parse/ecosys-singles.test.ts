import { test } from 'node:test';
import assert from 'node:assert/strict';
import { run } from './helpers.js';

// Shapes from PHP (Guzzle + Monolog as Laravel configures it) and Python (structlog's
// ConsoleRenderer), each as the library writes it.

test('structlog ConsoleRenderer: a dict repr whose description holds `\'` is double-quoted by repr', () => {
  const line =
    "2026-11-27 10:27:42 [error    ] easemob request failed         [meetly.im] attempt=1 method=POST op=addGroupMembers request_id=req-cbd62ff59d94-1 " +
    "response={'error': 'illegal_argument', 'exception': 'java.lang.IllegalArgumentException', 'timestamp': 1796227062181, 'duration': 0, 'error_description': \"group member sybil doesn't exist\"} " +
    'status=400 url=https://a41.easemob.com/orgx/meetly/chatgroups/40660376370357/users';
  const { events } = run([line]);
  assert.equal(events.length, 1);
  assert.deepEqual(
    [events[0].status, events[0].error, events[0].errorDescription, events[0].endpoint],
    [400, 'illegal_argument', "group member sybil doesn't exist", '/chatgroups/{group_id}/users'],
  );
});

test('Monolog with inline line breaks: Jackson\'s ` at [Source: …]` line ends the description, it is no stack frame', () => {
  const lines = [
    '[2026-11-27 10:27:50] production.ERROR: send message from u_222bff failed {"request_id":"req-89bd46a277b9-1","method":"POST","uri":"https://a1-hsb.easemob.com/1122161011178276/shopchat/messages","status":400,' +
      '"body":{"error":"json_parse","exception":"com.fasterxml.jackson.core.JsonParseException","timestamp":1796227070031,"duration":0,"error_description":"Unexpected character (\':\' (code 58)): was expecting a colon to separate field name and value',
    ' at [Source: java.io.BufferedInputStream@c415ede2; line: 1, column: 11]"},"attempt":1} ',
    '[2026-11-27 10:27:50] production.INFO: order #83764 paid, notifying chat room  ',
  ];
  const { events } = run(lines);
  assert.equal(events.length, 1);
  assert.deepEqual([events[0].status, events[0].error, events[0].method, events[0].endpoint], [400, 'json_parse', 'POST', '/messages']);
  assert.match(events[0].errorDescription ?? '', /^Unexpected character/);
});

test('Guzzle MessageFormatter::DEBUG with line breaks: a request body with a "msg" key stays in the dump', () => {
  const lines = [
    '[2026-11-27 10:27:45] production.INFO: >>>>>>>>',
    'POST /1122161011178276/shopchat/messages HTTP/1.1\r',
    'Content-Length: 120\r',
    'Host: a1-hsb.easemob.com\r',
    'X-Request-Id: req-1fa983467680-1\r',
    'Content-Type: application/json\r',
    '\r',
    '{"target_type":"users","target":["u_183ec3"],"msg":{"type":"txt","msg":"lorem ipsum"},"from":"u_f5c700"}',
    '<<<<<<<<',
    'HTTP/1.1 413 Request Entity Too Large\r',
    'content-type: text/html\r',
    '\r',
    '<html>\r',
    '<head><title>413 Request Entity Too Large</title></head>\r',
    '</html>\r',
    '',
    '--------',
    'NULL  ',
    '[2026-11-27 10:27:45] production.INFO: order #83764 paid  ',
  ];
  const { events } = run(lines);
  assert.deepEqual(events.map((e) => [e.line, e.status, e.method, e.endpoint, e.appkey]), [[1, 413, 'POST', '/messages', '1122161011178276#shopchat']]);
});

test('Guzzle MessageFormatter::DEBUG on one line: a request body longer than the analysed head does not hide the response', () => {
  const text = 'lorem ipsum dolor '.repeat(500);
  const line =
    '[2026-11-27T02:27:23.138495+00:00] http.INFO: >>>>>>>> POST /1122161011178276/chatapp/messages HTTP/1.1 Content-Length: 9100 User-Agent: GuzzleHttp/7 Host: a1.easemob.com X-Request-Id: req-0ba166f96120-1 Content-Type: application/json  ' +
    `{"target_type":"users","target":["bob"],"msg":{"type":"txt","msg":"${text}"},"from":"wang_wu"} <<<<<<<< HTTP/1.1 413 Request Entity Too Large content-type: application/json;charset=UTF-8 content-length: 122  ` +
    '{"error":"Request Entity Too Large","timestamp":1796297603137,"duration":0,"error_description":"Request Entity Too Large"} -------- NULL [] []';
  assert.ok(line.length > 9000);
  const { events } = run([line]);
  assert.deepEqual(
    events.map((e) => [e.status, e.method, e.endpoint, e.error, e.ts]),
    [[413, 'POST', '/messages', 'Request Entity Too Large', Date.UTC(2026, 10, 27, 2, 27, 23, 138)]],
  );
});
