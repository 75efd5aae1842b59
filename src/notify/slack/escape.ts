/**
 * Slack mrkdwn is an injection surface: `<!channel>` pings a channel, `<https://x|y>` hides a
 * link behind any text. Slack's own rule is to escape `&`, `<`, `>` as entities; once those are
 * gone no control sequence can form. Backticks are stripped wherever we open a code span, so log
 * text cannot close it and resume formatting.
 */

/** C0/C1 controls (but tab/newline) have no business in a message. */
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;

export function esc(s: string | null | undefined): string {
  return (s ?? '').replace(CONTROL, '').replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Escaped text for inside a code block or span (no backticks, so it cannot break out). */
export function escCode(s: string | null | undefined): string {
  return esc((s ?? '').replace(/`/g, "'"));
}

/** A log-derived value as inline code: inert, and no `*bold*`/`_italic_` games either. */
export function inlineCode(s: string | null | undefined): string {
  const v = escCode(s).replace(/\n/g, ' ');
  return v ? '`' + v + '`' : '–';
}

export const TRUNCATED = '… [truncated]';

/**
 * Cuts already-escaped text to `max` characters, ending with a marker, without splitting an
 * entity (`&amp;`) or a surrogate pair.
 */
export function truncate(text: string, max: number, marker = TRUNCATED): string {
  if (text.length <= max) return text;
  let cut = text.slice(0, Math.max(0, max - marker.length));
  const amp = cut.lastIndexOf('&');
  if (amp >= 0 && cut.indexOf(';', amp) < 0 && cut.length - amp < 6) cut = cut.slice(0, amp);
  const last = cut.charCodeAt(cut.length - 1);
  if (last >= 0xd800 && last <= 0xdbff) cut = cut.slice(0, -1);
  return cut + marker;
}

/** A code block of escaped, backtick-free text that fits `max` characters including fences. */
export function codeBlock(s: string | null | undefined, max: number): string {
  return '```' + truncate(escCode(s), max - 6) + '```';
}

/** plain_text objects are shown as typed (no mrkdwn, no mentions), so only controls go. */
export function plain(s: string | null | undefined, max: number): string {
  const v = (s ?? '').replace(CONTROL, '').replace(/\s+/g, ' ').trim();
  return v.length <= max ? v : v.slice(0, max - 1) + '…';
}
