import { DateTime } from 'luxon';
import type { DB } from '../../src/store/db.js';
import { record, type EventSpec } from './helpers.js';

/** Local time on the digest day → epoch ms. */
function at(day: string, tz: string, hhmm: string, plusDays = 0): number {
  return DateTime.fromISO(`${day}T${hhmm}`, { zone: tz }).plus({ days: plusDays }).toMillis();
}

function spread(n: number, from: number, to: number): number[] {
  return Array.from({ length: n }, (_, i) => Math.round(from + ((to - from) * (i + 0.5)) / n));
}

const TOKEN = {
  ref: 'E01', category: 'auth', severity: 'critical', title: 'App token is invalid or expired', method: 'POST',
  endpoint: '/messages/users', status: 401, error: 'unauthorized', description: 'Unable to authenticate (OAuth)',
  hint: 'Refresh the app token with POST /token before it expires; check the client_id/client_secret of this app key.',
  hintZh: '应用 token 无效或已过期：在过期前调用 POST /token 重新获取，并检查该 AppKey 的 client_id/client_secret。',
} as const satisfies Partial<EventSpec>;
const RATE = {
  ref: 'S429', category: 'rate_limit', severity: 'warning', title: 'Rate limit exceeded (429)', method: 'POST',
  endpoint: '/messages/users', status: 429, error: 'too_many_requests', description: 'Request frequency exceeds the limit of this API (100/s)',
  hint: 'Back off and retry with jitter; batch messages (up to 600 users per call) or ask Easemob to raise the limit.',
  hintZh: '请求频率超过该接口限制：退避重试并加随机抖动，批量发送（每次最多 600 个用户），或联系环信提升限额。',
} as const satisfies Partial<EventSpec>;
const USERNAME = {
  ref: 'E09', category: 'validation', severity: 'error', title: 'Username is invalid', method: 'POST', endpoint: '/users',
  status: 400, error: 'illegal_argument', description: 'username [Alice Smith] is not legal',
  hint: 'Usernames allow a-z, 0-9, "_", "-" and "." only, 64 characters at most, and are case-insensitive.',
  hintZh: '用户名只能包含 a-z、0-9、"_"、"-"、"."，长度不超过 64，且不区分大小写。',
} as const satisfies Partial<EventSpec>;
const TIMEOUT = {
  ref: 'T01', category: 'timeout', severity: 'error', title: 'No response from Easemob (read time-out)', method: 'GET',
  endpoint: '/chatgroups/{group_id}', status: null, error: null, description: 'Read timed out after 10000 ms',
  hint: 'Check egress and DNS to the REST host; retry idempotent calls with back-off; consider the nearest data-center host.',
  hintZh: '调用无响应：检查出口网络和 DNS；对幂等请求退避重试；考虑使用就近的数据中心域名。',
} as const satisfies Partial<EventSpec>;
const UNAVAILABLE = {
  ref: 'S503', category: 'server', severity: 'critical', title: 'Service unavailable (503)', method: 'POST',
  endpoint: '/chatrooms', status: 503, error: 'service_unavailable', description: 'Service Unavailable',
  hint: 'Easemob-side outage or overload: retry with back-off and check the Easemob status page.',
  hintZh: '环信服务暂不可用：退避重试，并查看环信服务状态页。',
} as const satisfies Partial<EventSpec>;
const NOT_FOUND = {
  ref: 'E30', category: 'not_found', severity: 'warning', title: 'User not found', method: 'DELETE',
  endpoint: '/users/{username}/contacts/users/{friend}', status: 404, error: 'service_resource_not_found',
  description: 'Service resource not found: username [u_83321] does not exist',
  hint: 'Create the user first, or stop calling contact APIs for deleted accounts.',
  hintZh: '用户不存在：先注册用户，或不要对已删除的账号调用好友接口。',
} as const satisfies Partial<EventSpec>;
const GROUP_FULL = {
  ref: 'E21', category: 'quota', severity: 'warning', title: 'Group member limit reached', method: 'POST',
  endpoint: '/chatgroups/{group_id}/users', appkey: 'acme#support', status: 403, error: 'forbidden_op',
  description: 'forbidden operation on group owner or members exceeds maxusers 3000',
  hint: 'The group is full: raise maxusers (plan limit) or split the audience across groups.',
  hintZh: '群成员已达上限：提高 maxusers（受套餐限制）或将成员拆分到多个群。',
} as const satisfies Partial<EventSpec>;

function ensureColumn(db: DB, table: string, column: string, type: string): void {
  const cols = (db.prepare(`PRAGMA table_info(${table})`).all() as { name: string }[]).map((c) => c.name);
  if (!cols.includes(column)) db.exec(`ALTER TABLE ${table} ADD COLUMN ${column} ${type}`);
}

