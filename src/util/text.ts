/**
 * Log text on its way to a terminal: control characters (escape sequences, bells, C1 codes) are
 * replaced so a log line cannot drive the operator's terminal. Tabs and newlines are kept.
 */
export function terminalSafe(s: string, replacement = '?'): string {
  return s.replace(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g, replacement);
}
