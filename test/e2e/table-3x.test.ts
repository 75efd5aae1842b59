import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createParser } from '../../src/parse/index.js';
import { loadRules, RuleEngine } from '../../src/classify/index.js';
import type { ApiErrorEvent } from '../../src/parse/event.js';

/**
 * Every row of the 3.x / Agora Chat error tables (X001…X199), as log records of several real
 * shapes, through the real parser and both bundled packs: each lands on its row, or on the 2.x
 * row it names as same_as. Variable parts (XXX, XX, xxxxxx, %s, {…}) are filled with values unlike
 * the documented placeholders and unlike the rules' own examples; variant 1 goes to an Agora Chat
 * host with a numeric org/app.
 */

interface Row {
  ref: string;
  status: number;
  error: string;
  error_description: string;
  endpoints: string[];
  section: string | null;
  same_as: string | null;
}

const ROWS: Row[] = JSON.parse(readFileSync(new URL('../fixtures/reference/easemob-3x-errors.json', import.meta.url), 'utf8')).rows;
const engine = new RuleEngine(loadRules({ builtin: true }));

type Variant = 0 | 1;
const USERS = ['zhao_lei9', 'qa-bot.3'];
const GROUPS = ['1099511627776001', '78342210551809'];
const APPKEYS = ['zeta-corp#live', '61117440#991380'];
const HOSTS = ['a1-sgp.easemob.com', 'a41.chat.agora.io'];

