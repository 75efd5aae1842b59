import type { Category, Severity } from '../classify/types.js';
import type { Language } from './format.js';

/**
 * Every heading and label of the digest, per language: `language: zh` translates the whole mail,
 * not only the hints. Values that came from logs or rules are never in here.
 */
export interface Labels {
  brand: string;
  title: (period: string) => string;
  soFar: (until: string) => string;
  noFailed: string;
  failedCalls: (n: string) => string;
  causesNeedAction: (causes: number, incidents: number) => string;
  vsPrevious: (prev: string) => string;
  apps: string;
  actions: string;
  actionsNone: string;
  actionsIntro: string;
  openFor: (age: string) => string;
  incidentsOpen: (n: number) => string;
  endpoints: string;
  fix: string;
  fixEnglish: string;
  lastError: string;
  ack: string;
  open: string;
  causes: (n: number) => string;
  causesIntro: string;
  otherCauses: (n: number, calls: string) => string;
  calls: string;
  change: string;
  incidents: string;
  expected: (n: number) => string;
  expectedIntro: string;
  newRegressed: string;
  newN: (n: number) => string;
  regressedN: (n: number) => string;
  noNew: string;
  resolved: string;
  noResolved: string;
  topEndpoints: string;
  endpoint: string;
  failed: string;
  trend: string;
  causesCol: string;
  perHour: (tz: string) => string;
  perDay: (tz: string) => string;
  peak: (unit: 'hour' | 'day', label: string, n: string, max: string, tz: string) => string;
  noCalls: (tz: string) => string;
  deadLetters: (n: number) => string;
  allDelivered: string;
  attempts: (n: number) => string;
  silences: (n: number) => string;
  noSilences: string;
  until: string;
  by: string;
  more: (n: number, cmd: string) => string;
  moreCauses: (n: number, refs: string) => string;
  catchUp: (days: number, label: string) => string;
  dropped: (n: number) => string;
  late: (at: string) => string;
  generated: (at: string, prev: string) => string;
  severity: Record<Severity, string>;
  category: Record<Category, string>;
}

const EN: Labels = {
  brand: 'apiwatch daily digest',
  title: (p) => `Failed Easemob API calls · ${p}`,
  soFar: (u) => `Period so far: today until ${u}; the day is not over.`,
  noFailed: 'No failed calls to the Easemob / Agora Chat REST API in this period.',
  failedCalls: (n) => `${n} failed calls`,
  causesNeedAction: (c, i) => `${c} cause(s) need action (${i} open, unacknowledged incident(s))`,
  vsPrevious: (p) => `vs ${p}`,
  apps: 'Apps',
  actions: 'Needs action',
  actionsNone: 'Nothing needs action: no critical or error incident is open and unacknowledged.',
  actionsIntro: 'Open, unacknowledged critical and error incidents, grouped by cause.',
  openFor: (a) => `open for ${a}`,
  incidentsOpen: (n) => `${n} open incident(s)`,
  endpoints: 'Endpoints',
  fix: 'Fix',
  fixEnglish: 'Details (English)',
  lastError: 'Last error',
  ack: 'Acknowledge',
  open: 'Open',
  causes: (n) => `Causes of the period (${n})`,
  causesIntro: 'One row per cause, by failed calls.',
  otherCauses: (n, calls) => `${n} other causes, ${calls} calls`,
  calls: 'calls',
  change: 'change',
  incidents: 'incidents',
  expected: (n) => `Expected outcomes (${n})`,
  expectedIntro: 'Answers the app expects (already a member, user exists); no action needed.',
  newRegressed: 'New and regressed incidents',
  newN: (n) => `${n} new`,
  regressedN: (n) => `${n} regressed`,
  noNew: 'No new or regressed incidents.',
  resolved: 'Resolved',
  noResolved: 'No incident resolved in this period.',
  topEndpoints: 'Top endpoints by failed calls',
  endpoint: 'endpoint',
  failed: 'failed',
  trend: 'trend',
  causesCol: 'causes',
  perHour: (tz) => `Failed calls per hour (${tz})`,
  perDay: (tz) => `Failed calls per day (${tz})`,
  peak: (u, l, n, m, tz) => `Peak ${u} ${l}${u === 'hour' ? ':00' : ''} with ${n} failed calls; scale 0–${m}. Times in ${tz}.`,
  noCalls: (tz) => `No failed calls. Times in ${tz}.`,
  deadLetters: (n) => `Undelivered notifications (${n})`,
  allDelivered: 'Every notification in this period was delivered.',
  attempts: (n) => `${n} attempts`,
  silences: (n) => `Active silences (${n})`,
  noSilences: 'No alerts are silenced.',
  until: 'until',
  by: 'by',
  more: (n, cmd) => `…and ${n} more: ${cmd}`,
  moreCauses: (n, refs) => `…and ${n} more cause(s): ${refs}`,
  catchUp: (d, l) => `This catch-up digest covers ${d} days (${l}): the daily digest could not go out at its usual time.`,
  dropped: (n) => `${n} earlier missed day(s) are not included.`,
  late: (at) => `This digest was due at ${at} and goes out late: apiwatch was not running then.`,
  generated: (at, prev) => `Generated ${at} by apiwatch. Changes compare with ${prev}.`,
  severity: { critical: 'critical', error: 'error', warning: 'warning', info: 'info' },
  category: {
    auth: 'auth', config: 'config', request: 'request', validation: 'validation', not_found: 'not_found', conflict: 'conflict',
    quota: 'quota', rate_limit: 'rate_limit', payload: 'payload', server: 'server', timeout: 'timeout', unknown: 'unknown',
  },
};

