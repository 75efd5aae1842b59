import type { Notification } from '../notifier.js';
import { buildFacts, type FactsOptions } from '../chat/facts.js';
import { ellipsis, utf8Bytes } from '../chat/text.js';
import { feishuDialect as d, plainText } from './escape.js';

/** "发送消息时，请求体的数据大小不能超过 20 KB" (9499 Bad Request beyond it). Room is kept for timestamp + sign. */
export const BODY_MAX_BYTES = 20 * 1024;
const SIGNATURE_ROOM_BYTES = 128;
const FIELD_MAX_BYTES = 3000;
const TITLE_MAX_CHARS = 150;

/** Card header colours (template), by what the message says. */
export function headerTemplate(n: Notification): string {
  if (n.kind === 'resolved') return 'green';
  if (n.kind === 'acknowledged') return 'grey';
  switch (n.incident.severity) {
    case 'critical':
      return 'red';
    case 'error':
      return 'orange';
    case 'warning':
      return 'yellow';
    default:
      return 'blue';
  }
}

type LarkMd = { tag: 'lark_md'; content: string };
const md = (content: string): LarkMd => ({ tag: 'lark_md', content });

export interface FeishuCard {
  msg_type: 'interactive';
  card: {
    config: { wide_screen_mode: true; enable_forward: true };
    header: { title: { tag: 'plain_text'; content: string }; template: string };
    elements: Record<string, unknown>[];
  };
}

function build(n: Notification, o: FactsOptions, fieldMax: number): FeishuCard {
  const f = buildFacts(n, d, o);
  const elements: Record<string, unknown>[] = [];
  elements.push({ tag: 'div', text: md(f.summary.join('\n')) });
  elements.push({ tag: 'div', fields: f.fields.map((x) => ({ is_short: true, text: md(`${d.bold(x.label)}\n${x.value}`) })) });
  if (f.error) elements.push({ tag: 'div', text: md(`${d.bold(f.labels.latestError)}\n${cutEscaped(f.error, fieldMax)}`) });
  if (f.hint) elements.push({ tag: 'div', text: md(`${d.bold(f.labels.fix)}\n${cutEscaped(f.hint, fieldMax)}`) });
  elements.push({ tag: 'hr' });
  elements.push({ tag: 'note', elements: [md(f.commands)] });
  const title = plainText(`apiwatch ${f.title}`);
  return {
    msg_type: 'interactive',
    card: {
      config: { wide_screen_mode: true, enable_forward: true },
      header: { title: { tag: 'plain_text', content: title.length > TITLE_MAX_CHARS ? title.slice(0, TITLE_MAX_CHARS - 1) + '…' : title }, template: headerTemplate(n) },
      elements,
    },
  };
}

/** Cuts entity-escaped text without leaving half an entity (`&#4`). */
export function cutEscaped(s: string, maxBytes: number): string {
  if (utf8Bytes(s) <= maxBytes) return s;
  let cut = ellipsis(s, maxBytes).slice(0, -1);
  const amp = cut.lastIndexOf('&');
  if (amp >= 0 && !cut.slice(amp).includes(';')) cut = cut.slice(0, amp);
  return cut + '…';
}

/** The card for one notification, within Feishu's 20 KB body limit. */
export function renderFeishu(n: Notification, o: FactsOptions): FeishuCard {
  let fieldMax = FIELD_MAX_BYTES;
  let card = build(n, o, fieldMax);
  while (utf8Bytes(JSON.stringify(card)) > BODY_MAX_BYTES - SIGNATURE_ROOM_BYTES && fieldMax > 200) {
    fieldMax = Math.floor(fieldMax / 2);
    card = build(n, o, fieldMax);
  }
  return card;
}
