/**
 * Multi-line records: which lines continue the event before them (Java stack traces and
 * `Caused by:`, the Easemob SDK's second/following message lines, Python tracebacks, Node
 * `util.inspect` dumps) and which of those are bare stack frames (kept in raw, not analysed).
 */
export const EXC_HEADER = /^(?:[A-Za-z_$][\w$]{0,60}[.\\]){0,15}[A-Za-z_$][\w$]{0,100}?(?:Exception|Error|Timeout|timeout|Throwable)[\w$]{0,40}(?::|$)/;

/** Lines that belong to the event before them and never start one of their own. */
export function isContinuation(line: string): boolean {
  if (line.length === 0) return true;
  const c = line.charCodeAt(0);
  if (c === 9 || c === 32) return true; // "\tat …", "    at …", " error_description -> …", Python source lines
  if (c === 67 && line.startsWith('Caused by:')) return true;
  if (c === 72 && (line.startsWith('HTTP response code:') || line.startsWith('HTTP response body:') || line.startsWith('HTTP response headers:'))) return true;
  if (c === 84 && line.startsWith('Traceback (most recent call last)')) return true;
  if (c === 62 && line.startsWith('> File "')) return true; // loguru marks the frame that raised
  if (c === 46 && /^\.\.\. \d+ (?:more|common frames omitted)/.test(line)) return true;
  if (c === 84 && line.startsWith('The above exception was')) return true;
  if (c === 68 && line.startsWith('During handling of the above exception')) return true;
  if (c === 125) return true; // `}` / `}"` closing a pretty-printed body or util.inspect dump
  if (c === 123 || (c >= 48 && c <= 57) || c === 91) return false; // JSON, timestamps, [level]
  return EXC_HEADER.test(line);
}

/** Stack frames (Java `\tat`, Node `    at`, Python `  File "…"`): kept in raw, not analysed. */
// loguru's `backtrace`/`diagnose` value lines (`    │   └ {'url': …}`) and Python 3.11's `^^^^`
// markers are frames too: they repeat variables, never the error. Jackson's ` at [Source: …; line:
// 1, column: 11]` is not a frame but the last line of its message (a description printed with its
// line break by Monolog's allowInlineLineBreaks): no frame starts with `[`.
const FRAME = /^\s+(?:at\s(?!\[)|File "|[│└]|\^+\s*$)|^\.\.\. \d+ |^> File "/;
export function isFrame(line: string): boolean {
  return FRAME.test(line);
}