/** The Slack engineer's tables, as described in their brief, unless their migration already made them. */
export function ensureOutboxAndSilences(db: DB): void {
  db.exec(`CREATE TABLE IF NOT EXISTS outbox (id INTEGER PRIMARY KEY, channel TEXT NOT NULL, target TEXT NOT NULL, incident_id INTEGER,
    kind TEXT NOT NULL, payload TEXT NOT NULL, state TEXT NOT NULL, attempts INTEGER NOT NULL DEFAULT 0, next_attempt_at INTEGER,
    last_error TEXT, created_at INTEGER NOT NULL, sent_at INTEGER)`);
  db.exec(`CREATE TABLE IF NOT EXISTS silences (id INTEGER PRIMARY KEY, matchers TEXT NOT NULL, starts_at INTEGER NOT NULL,
    ends_at INTEGER NOT NULL, comment TEXT, created_by TEXT, created_at INTEGER NOT NULL, expired_at INTEGER)`);
}

/**
 * A realistic day for `day` in `tz`: a token outage spike, steady rate limiting that grew since
 * the day before, a regression, one resolved and one acknowledged incident, a full group on a
 * second app, a dead Slack notification and an active silence. `now` is the next morning.
 */
export function seedRealistic(db: DB, day: string, tz: string, opts: { ackColumns?: boolean; sideTables?: boolean } = {}): { now: number } {
  const prevDay = (hhmm: string) => at(day, tz, hhmm, -1);
  const d = (hhmm: string) => at(day, tz, hhmm);
  const events: EventSpec[] = [];
  const add = (spec: Partial<EventSpec>, times: number[]) => events.push(...times.map((ts) => ({ ...spec, ts })));
  // Older history: the not-found incident started three days ago, the time-out two days ago.
  add(NOT_FOUND, spread(14, at(day, tz, '10:00', -3), at(day, tz, '18:00', -3)));
  add(TIMEOUT, spread(9, at(day, tz, '08:00', -2), at(day, tz, '08:20', -2)));
  add(UNAVAILABLE, spread(40, prevDay('21:00'), prevDay('23:50')));
  add(RATE, spread(80, prevDay('09:00'), prevDay('21:00')));
  add(USERNAME, spread(6, prevDay('10:00'), prevDay('17:00')));
  record(db, events.splice(0), prevDay('23:59'));
  // The day itself.
  add(UNAVAILABLE, spread(18, d('00:00'), d('00:40')));
  add(TOKEN, spread(230, d('03:05'), d('04:55')));
  add(TOKEN, spread(24, d('05:00'), d('05:30')));
  add(RATE, spread(70, d('09:30'), d('12:00')));
  add(RATE, spread(50, d('14:00'), d('20:00')));
  add(USERNAME, spread(12, d('08:00'), d('22:00')));
  add(TIMEOUT, spread(31, d('16:10'), d('16:40')));
  add(NOT_FOUND, spread(9, d('11:00'), d('19:00')));
  add(GROUP_FULL, spread(17, d('13:00'), d('18:30')));
  add({ ...USERNAME, description: 'username [<script>alert(1)</script>] is not legal' }, [d('23:30')]);
  record(db, events, d('23:59'));

  const id = (ref: string) => (db.prepare('SELECT id FROM incidents WHERE ref = ?').get(ref) as { id: number }).id;
  db.prepare("UPDATE incidents SET state = 'resolved', updated_at = ?, resolved_at = ? WHERE id = ?").run(d('01:15'), d('01:15'), id('S503'));
  db.prepare("UPDATE incidents SET state = 'resolved', updated_at = ?, resolved_at = ? WHERE id = ?").run(d('05:45'), d('05:45'), id('E01'));
  db.prepare("UPDATE incidents SET state = 'acknowledged' WHERE id = ?").run(id('E30'));
  if (opts.ackColumns) {
    db.prepare('UPDATE incidents SET acknowledged_by = ?, acknowledged_at = ? WHERE id = ?').run('li.wei', d('11:20'), id('E30'));
  }
  if (opts.sideTables !== false) {
    ensureOutboxAndSilences(db);
    db.prepare(
      `INSERT INTO outbox (channel, target, incident_id, kind, payload, state, attempts, next_attempt_at, last_error, created_at)
       VALUES ('slack', 'oncall', ?, 'firing', '{}', 'dead', 8, ?, 'HTTP 404 no_service: the webhook was deleted', ?)`,
    ).run(id('E01'), d('03:06'), d('03:06'));
    db.prepare(
      `INSERT INTO silences (matchers, starts_at, ends_at, comment, created_by, created_at, expired_at)
       VALUES (?, ?, ?, 'load test of the broadcast service', 'zhang.min', ?, NULL)`,
    ).run(JSON.stringify([{ name: 'ref', value: 'S429' }, { name: 'appkey', value: 'acme#chat' }]), d('09:00'), at(day, tz, '18:00', 1), d('09:00'));
  }
  return { now: at(day, tz, '09:00', 1) };
}
