import { DateTime } from 'luxon';

export type Language = 'en' | 'zh';

const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** C0/C1 controls and line/paragraph separators become a space. */
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u2028\u2029]/g;
/**
 * Bidirectional embedding/override/isolate controls (U+202A–202E, U+2066–2069) are removed, as in
 * Slack: a right-to-left override in a log line would make the mail show text reversed ("Trojan
 * Source"), e.g. a path or an amount that reads differently from what it is. The invisible
 * direction marks (U+200E/200F, U+061C) go too: they can flip how neighbouring text is ordered.
 */
const BIDI = /[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

/** Control characters from logs never reach a mail client or terminal. */
export function clean(s: unknown): string {
  return String(s ?? '').replace(CONTROL, ' ').replace(BIDI, '');
}

/** Everything that came from a log goes through this before it lands in HTML. */
export function esc(s: unknown): string {
  return clean(s).replace(/[&<>"']/g, (c) => HTML_ESCAPES[c]);
}

export function truncate(s: string, max: number): string {
  return s.length > max ? `${s.slice(0, max - 1)}…` : s;
}

export function fmtInt(n: number): string {
  return n.toLocaleString('en-US');
}

export interface Delta {
  dir: 'up' | 'down' | 'same' | 'none';
  text: string;
}

/** Change against the previous period: ▲ 25% / ▼ 40% / "new" when there was nothing before. */
export function delta(cur: number, prev: number): Delta {
  if (cur === 0 && prev === 0) return { dir: 'none', text: '' };
  if (cur === prev) return { dir: 'same', text: '= 0%' };
  if (prev === 0) return { dir: 'up', text: '▲ new' };
  const pct = Math.round((Math.abs(cur - prev) / prev) * 100);
  return cur > prev ? { dir: 'up', text: `▲ ${pct}%` } : { dir: 'down', text: `▼ ${pct}%` };
}

export function fmtTime(ms: number | null, tz: string): string {
  if (ms === null) return '—';
  return DateTime.fromMillis(ms, { zone: tz }).toFormat('yyyy-MM-dd HH:mm');
}

export function fmtAge(ms: number): string {
  const m = Math.max(0, Math.floor(ms / 60000));
  if (m < 60) return `${m} min`;
  const h = Math.floor(m / 60);
  if (h < 48) return `${h} h`;
  return `${Math.floor(h / 24)} d`;
}

export function endpointOf(method: string | null, endpoint: string | null): string {
  return clean(`${method ?? ''} ${endpoint ?? '(no URL)'}`.trim());
}
