import type { Incident } from '../../../src/incidents/types.js';
import type { Notification, NotificationKind } from '../../../src/notify/notifier.js';

/** A fixed instant: messages show times, and tests must not depend on today's date. */
export const T0 = Date.UTC(2026, 10, 28, 12, 0, 0);

export function incident(over: Partial<Incident> = {}): Incident {
  return {
    id: 42, fingerprint: 'E37|/messages/users|acme#chat', ref: 'E37', rule: 'reach_limit', category: 'rate_limit', severity: 'error',
    title: 'Rate limit reached', hint: 'Slow down: the app exceeded its REST call quota.', hint_zh: '调用频率超过限制，请降低调用频率',
    method: 'POST', endpoint: '/messages/users', appkey: 'acme#chat', status: 429, error: 'reach_limit',
    state: 'firing', count: 17, first_seen: T0 - 120_000, last_seen: T0 - 5_000, last_description: 'This request has reached api limit',
    last_source: '/var/log/app/server.log', last_host: 'app-1', created_at: T0 - 120_000, updated_at: T0, epoch: 0,
    epoch_started_at: T0 - 120_000, last_event_at: T0 - 5_000, resolve_after_ms: null, notify_resolved: null, base_severity: null,
    escalated_at: null, page_requested_at: null, page_reason: null, reopens: '[]', acknowledged_at: null, acknowledged_by: null,
    resolved_at: null, resolved_by: null, regressions: 0, ...over,
  };
}

export function notification(kind: NotificationKind = 'firing', over: Partial<Incident> = {}, extra: Partial<Notification> = {}): Notification {
  return { kind, incident: incident(over), newEvents: 17, at: T0, rate: 8.5, ...extra };
}

/** Log text written by someone who wants to ping everyone, phish, or break the message. */
export const HOSTILE: string[] = [
  '<@all> wake up',
  '@all 紧急',
  '<@zhangsan>',
  '<at id=all></at>',
  '<at user_id="ou_123">boss</at>',
  '[click here](https://evil.example/phish)',
  '![pixel](https://evil.example/p.png)',
  '**bold** *italic* ~~strike~~ `code` ```block```',
  '<font color="warning">FAKE ALERT</font>',
  'line one\n# heading\n> quote\n- item\n1. item\n---',
  'see https://evil.example/x?token=1 and ftp://files.example/',
  '&lt;@all&gt; &#60;at id=all&#62;&#60;/at&#62;',
  '\u202eevil\u202c \u0007bell \u001b[31mred\u001b[0m',
  '@13800001111 please call',
  '<a href="https://evil.example">x</a>',
  'a | b | c\n|---|---|',
  '$$x^2$$ :OK: \\*not\\*',
  '# heading', '- item', '1. item', '> quote', '+ plus', '=== setext',
  'x'.repeat(5000),
];

/** A hostile value in every log-derived slot of an incident. */
export function hostileIncident(s: string): Partial<Incident> {
  return {
    title: s, endpoint: s, appkey: s, error: s, last_description: s, last_host: s, last_source: s, category: 'rate_limit',
    ref: s, hint: s, hint_zh: s, acknowledged_by: s,
  };
}
