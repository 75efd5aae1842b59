import { defangUrls, neutralLead, oneLine, substitute } from './text.js';

/**
 * WeCom's and DingTalk's markdown subsets document no escape at all (no backslash, no entities),
 * so the characters that start markup are replaced by their full-width look-alikes: the text
 * still reads the same, and no tag (`<@userid>`, `<font>`), link (`[x](u)`), image, bold, code
 * span or mention (`@all`, `@138…`) can form from it. Parentheses, `#` and `_` stay inside a value
 * (no link without brackets; `acme#chat`, `reach_limit` read as written); a value that would start
 * a block (`# `, `- `, `1. `, after a `> ` quote) has its first character replaced.
 */
export const FULL_WIDTH: Readonly<Record<string, string>> = {
  '<': '＜',
  '>': '＞',
  '[': '［',
  ']': '］',
  '*': '＊',
  '`': "'",
  '@': '＠',
  '&': '＆',
  '!': '！',
  '|': '｜',
  '~': '～',
  '\\': '＼',
};

/** Block starters, replaced only at the start of a value. */
const LEAD_FULL_WIDTH = { '#': '＃', '-': '－', '+': '＋', '=': '＝', '.': '．' } as const;

/** Log text as inert inline text for WeCom/DingTalk markdown. */
export function fullWidthText(s: string | null | undefined): string {
  return neutralLead(substitute(defangUrls(oneLine(s)), FULL_WIDTH), LEAD_FULL_WIDTH);
}
