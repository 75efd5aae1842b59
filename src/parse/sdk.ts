/**
 * Easemob Java server SDK messages.
 *
 * 1.x (`com.easemob.im.server`, DefaultErrorMapper): the exception message is
 *   String.format("%s %s -> %d %s, \n error_description -> %s", method, uri, code, reason, description)
 * so a log shows `…EMBadRequestException: POST /org/app/users -> 400 Bad Request, ` and, on the
 * next line, ` error_description -> …`. The `error` code itself is not in the message.
 *
 * 2.x (`com.easemob.im.ApiException`, openapi-generator): getMessage() is
 *   "Message: %s%nHTTP response code: %s%nHTTP response body: %s%nHTTP response headers: %s"
 * — four lines, the Easemob body on the third; no URL.
 */
export const SDK1_STATUS = / -> (\d{3}) [A-Z]/;
export const SDK2_STATUS = /HTTP response code: (\d{3})\b/;
const SDK1_HEAD = / -> \d{3} [A-Z][^\n]*,\s*(?:\n|$)|error_description -> /;
const SDK1_DESC = /error_description -> ([^\n]*)/;

export function sdkShape(t: string): 'sdk1' | 'sdk2' | null {
  if (t.indexOf('HTTP response code:') >= 0) return 'sdk2';
  return SDK1_HEAD.test(t) ? 'sdk1' : null;
}

/** The description of a 1.x message; null when absent or the SDK printed `null`. */
export function sdk1Description(t: string): string | null {
  const m = SDK1_DESC.exec(t);
  if (!m) return null;
  const d = m[1].trim();
  return d && d !== 'null' ? d : null;
}
