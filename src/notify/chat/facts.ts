import type { Notification } from '../notifier.js';
import { LABELS, type Labels, type Language } from './labels.js';
import { oneLine } from './text.js';

/** Caps on log-derived text, in characters, applied before escaping (so no escape is ever cut). */
export const MAX_CHARS = { value: 200, title: 200, block: 1000 } as const;

function clip(s: string | null | undefined, max: number): string {
  const v = oneLine(s);
  return [...v].length <= max ? v : [...v].slice(0, max - 1).join('') + '…';
}

/**
 * How a dialect writes things. `text` escapes log-derived text for the dialect (it is the only
 * way such text enters a message); `bold` and `code` wrap our own, already safe, text.
 */
export interface Dialect {
  text(s: string | null | undefined): string;
  bold(s: string): string;
  code(s: string): string;
}

export interface Field {
  label: string;
  /** Escaped for the dialect. */
  value: string;
}

/** One notification as the parts every group-bot message is made of, escaped for one dialect. */
export interface Facts {
  labels: Labels;
  /** Plain text (not escaped): titles are plain text in every dialect's title slot. */
  title: string;
  /** Escaped lines saying what happened. */
  summary: string[];
  fields: Field[];
  /** Escaped, or null when there is none or the message is a resolved notice. */
  error: string | null;
  hint: string | null;
  /** The ack/show commands, formatted. */
  commands: string;
  /** The `incident show` command, formatted (the pointer of a truncated message). */
  showCommand: string;
}

export interface FactsOptions {
  language: Language;
  /** IANA zone for times in the message; default UTC. */
  timezone?: string;
}

/** `2026-11-28 12:00:00 UTC` (or in the configured zone), independent of the host's zone. */
export function formatTime(ms: number | null | undefined, timezone = 'UTC'): string {
  if (!ms) return '–';
  const parts = new Intl.DateTimeFormat('en-CA', {
    timeZone: timezone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
    hourCycle: 'h23',
  }).formatToParts(new Date(ms));
  const p = (t: string) => parts.find((x) => x.type === t)?.value ?? '';
  return `${p('year')}-${p('month')}-${p('day')} ${p('hour')}:${p('minute')}:${p('second')} ${timezone}`;
}

/** `45m`, `3h20m`, `2d4h`. */
export function formatSpan(ms: number): string {
  const m = Math.round(Math.max(0, ms) / 60_000);
  if (m < 60) return `${m}m`;
  const h = Math.floor(m / 60);
  return h < 48 ? `${h}h${m % 60 ? `${m % 60}m` : ''}` : `${Math.floor(h / 24)}d${h % 24 ? `${h % 24}h` : ''}`;
}

function summary(n: Notification, L: Labels, d: Dialect, tz: string): string[] {
  const i = n.incident;
  const out: string[] = [];
  switch (n.kind) {
    case 'firing':
      out.push(L.firing(i.count, formatTime(i.first_seen, tz)));
      break;
    case 'update':
      out.push(L.update(n.newEvents));
      break;
    case 'reminder':
      out.push(L.reminder(i.state === 'acknowledged', formatSpan(n.at - i.first_seen)));
      break;
    case 'regression':
      out.push(L.regression(i.regressions));
      break;
    case 'escalated':
      out.push(L.escalated(i.base_severity && i.base_severity !== i.severity ? L.severity[i.base_severity] : null, L.severity[i.severity]));
      break;
    case 'acknowledged':
      out.push(L.acknowledgedBy(d.text(clip(i.acknowledged_by ?? '?', MAX_CHARS.value))));
      break;
    case 'resolved':
      out.push(
        L.resolved(Boolean(i.resolved_by?.startsWith('manual')), i.count, formatSpan(i.last_seen - i.first_seen), formatTime(i.last_seen, tz)),
      );
      break;
  }
  if (n.reason) out.push(`${L.reason}: ${d.text(clip(n.reason, MAX_CHARS.block))}`);
  if (n.flapping) out.push(L.flapping);
  return out;
}

/** The plain-text title: `【复发】错误 #42 Rate limit reached`. Callers make it safe for their title slot. */
export function titleOf(n: Notification, L: Labels): string {
  const i = n.incident;
  return `${L.kind[n.kind]}${L.severity[i.severity]} #${i.id} ${clip(i.title, MAX_CHARS.title)}`;
}

export function buildFacts(n: Notification, d: Dialect, o: FactsOptions): Facts {
  const L = LABELS[o.language];
  const tz = o.timezone ?? 'UTC';
  const i = n.incident;
  const rate = n.rate !== undefined ? ` (${n.rate < 10 ? n.rate.toFixed(1) : Math.round(n.rate)}${L.perMinute})` : '';
  const source = [i.last_host, i.last_source].filter(Boolean).join(' ');
  const v = (s: string | null | undefined) => d.text(clip(s, MAX_CHARS.value));
  const fields: Field[] = [
    { label: L.category, value: v(i.category) },
    { label: L.ref, value: v(i.ref ?? '–') },
    { label: L.count, value: `${i.count}${rate}` },
    { label: L.firstSeen, value: formatTime(i.first_seen, tz) },
    { label: L.lastSeen, value: formatTime(i.last_seen, tz) },
    { label: L.endpoint, value: v([i.method, i.endpoint].filter(Boolean).join(' ') || '–') },
    { label: L.appkey, value: v(i.appkey ?? '–') },
    { label: L.source, value: v(source || '–') },
    { label: L.state, value: v(i.state) },
  ];
  const resolved = n.kind === 'resolved';
  const errText = [i.status ? `HTTP ${i.status}` : null, i.error, i.last_description].filter(Boolean).join(' · ');
  const hint = o.language === 'zh' && i.hint_zh ? i.hint_zh : i.hint;
  const show = d.code(`apiwatch incident show ${i.id}`);
  const commands =
    resolved || i.state !== 'firing' ? `${L.details}: ${show}` : `${L.acknowledge}: ${d.code(`apiwatch incident ack ${i.id}`)} · ${L.details}: ${show}`;
  return {
    labels: L,
    title: titleOf(n, L),
    summary: summary(n, L, d, tz),
    fields,
    error: !resolved && errText ? d.text(clip(errText, MAX_CHARS.block)) : null,
    hint: !resolved && hint ? d.text(clip(hint, MAX_CHARS.block)) : null,
    commands,
    showCommand: show,
  };
}
