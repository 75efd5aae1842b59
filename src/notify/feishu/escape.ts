import { defangUrls, neutralLead, oneLine, substitute } from '../chat/text.js';
import type { Dialect } from '../chat/facts.js';

/**
 * Feishu card `lark_md`: **bold**, *italic*, ~~strike~~, [links](url), <at id=all></at>,
 * <font color>, <a>url</a>, <text_tag>, `code`, :emoji:. Feishu's card Markdown page (特殊字符转义)
 * says a character that would hit markdown syntax is written as an HTML entity `&#number;` to be
 * shown as itself, so log text gets a numeric entity for every markup character (`&` too, so an
 * entity written in a log line shows literally).
 */
const ENTITIES: Readonly<Record<string, string>> = {
  '&': '&#38;',
  '<': '&#60;',
  '>': '&#62;',
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
