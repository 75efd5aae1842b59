import type { Severity } from '../../classify/types.js';
import type { Notification, NotificationKind } from '../notifier.js';
import { buildFacts, type FactsOptions } from '../chat/facts.js';
import { cutBytes, ellipsis, utf8Bytes } from '../chat/text.js';
import { wecomDialect as d } from './escape.js';

/** markdown.content: "最长不超过4096个字节，必须是utf8编码" (WeCom answers 40058 beyond it). */
export const CONTENT_MAX_BYTES = 4096;
/** A single log-derived block never takes more than this, so the rest of the message survives. */
const FIELD_MAX_BYTES = 1200;
const TITLE_MAX_BYTES = 300;

export interface WecomMarkdown {
  msgtype: 'markdown';
  markdown: { content: string };
}

/** Kinds that ping the mentioned people (a critical incident starting, coming back, escalating). */
export const MENTION_KINDS: ReadonlySet<NotificationKind> = new Set(['firing', 'regression', 'escalated']);

/** WeCom's three font colours: warning = orange, info = green, comment = grey. */
function colour(n: Notification): 'warning' | 'info' | 'comment' {
  if (n.kind === 'resolved') return 'info';
  if (n.kind === 'acknowledged') return 'comment';
  const high: Severity[] = ['critical', 'error'];
  return high.includes(n.incident.severity) ? 'warning' : 'comment';
}

export interface WecomRenderOptions extends FactsOptions {
  /** WeCom userids to mention on a critical page. */
  mention?: string[];
}

export function renderWecom(n: Notification, o: WecomRenderOptions): WecomMarkdown {
  const f = buildFacts(n, d, o);
  const lines: string[] = [];
  lines.push(`### <font color="${colour(n)}">${ellipsis(d.text(f.title), TITLE_MAX_BYTES)}</font>`);
  lines.push(...f.summary);
  for (const x of f.fields) lines.push(`> ${x.label}: <font color="comment">${x.value}</font>`);
  if (f.error) lines.push(d.bold(f.labels.latestError), `> ${ellipsis(f.error, FIELD_MAX_BYTES)}`);
  if (f.hint) lines.push(d.bold(f.labels.fix), `> ${ellipsis(f.hint, FIELD_MAX_BYTES)}`);
  lines.push(`<font color="comment">${f.commands}</font>`);

  const mentions =
    n.incident.severity === 'critical' && MENTION_KINDS.has(n.kind) && o.mention?.length ? '\n' + o.mention.map((u) => `<@${u}>`).join(' ') : '';
  return { msgtype: 'markdown', markdown: { content: fit(lines, mentions, f.labels.truncated(f.showCommand)) } };
}

/**
 * Joins the lines within 4,096 bytes. Whole lines are dropped from the end (never a tag cut in
 * half); the message then ends in "…" and a pointer to `incident show`, and the mentions always
 * survive.
 */
export function fit(lines: string[], mentions: string, pointer: string): string {
  const full = lines.join('\n') + mentions;
  if (utf8Bytes(full) <= CONTENT_MAX_BYTES) return full;
  const tail = `\n…\n${pointer}${mentions}`;
  const budget = CONTENT_MAX_BYTES - utf8Bytes(tail);
  const kept: string[] = [];
  let bytes = 0;
  for (const l of lines) {
    const n = utf8Bytes(l) + (kept.length ? 1 : 0);
    if (bytes + n > budget) break;
    kept.push(l);
    bytes += n;
  }
  // A first line longer than the whole budget cannot happen with the caps above; cut it anyway.
  if (!kept.length) kept.push(cutBytes(lines[0] ?? '', budget));
  return kept.join('\n') + tail;
}
