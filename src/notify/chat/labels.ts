import type { Severity } from '../../classify/types.js';
import type { NotificationKind } from '../notifier.js';

export type Language = 'zh' | 'en';

/** Everything a group-bot message says in its own words, per language. */
export interface Labels {
  severity: Record<Severity, string>;
  kind: Record<NotificationKind, string>;
  category: string;
  ref: string;
  count: string;
  perMinute: string;
  firstSeen: string;
  lastSeen: string;
  endpoint: string;
  appkey: string;
  source: string;
  state: string;
  latestError: string;
  fix: string;
  reason: string;
  acknowledge: string;
  details: string;
  flapping: string;
  firing: (count: number, since: string) => string;
  update: (added: number) => string;
  reminder: (acknowledged: boolean, open: string) => string;
  regression: (times: number) => string;
  escalated: (from: string | null, to: string) => string;
  acknowledgedBy: (who: string) => string;
  resolved: (manual: boolean, count: number, over: string, last: string) => string;
  truncated: (command: string) => string;
  test: (target: string) => string;
}

const en: Labels = {
  severity: { critical: 'CRITICAL', error: 'ERROR', warning: 'WARNING', info: 'INFO' },
  kind: {
    firing: '',
    update: 'Update: ',
    reminder: 'Still firing: ',
    regression: 'REGRESSION: ',
    escalated: 'ESCALATED: ',
    acknowledged: 'Acknowledged: ',
    resolved: 'Resolved: ',
  },
  category: 'Category',
  ref: 'Ref',
  count: 'Count',
  perMinute: '/min',
  firstSeen: 'First seen',
  lastSeen: 'Last seen',
  endpoint: 'Endpoint',
  appkey: 'App key',
  source: 'Source',
  state: 'State',
  latestError: 'Latest error',
  fix: 'Fix',
  reason: 'Reason',
  acknowledge: 'Acknowledge',
  details: 'Details',
  flapping: 'Flapping: it keeps resolving and coming back. Further flips will not page until it settles.',
  firing: (count, since) => `New incident — ${count} event${count === 1 ? '' : 's'} since ${since}`,
  update: (added) => `Still happening — ${added} more event${added === 1 ? '' : 's'} since the last message`,
  reminder: (ack, open) => `Reminder — still ${ack ? 'acknowledged' : 'firing'}, open for ${open}`,
  regression: (times) => `Regression — this incident was resolved and has come back (${times}× so far)`,
  escalated: (from, to) => `Escalated${from ? ` from ${from} to ${to}` : ''}`,
  acknowledgedBy: (who) => `Acknowledged by ${who} — no more updates or reminders; escalation, resolution and regression still page`,
  resolved: (manual, count, over, last) =>
    `Resolved ${manual ? 'by an operator' : 'after a quiet period'} — ${count} events over ${over}, last at ${last}`,
  truncated: (cmd) => `(message cut to fit; everything is in ${cmd})`,
  test: (target) => `apiwatch test message for target "${target}": if you can read this, paging works.`,
};

const zh: Labels = {
  severity: { critical: '严重', error: '错误', warning: '警告', info: '提示' },
  kind: {
    firing: '',
    update: '【更新】',
    reminder: '【仍在告警】',
    regression: '【复发】',
    escalated: '【升级】',
    acknowledged: '【已认领】',
    resolved: '【已恢复】',
  },
  category: '类别',
  ref: '错误编号',
  count: '次数',
  perMinute: '次/分钟',
  firstSeen: '首次出现',
  lastSeen: '最近出现',
  endpoint: '接口',
  appkey: 'App Key',
  source: '来源',
  state: '状态',
  latestError: '最新错误',
  fix: '原因 / 处理',
  reason: '原因',
  acknowledge: '认领',
  details: '详情',
  flapping: '反复抖动：该告警不断恢复又复发，稳定之前不再为其状态变化发送通知。',
  firing: (count, since) => `新告警 — 自 ${since} 起共 ${count} 次`,
  update: (added) => `仍在发生 — 自上条消息以来新增 ${added} 次`,
  reminder: (ack, open) => `提醒 — 仍${ack ? '处于已认领状态' : '在告警'}，已持续 ${open}`,
  regression: (times) => `复发 — 该告警已恢复后再次出现（累计 ${times} 次）`,
  escalated: (from, to) => `已升级${from ? `：${from} → ${to}` : ''}`,
  acknowledgedBy: (who) => `已由 ${who} 认领 — 不再发送更新和提醒；升级、恢复和复发仍会通知`,
  resolved: (manual, count, over, last) => `已${manual ? '由运维人员手动' : '在静默期后自动'}恢复 — ${over} 内共 ${count} 次，最后一次 ${last}`,
  truncated: (cmd) => `（消息过长已截断，完整内容请运行 ${cmd}）`,
  test: (target) => `apiwatch 测试消息（目标 "${target}"）：能看到这条消息说明告警通道正常。`,
};

export const LABELS: Record<Language, Labels> = { en, zh };