const ZH: Labels = {
  brand: 'apiwatch 每日摘要',
  title: (p) => `环信 API 调用失败 · ${p}`,
  soFar: (u) => `本期截至目前：今天到 ${u}，当天尚未结束。`,
  noFailed: '本期没有失败的环信 / Agora Chat REST API 调用。',
  failedCalls: (n) => `${n} 次调用失败`,
  causesNeedAction: (c, i) => `${c} 个原因需要处理（${i} 个未确认的未关闭事件）`,
  vsPrevious: (p) => `对比 ${p}`,
  apps: '应用',
  actions: '需要处理',
  actionsNone: '没有需要处理的事项：没有未确认的严重或错误级事件。',
  actionsIntro: '未关闭且未确认的严重（critical）和错误（error）级事件，按原因分组。',
  openFor: (a) => `已持续 ${a}`,
  incidentsOpen: (n) => `${n} 个未关闭事件`,
  endpoints: '接口',
  fix: '处理方法',
  fixEnglish: '详细说明（英文）',
  lastError: '最近的错误',
  ack: '确认',
  open: '打开',
  causes: (n) => `本期失败原因（${n}）`,
  causesIntro: '每个原因一行，按失败次数排序。',
  otherCauses: (n, calls) => `其他 ${n} 个原因，共 ${calls} 次`,
  calls: '次数',
  change: '变化',
  incidents: '事件数',
  expected: (n) => `预期内的结果（${n}）`,
  expectedIntro: '应用预期会收到的返回（已是成员、用户已存在），无需处理。',
  newRegressed: '新增和复发的事件',
  newN: (n) => `新增 ${n}`,
  regressedN: (n) => `复发 ${n}`,
  noNew: '没有新增或复发的事件。',
  resolved: '已恢复',
  noResolved: '本期没有事件恢复。',
  topEndpoints: '失败最多的接口',
  endpoint: '接口',
  failed: '失败',
  trend: '趋势',
  causesCol: '原因',
  perHour: (tz) => `每小时失败次数（${tz}）`,
  perDay: (tz) => `每天失败次数（${tz}）`,
  peak: (u, l, n, m, tz) => `峰值${u === 'hour' ? '时段' : '日期'} ${l}${u === 'hour' ? ':00' : ''}，失败 ${n} 次；刻度 0–${m}。时间为 ${tz}。`,
  noCalls: (tz) => `没有失败的调用。时间为 ${tz}。`,
  deadLetters: (n) => `未送达的通知（${n}）`,
  allDelivered: '本期所有通知均已送达。',
  attempts: (n) => `尝试 ${n} 次`,
  silences: (n) => `生效中的静默（${n}）`,
  noSilences: '没有被静默的告警。',
  until: '直到',
  by: '创建人',
  more: (n, cmd) => `……另有 ${n} 个：${cmd}`,
  moreCauses: (n, refs) => `……另有 ${n} 个原因：${refs}`,
  catchUp: (d, l) => `本补发摘要覆盖 ${d} 天（${l}）：每日摘要未能按时发出。`,
  dropped: (n) => `更早错过的 ${n} 天未包含在内。`,
  late: (at) => `本摘要应于 ${at} 发出，现在延迟发送：当时 apiwatch 未在运行。`,
  generated: (at, prev) => `由 apiwatch 生成于 ${at}。变化与 ${prev} 对比。`,
  severity: { critical: '严重', error: '错误', warning: '警告', info: '提示' },
  category: {
    auth: '认证', config: '配置', request: '请求', validation: '参数校验', not_found: '不存在', conflict: '冲突',
    quota: '配额', rate_limit: '限流', payload: '请求体', server: '服务端', timeout: '超时', unknown: '未知',
  },
};

