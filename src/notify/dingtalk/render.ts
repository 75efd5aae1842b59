import type { Notification } from '../notifier.js';
import { buildFacts, type FactsOptions } from '../chat/facts.js';
import { oneLine, ellipsis, utf8Bytes } from '../chat/text.js';
import { MENTION_KINDS } from '../wecom/render.js';
import { dingtalkDialect as d } from './escape.js';

/** A log-derived block never takes more than this (DingTalk documents no markdown limit; keep messages readable). */
const FIELD_MAX_BYTES = 1200;
/** The title is the conversation-list preview. */
const TITLE_MAX_BYTES = 120;
/** Whole-text ceiling; messages far below it in practice. */
export const TEXT_MAX_BYTES = 15_000;

export interface DingtalkMarkdown {
  msgtype: 'markdown';
  markdown: { title: string; text: string };
  at: { atMobiles?: string[]; isAtAll: false };
}

/**
 * What the outbox stores: the message and whether it should @-mention the on-call mobiles. The
 * numbers themselves are added at delivery from the config, so they never sit in the database.
 */
export interface DingtalkQueued {
  message: DingtalkMarkdown;
  mention: boolean;
}

export function renderDingtalk(n: Notification, o: FactsOptions): DingtalkQueued {
  const f = buildFacts(n, d, o);
  // Paragraphs: DingTalk's markdown joins single newlines into one line.
  const blocks: string[] = [];
  blocks.push(`### ${ellipsis(d.text(f.title), 300)}`);
  blocks.push(...f.summary);
  blocks.push(f.fields.map((x) => `- ${d.bold(x.label)}: ${x.value}`).join('\n'));
  if (f.error) blocks.push(d.bold(f.labels.latestError), `> ${ellipsis(f.error, FIELD_MAX_BYTES)}`);
  if (f.hint) blocks.push(d.bold(f.labels.fix), `> ${ellipsis(f.hint, FIELD_MAX_BYTES)}`);
  blocks.push(f.commands);
  let text = blocks.join('\n\n');
  if (utf8Bytes(text) > TEXT_MAX_BYTES) text = ellipsis(blocks.slice(0, 3).join('\n\n'), TEXT_MAX_BYTES - 400) + '\n\n' + f.labels.truncated(f.showCommand);
  // "apiwatch" in the title: robots secured by a custom keyword can use it.
  const title = ellipsis(oneLine(`apiwatch ${f.title}`), TITLE_MAX_BYTES);
  return {
    message: { msgtype: 'markdown', markdown: { title, text }, at: { isAtAll: false } },
    mention: n.incident.severity === 'critical' && MENTION_KINDS.has(n.kind),
  };
}

/** The body actually POSTed: the queued message plus the @-mentions (each `@mobile` must also be in the text). */
export function withMentions(q: DingtalkQueued, atMobiles: string[]): DingtalkMarkdown {
  if (!q.mention || !atMobiles.length) return q.message;
  return {
    ...q.message,
    markdown: { ...q.message.markdown, text: `${q.message.markdown.text}\n\n${atMobiles.map((m) => `@${m}`).join(' ')}` },
    at: { atMobiles: [...atMobiles], isAtAll: false },
  };
}
