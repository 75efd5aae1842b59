/**
 * Text helpers shared by the group-bot dialects (WeCom, DingTalk, Feishu). Each dialect has its
 * own escape module; these are the parts they have in common.
 */

/** C0/C1 controls (tab and newline included: a value stays on its line) and bidi overrides. */
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]/g;

/** A log-derived value as one line of plain text: no controls, no line breaks, single spaces. */
export function oneLine(s: string | null | undefined): string {
  return (s ?? '').replace(CONTROL, ' ').replace(/\s+/g, ' ').trim();
}

/**
 * `scheme://` → `scheme：//`: the clients turn bare URLs into links; a log line must not. The
 * full-width colon reads the same to a person and is no longer a URL to a linkifier.
 */
export function defangUrls(s: string): string {
  return s.replace(/([A-Za-z][A-Za-z0-9+.-]*):\/\//g, '$1：//');
}

/** Replaces every character of `table`'s keys by its value. */
export function substitute(s: string, table: Readonly<Record<string, string>>): string {
  let out = '';
  for (const ch of s) out += table[ch] ?? ch;
  return out;
}

export const utf8Bytes = (s: string): number => Buffer.byteLength(s, 'utf8');

/** The longest prefix of `s` that fits `maxBytes` of UTF-8, never splitting a code point. */
export function cutBytes(s: string, maxBytes: number): string {
  if (utf8Bytes(s) <= maxBytes) return s;
  let bytes = 0;
  let out = '';
  for (const ch of s) {
    const n = utf8Bytes(ch);
    if (bytes + n > maxBytes) break;
    bytes += n;
    out += ch;
  }
  return out;
}

/** `s` cut to `maxBytes` with an ellipsis when it did not fit. */
export function ellipsis(s: string, maxBytes: number): string {
  if (utf8Bytes(s) <= maxBytes) return s;
  return cutBytes(s, Math.max(0, maxBytes - utf8Bytes('…'))) + '…';
}

/**
 * A value placed at the start of a line (a card field, a quote) must not open a block: a leading
 * `#`, `-`, `+`, `=` or the dot of `1.` is replaced through `map`.
 */
export function neutralLead(s: string, map: Readonly<Record<'#' | '-' | '+' | '=' | '.', string>>): string {
  const ordered = /^(\d+)\.(\s|$)/.exec(s);
  if (ordered) return `${ordered[1]}${map['.']}${s.slice(ordered[1]!.length + 1)}`;
  const c = s[0] as keyof typeof map | undefined;
  return c && c in map && c !== '.' ? map[c] + s.slice(1) : s;
}
