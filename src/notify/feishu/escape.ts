import { defangUrls, neutralLead, oneLine, substitute } from '../chat/text.js';
import type { Dialect } from '../chat/facts.js';

/**
 * Feishu card `lark_md`: **bold**, *italic*, ~~strike~~, [links](url), <at id=all></at>,
 * <font color>, `code`, :emoji:. Feishu's card Markdown says characters that would start markup
 * are written as HTML entities to be shown as themselves, so log text gets entities for every
 * markup character (and `&` first, so an entity in a log line shows literally).
 */
const ENTITIES: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '*': '&#42;',
  _: '&#95;',
  '~': '&#126;',
  '`': '&#96;',
  '[': '&#91;',
  ']': '&#93;',
  '(': '&#40;',
  ')': '&#41;',
  '#': '&#35;',
  '\\': '&#92;',
  '|': '&#124;',
  ':': '&#58;',
  '@': '&#64;',
  '$': '&#36;',
};

/** Block starters at the start of a value (field values start a line in a card). */
const LEAD_ENTITIES = { '#': '&#35;', '-': '&#45;', '+': '&#43;', '=': '&#61;', '.': '&#46;' } as const;

export function larkText(s: string | null | undefined): string {
  return neutralLead(substitute(defangUrls(oneLine(s)), ENTITIES), LEAD_ENTITIES);
}

export const feishuDialect: Dialect = {
  text: larkText,
  bold: (s) => `**${s}**`,
  code: (s) => '`' + s + '`',
};

/** plain_text (card header, button text) shows as typed: only controls and line breaks go. */
export function plainText(s: string | null | undefined): string {
  return oneLine(s);
}
