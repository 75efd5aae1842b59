import type { Severity } from '../../classify/types.js';
import type { Notification, NotificationKind } from '../notifier.js';
import { codeBlock, esc, inlineCode, plain, truncate } from './escape.js';
import { LABELS } from '../chat/labels.js';

import { incidentUrl } from '../../incidents/links.js';

/** Slack's limits (Block Kit reference). */
export const LIMITS = { header: 150, section: 3000, field: 2000, fields: 10, blocks: 50, text: 3000 } as const;

const SEVERITY_EMOJI: Record<Severity, string> = {
  critical: ':rotating_light:',
  error: ':red_circle:',
  warning: ':warning:',
  info: ':information_source:',
};

/** The same headline prefixes as the group bots' English messages. */
const KIND_LABEL: Record<NotificationKind, string> = LABELS.en.kind;

export interface SlackPayload {
  text: string;
  blocks: Record<string, unknown>[];
  unfurl_links: false;
  unfurl_media: false;
  link_names: false;
}

export interface MessageOptions {
  language?: 'en' | 'zh';
  /** http.public_url: adds a link to the incident's page. */
  publicUrl?: string;
}

function iso(ms: number | null | undefined): string {
  return ms ? new Date(ms).toISOString().replace('T', ' ').replace(/\.\d+Z$/, 'Z') : '–';
}

function span(ms: number): string {
  const m = Math.round(ms / 60_000);
  if (m < 60) return `${m}m`;
  const h = Math.floor(m / 60);
  return h < 48 ? `${h}h${m % 60 ? `${m % 60}m` : ''}` : `${Math.floor(h / 24)}d${h % 24 ? `${h % 24}h` : ''}`;
}

/** mrkdwn with verbatim on: Slack must not auto-link channel names or URLs found in log text. */
const md = (text: string) => ({ type: 'mrkdwn', text: truncate(text, LIMITS.section), verbatim: true });
const field = (label: string, value: string) => ({ type: 'mrkdwn', text: truncate(`*${label}*\n${value}`, LIMITS.field), verbatim: true });

function headline(n: Notification): string {
  const i = n.incident;
  const emoji =
    n.kind === 'resolved' ? ':white_check_mark:' : n.kind === 'regression' ? ':repeat:' : n.kind === 'acknowledged' ? ':eyes:' : SEVERITY_EMOJI[i.severity];
  return plain(`${emoji} ${KIND_LABEL[n.kind]}${i.severity.toUpperCase()} #${i.id} ${i.title}`, LIMITS.header);
}

function summary(n: Notification): string {
  const i = n.incident;
  const lines: string[] = [];
  switch (n.kind) {
    case 'firing':
      lines.push(`*New incident* — ${i.count} event${i.count === 1 ? '' : 's'} since ${iso(i.first_seen)}`);
      break;
    case 'update':
      lines.push(`*Still happening* — ${n.newEvents} more event${n.newEvents === 1 ? '' : 's'} since the last message`);
      break;
    case 'reminder':
      lines.push(`*Reminder* — still ${i.state === 'acknowledged' ? 'acknowledged' : 'firing'}, open for ${span(n.at - i.first_seen)}`);
      break;
    case 'regression':
      lines.push(`*Regression* — this incident was resolved and has come back (${i.regressions}× so far)`);
      break;
    case 'escalated':
      lines.push(`*Escalated*${i.base_severity && i.base_severity !== i.severity ? ` from ${i.base_severity} to ${i.severity}` : ''}`);
      break;
    case 'acknowledged':
      lines.push(`*Acknowledged* by ${inlineCode(i.acknowledged_by ?? 'someone')} — no more updates or reminders; escalation, resolution and regression still page`);
      break;
    case 'resolved':
      lines.push(
        `*Resolved* ${i.resolved_by?.startsWith('manual') ? 'by an operator' : 'after a quiet period'} — ${i.count} events over ${span(
          Math.max(0, i.last_seen - i.first_seen),
        )}, last at ${iso(i.last_seen)}`,
      );
      break;
  }
  if (n.reason) lines.push(`Reason: ${esc(n.reason)}`);
  if (n.flapping) lines.push('_Flapping: it keeps resolving and coming back. Further flips will not page until it settles._');
  return lines.join('\n');
}

/** Builds the Block Kit message for one notification. Every log-derived string is escaped. */
export function buildSlackMessage(n: Notification, opts: MessageOptions = {}): SlackPayload {
  const i = n.incident;
  const blocks: Record<string, unknown>[] = [];
  blocks.push({ type: 'header', text: { type: 'plain_text', text: headline(n), emoji: true } });
  blocks.push({ type: 'section', text: md(summary(n)) });
  const rate = n.rate !== undefined ? ` (${n.rate < 10 ? n.rate.toFixed(1) : Math.round(n.rate)}/min)` : '';
  const source = [i.last_host, i.last_source].filter(Boolean).join(' ');
  blocks.push({
    type: 'section',
    fields: [
      field('Category', inlineCode(i.category)),
      field('Ref', inlineCode(i.ref ?? '–')),
      field('Count', `${i.count}${rate}`),
      field('First / last seen', `${iso(i.first_seen)}\n${iso(i.last_seen)}`),
      field('Endpoint', inlineCode([i.method, i.endpoint].filter(Boolean).join(' ') || null)),
      field('App key', inlineCode(i.appkey)),
      field('Source', inlineCode(source || null)),
      field('State', inlineCode(i.state)),
    ].slice(0, LIMITS.fields),
  });
  if (n.kind !== 'resolved' && (i.error || i.last_description)) {
    const err = [i.status ? `HTTP ${i.status}` : null, i.error, i.last_description].filter(Boolean).join(' · ');
    blocks.push({ type: 'section', text: md('*Latest error*\n' + codeBlock(err, LIMITS.section - 20)) });
  }
  const hint = opts.language === 'zh' && i.hint_zh ? i.hint_zh : i.hint;
  if (hint && n.kind !== 'resolved') blocks.push({ type: 'section', text: md(`*${opts.language === 'zh' ? '原因 / 处理' : 'Fix'}*\n${esc(hint)}`) });
  const cmds =
    n.kind === 'resolved' || i.state !== 'firing'
      ? `Details: \`apiwatch incident show ${i.id}\``
      : `Acknowledge: \`apiwatch incident ack ${i.id}\` · Details: \`apiwatch incident show ${i.id}\``;
  const page = incidentUrl(opts.publicUrl, i.id);
  blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: page ? `<${page}|Open incident #${i.id}> · ${cmds}` : cmds, verbatim: true }] });

  const text = truncate(
    `${n.kind === 'resolved' ? 'RESOLVED' : n.kind === 'regression' ? 'REGRESSION' : i.severity.toUpperCase()} #${i.id} ${esc(i.title)} — ${i.count}× ${esc(
      [i.method, i.endpoint].filter(Boolean).join(' ') || '?',
    )} ${esc(i.appkey ?? '')}`.trim(),
    LIMITS.text,
  );
  return { text, blocks: capBlocks(blocks), unfurl_links: false, unfurl_media: false, link_names: false };
}

/** Keeps at most 50 blocks; the last one says how many were left out. */
export function capBlocks(blocks: Record<string, unknown>[]): Record<string, unknown>[] {
  if (blocks.length <= LIMITS.blocks) return blocks;
  const kept = blocks.slice(0, LIMITS.blocks - 1);
  kept.push({ type: 'context', elements: [{ type: 'mrkdwn', text: `… [truncated: ${blocks.length - kept.length} more blocks]` }] });
  return kept;
}
