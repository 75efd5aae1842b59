import { defangUrls, oneLine, substitute } from './text.js';

/**
 * WeCom's and DingTalk's markdown subsets document no escape at all (no backslash, no entities),
 * so the characters that start markup are replaced by their full-width look-alikes: the text
 * still reads the same, and no tag (`<@userid>`, `<font>`), link (`[x](u)`), image, bold, code
 * span or mention (`@all`, `@138…`) can form from it. `#` and `_` stay: a value never starts a line
 * (no heading), and an underscore inside a word (`reach_limit`, `acme#chat`) is no emphasis.
 */
export const FULL_WIDTH: Readonly<Record<string, string>> = {
  '<': '＜',
  '>': '＞',
  '[': '［',
  ']': '］',
  '(': '（',
  ')': '）',
  '*': '＊',
  '`': "'",
  '@': '＠',
  '&': '＆',
  '!': '！',
  '|': '｜',
  '~': '～',
  '\\': '＼',
};

/** Log text as inert inline text for WeCom/DingTalk markdown. */
export function fullWidthText(s: string | null | undefined): string {
  return substitute(defangUrls(oneLine(s)), FULL_WIDTH);
}