export function labels(lang: Language): Labels {
  return lang === 'zh' ? ZH : EN;
}

/** Label for a severity or category, falling back to the raw value for ones a newer rule set added. */
export function sevLabel(l: Labels, s: string): string {
  return (l.severity as Record<string, string>)[s] ?? s;
}
export function catLabel(l: Labels, c: string): string {
  return (l.category as Record<string, string>)[c] ?? c;
}

/**
 * What to do, per category, in Chinese: most rules carry only the error table's one-line cause as
 * hint_zh, while the English hint says what to change. The digest then composes the zh fix from
 * what the rule has (the cause, its category's standard action, whether a retry helps) and keeps
 * the English steps next to it.
 */
const CATEGORY_ACTION_ZH: Record<Category, string> = {
  auth: '检查该 AppKey 的 client_id / client_secret 与控制台一致，在 token 过期前用 POST /token 重新获取 app token，并确认请求头带有 Authorization: Bearer <token>。',
  config: '在环信控制台检查该应用的功能开通与配置（或联系商务开通），确认请求的 org/app 与凭据属于同一个应用。',
  request: '检查请求的方法、URL 路径、请求头（Content-Type: application/json）和请求体是否符合接口文档；修正后再重试，原样重试不会成功。',
  validation: '按接口文档修正参数（用户名、群组 ID、字段长度和取值范围），在调用前做校验；原样重试不会成功。',
  not_found: '确认用户、群组、聊天室或消息确实存在（先注册或创建，或停止对已删除对象的调用），检查 ID 是否拼写正确。',
  conflict: '该对象已存在或状态已满足：把这个返回当作成功处理，或在调用前先查询状态。',
  quota: '已达到套餐或接口的数量上限：清理不再使用的对象、拆分到多个群组/聊天室，或联系商务提高限额。',
  rate_limit: '降低调用频率：对 429 按 Retry-After 或指数退避加随机抖动重试，合并批量调用，必要时联系商务调整限流。',
  payload: '缩小请求体（拆分成多次调用，单次不超过接口限制），检查消息内容和扩展字段的大小。',
  server: '环信服务端异常：对幂等请求退避重试，查看环信服务状态页；持续出现时把请求 ID 和时间提交给环信技术支持。',
  timeout: '检查到 REST 域名的出口网络、DNS 和代理，适当加大超时时间，对幂等请求退避重试，考虑使用就近的数据中心域名。',
  unknown: '查看上面的原始错误信息，对照环信错误码表确认原因；如果是新的错误码，请在 rules 中添加规则。',
};

/** A zh hint shorter than this share of the English one (in characters) is only the table's cause. */
const FULL_ZH_RATIO = 0.2;

export function hasFullZhHint(hint: string, hintZh: string): boolean {
  return !!hintZh && hintZh.length >= hint.length * FULL_ZH_RATIO;
}

/** The fix in the digest's language. For zh: the rule's zh hint, completed when it is only the cause. */
export function fixText(lang: Language, hint: string, hintZh: string, category: string): { text: string; english: string | null } {
  if (lang !== 'zh') return { text: hint, english: null };
  if (hasFullZhHint(hint, hintZh)) return { text: hintZh, english: null };
  const action = CATEGORY_ACTION_ZH[category as Category] ?? CATEGORY_ACTION_ZH.unknown;
  const cause = hintZh ? `原因：${hintZh.replace(/[。.\s]+$/, '')}。` : '';
  return { text: `${cause}处理：${action}`, english: hint || null };
}