/** The documented description with its variable parts filled in. */
function fillDescription(d: string, v: Variant): string {
  let s = d.replace(/"$/, '').replace(/\\n$/, '\n');
  const ctx: [RegExp, string[]][] = [
    [/(?<=grpID |group: ?|group:|group ID )X{2,}/, GROUPS],
    [/(?<=size\[)X+/, ['75', '64']],
    [/(?<=value\[)X+/, ['60', '60']],
    [/(?<=exceed to )X+/, ['300', '2000']],
    [/(?<=exceed )X+/, ['5000', '20000']],
    [/(?<=invalid : )X+/, ['title_args', 'push_type']],
    [/(?<=^Application )X+/, ['null', 'zeta']],
    [/(?<=passwords are )X+/, ['x1, y2', 'abc, abd']],
    [/(?<=in app )X+/, APPKEYS],
    [/^XXX(?= template)/, ['order_shipped', 'daily-digest']],
    [/^XX(?= is violation)/, ['Cheap Watches 4U', 'spam-central']],
    [/(?<=time: )x{4,}/, ['2026-11-29T03', '20261129']],
  ];
  for (const [re, vals] of ctx) while (re.test(s)) s = s.replace(re, vals[v]);
  s = s.replace(/XXXX#XXXX|XX#XX|\{appkey\}/g, APPKEYS[v]);
  s = s.replace(/\{\}/g, ['3072', '8192'][v]).replace(/%s/g, '100');
  s = s.replace(/x{4,}/g, ['6d1f0c2e-9a4b-11ef-b5a1-0242ac120002', 'f0e1d2c3-0000-11ef-8000-00aabbccddee'][v]);
  s = s.replace(/X{2,}/g, USERS[v]);
  return s.replace(/\buser99\b/, USERS[v]);
}

/** Rows the table documents without an endpoint: the APIs their pages belong to. */
const DEFAULT_CALL: Record<string, string> = {
  X195: 'POST /{org_name}/{app_name}/messages/users/broadcast',
  X196: 'POST /{org_name}/{app_name}/messages/users',
  X197: 'POST /{org_name}/{app_name}/messages/users/broadcast',
  X198: 'POST /{org_name}/{app_name}/messages/broadcast',
  X199: 'POST /{org_name}/{app_name}/messages/chatrooms/broadcast',
};
const CALLBACK_CALL = 'POST /{org_name}/{app_name}/callbacks/storage/retry';

function callOf(r: Row, v: Variant): { method: string; url: string } {
  const docs = r.endpoints.length ? r.endpoints : [r.section ? CALLBACK_CALL : DEFAULT_CALL[r.ref]];
  const [method, path] = docs[v % docs.length].split(' ');
  const [org, app] = APPKEYS[v].split('#');
  const filled = path
    .replace('{org_name}', org).replace('{app_name}', app)
    .replace(/\/\{member1\}\(,\{member2\},…\)/, `/${USERS[0]},${USERS[1]}`)
    .replace(/\{(group_id|chatroom_id|chatroomid)\}/g, GROUPS[v])
    .replace(/\{(usernames|members)\}/g, `${USERS[0]},${USERS[1]}`)
    .replace(/\{(username|userId|uid|owner_username|friend_username|oldadmin|superAdmin)\}/g, USERS[v])
    .replace(/\{(msg_id|thread_id)\}/g, '1231311248793440000')
    .replace(/\{(file_uuid|file_id)\}/g, '6d1f0c2e-9a4b-11ef-b5a1-0242ac120002')
    .replace(/\{time\}/g, '2026112903')
    .replace(/\{name\}/g, 'order_shipped')
    .replace(/\{resource\}/g, 'android_1238')
    .replace(/\{[^}]*\}/g, '7');
  return { method, url: `https://${HOSTS[v]}${filled}` };
}

const REASON: Record<number, [string, string]> = {
  400: ['Bad Request', 'BadRequest'], 401: ['Unauthorized', 'Unauthorized'], 403: ['Forbidden', 'Forbidden'],
  404: ['Not Found', 'NotFound'], 409: ['Conflict', 'Conflict'], 413: ['Payload Too Large', 'PayloadTooLarge'],
  429: ['Too Many Requests', 'TooManyRequests'], 500: ['Internal Server Error', 'InternalServerError'],
};

/** The response body as Easemob writes it (field order of its servers; no error code where the row has none). */
function bodyOf(r: Row, v: Variant): Record<string, unknown> {
  const ts = 1795834336919 + v * 7001;
  if (r.section) return v === 0 ? { error: r.error } : { error_description: r.error, timestamp: ts };
  // Rows documented with a description only come with an empty error code.
  const b: Record<string, unknown> = { error: r.error };
  if (v === 0) b.exception = 'com.easemob.common.exception.EasemobException';
  b.timestamp = ts;
  b.duration = v;
  if (r.error_description) b.error_description = fillDescription(r.error_description, v);
  return b;
}

interface Shape {
  name: string;
  lines(r: Row, v: Variant): string[];
}

const SHAPES: Shape[] = [
  {
    name: 'pino JSON, body nested',
    lines: (r, v) => {
      const { method, url } = callOf(r, v);
      return [JSON.stringify({ level: 50, time: 1795834336919, pid: 2817, hostname: 'im-gw-5d8f7b9c4-x2k9q', reqId: `req-${r.ref}`, msg: 'easemob request failed', req: { method, url }, res: { statusCode: r.status, body: bodyOf(r, v) } })];
    },
  },
  {
    name: 'Spring text, body inline',
    lines: (r, v) => {
      const { method, url } = callOf(r, v);
      const [words, cls] = REASON[r.status];
      const kind = r.status >= 500 ? 'HttpServerErrorException' : 'HttpClientErrorException';
      return [`2026-11-28 10:52:32.757 ERROR 1 --- [nio-8080-exec-4] c.a.chat.easemob.EasemobRestClient       : Easemob call ${method} ${url} failed: org.springframework.web.client.${kind}$${cls}: ${r.status} ${words}: "${JSON.stringify(bodyOf(r, v))}"`];
    },
  },
  {
    name: 'Python logging, body after the status line',
    lines: (r, v) => {
      const { method, url } = callOf(r, v);
      return [`2026-11-28 10:52:32,757 ERROR im.easemob: call ${r.ref.toLowerCase()} failed: ${method} ${url} -> ${r.status} ${REASON[r.status][0]} [rid=req-${v}] body=${JSON.stringify(bodyOf(r, v))}`];
    },
  },
  {
    name: 'Java SDK 2.0 ApiException (no URL)',
    lines: (r, v) => [
      '2026-11-28 10:52:32.757 ERROR [reactor-http-epoll-2] c.acme.im.ImService - easemob call failed',
      `com.easemob.im.ApiException: Message: ${REASON[r.status][0]}`,
      `HTTP response code: ${r.status}`,
      `HTTP response body: ${JSON.stringify(bodyOf(r, v))}`,
      'HTTP response headers: {content-type=[application/json;charset=UTF-8], server=[nginx]}',
      '\tat com.easemob.im.ApiClient.handleResponse(ApiClient.java:1103)',
    ],
  },
  {
    // Guzzle keeps 120 bytes of the body ("(truncated...)" beyond): used only where the whole body fits.
    name: 'Guzzle ClientException via Monolog',
    lines: (r, v) => {
      const { method, url } = callOf(r, v);
      const kind = r.status >= 500 ? 'Server' : 'Client';
      return [`[2026-11-28T10:52:32.757000+08:00] app.ERROR: ${kind} error: \`${method} ${url}\` resulted in a \`${r.status} ${REASON[r.status][0]}\` response: ${guzzleBody(r, v)} [] []`];
    },
  },
];

function guzzleBody(r: Row, v: Variant): string {
  const b = bodyOf(r, v);
  delete b.exception;
  return JSON.stringify(b);
}

/** A rule every alternative of which names the call: a record without a URL cannot reach it. */
function needsCall(ref: string): boolean {
  const rule = engine.rules.find((x) => x.ref === ref);
  return !!rule && rule.matches.every((m) => m.endpoint !== null);
}

function shapesFor(r: Row): Shape[] {
  return SHAPES.filter((s) => {
    if (s.name.startsWith('Java SDK')) return !needsCall(r.ref);
    if (s.name.startsWith('Guzzle')) return guzzleBody(r, 0).length <= 120 && guzzleBody(r, 1).length <= 120;
    return true;
  });
}

/** E30 / E31 / E32 are one response told apart by the call (the 2.x table). */
function expectedRef(r: Row, ev: ApiErrorEvent): string {
  const want = r.same_as ?? r.ref;
  if (want !== 'E30' || ev.endpoint !== '/users/{username}') return want;
  return ev.method === 'GET' ? 'E31' : ev.method === 'DELETE' ? 'E32' : 'E30';
}

function eventsOf(lines: string[]): ApiErrorEvent[] {
  const p = createParser({ source: 'app.log', timezone: 'UTC', now: () => Date.UTC(2026, 10, 28, 3) });
  const out: ApiErrorEvent[] = [];
  lines.forEach((text, i) => out.push(...p.push(text, { lineNo: i + 1, offset: 0, readTime: Date.UTC(2026, 10, 28, 3) })));
  out.push(...p.flush());
  return out;
}

test('the copied 3.x table: 199 rows X001…X199, 27 with a 2.x twin, every other one a bundled rule', () => {
  assert.equal(ROWS.length, 199);
  assert.deepEqual(ROWS.map((r) => r.ref), Array.from({ length: 199 }, (_, i) => `X${String(i + 1).padStart(3, '0')}`));
  assert.equal(ROWS.filter((r) => r.same_as).length, 27);
  const own = ROWS.filter((r) => !r.same_as).map((r) => r.ref);
  const rules3 = engine.rules.filter((r) => r.ref?.startsWith('X'));
  assert.deepEqual(rules3.map((r) => r.ref).sort(), own);
  for (const r of ROWS.filter((x) => x.same_as)) assert.ok(engine.rules.some((x) => x.ref === r.same_as), `${r.ref} -> ${r.same_as}`);
  // Ids are unique across both packs (a clash would silently replace a rule of the other pack).
  assert.equal(new Set(engine.rules.map((r) => r.id)).size, engine.rules.length);
});

let records = 0;
const perShape = new Map<string, number>();
for (const r of ROWS) {
  test(`${r.ref} (${r.status} ${r.error || '-'} ${JSON.stringify(r.error_description).slice(0, 50)}) → ${r.same_as ?? r.ref}`, () => {
    const shapes = shapesFor(r);
    assert.ok(shapes.length >= 2, `${r.ref}: only ${shapes.map((s) => s.name)}`);
    for (const shape of shapes) {
      for (const v of [0, 1] as const) {
        const events = eventsOf(shape.lines(r, v));
        assert.equal(events.length, 1, `${shape.name} v${v}: ${events.length} events`);
        const [ev] = events;
        const cls = engine.classify(ev);
        const seen = { status: ev.status, error: ev.error, description: ev.errorDescription, method: ev.method, endpoint: ev.endpoint, appkey: ev.appkey };
        assert.equal(cls.ref, expectedRef(r, ev), `${shape.name} v${v}: ${cls.rule}; event ${JSON.stringify(seen)}`);
        assert.equal(ev.status, r.status);
        if (!shape.name.startsWith('Java SDK')) assert.equal(ev.appkey, APPKEYS[v], `${shape.name} v${v}`);
        records++;
        perShape.set(shape.name, (perShape.get(shape.name) ?? 0) + 1);
      }
    }
  });
}

test('record count: every row in at least two shapes, two fillings each', (t) => {
  assert.ok(records >= 199 * 2 * 2, `${records} records`);
  t.diagnostic(`${records} records: ${[...perShape].map(([k, n]) => `${k} ${n}`).join(', ')}`);
});
