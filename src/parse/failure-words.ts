/**
 * Failure evidence on raw text: can this text hold what makes a record a *failed* call?
 *
 * An event needs a failure in its own record (evidence.ts `failureOf`): a 4xx/5xx status, a
 * no-response error (client.ts `failureKind`) or an Easemob error body as the response. Each of
 * those is read from digits or words that stand in the record's text, so a record whose text has
 * none of the tokens below cannot be an event, and the parser skips its analysis (the expensive
 * part: bodies, statuses, URLs). The bulk path uses the same test on raw bytes (latin1 view) to
 * drop whole records before decoding them.
 *
 * CONTRACT: a superset, token by token, of what the parser reads as a failure —
 *   - any status ≥ 400: every status the parser reads is three digits not inside a longer number;
 *   - `failureKind`'s words: each alternative of client.ts's DNS/REFUSED/TIMEOUT/RESET/OTHER holds
 *     one of NO_RESPONSE's words (anchors and look-arounds dropped, so it matches wherever they do);
 *   - error bodies: `"error":` / `'error':` (also escaped, body.ts ERR_KEY), util.inspect's
 *     `error: '`, the SDK 1.x `error_description -> ` line (Go's `{Error:` and logfmt `error=`
 *     bodies count only after a >= 400 status, which is evidence already);
 *   - JSON `\u00XX` escapes could spell any of them: such text is kept too.
 * test/parse/failure-words.test.ts holds it to failureKind and the parser on every fixture.
 * Not covered, on purpose: statuses written as JSON exponents (`4e2`) — no logger writes them.
 */

const NO_RESPONSE = [
  // DNS
  'cURL error', 'esolv', 'Host not found', 'ENOTFOUND', 'EAI_AGAIN', 'UnknownHost', 'such host', 'not known',
  'servname', 'getaddrinfo',
  // refused
  'refused', 'REFUSED', 'ConnectException', 'Errno 111',
  // time-outs
  'imeout', 'TIMEOUT', 'TIMEDOUT', 'timed out', 'ECONNABORTED', 'deadline exceeded', 'execution expired',
  // reset / closed
  'ECONNRESET', 'onnection reset', 'hang up', 'UND_ERR_SOCKET', 'RemoteDisconnected', 'onnection aborted', 'EPIPE',
  'Broken pipe', 'end of stream', 'PrematureClose', 'prematurely closed', '": EOF', 'NoHttpResponse',
  'ChunkedEncodingError', 'ProtocolError', 'Empty reply', 'Recv failure', 'other side closed', 'SocketError',
  'received no bytes', 'Remote end closed', 'Server disconnected', 'end of file reached', 'connection closed before',
  // TLS, routing
  'SSL', 'CERT_', 'UNABLE_TO_VERIFY', 'UNREACH', 'No route to host', 'is unreachable', 'certificate verify', 'x509: ', 'tls: ',
];

/**
 * A status >= 400 as the parser reads one (embedded.ts STATUS_RES, AFTER_URL_STATUS, access.ts,
 * JSON numbers and strings). Every one of those regexes ends the status at a non-word char (`\b`,
 * a space, `,`, `:`…) and starts it after a separator (space, quote, `:`, `=`, `>`, `(`…), except:
 * `\b(\d{3}) : ` / `\b(\d{3}) Client Error` (any non-word char before, also `.` or `-`),
 * `status404` (the status key regex allows no separator) and OkHttp's `code=4011` (no end check).
 * So hex ids (`…-452a…`, `0fedf600e479`), durations (`452ms`) and decimals (`0.452`) are no evidence.
 */
const STATUS = [
  '(?<![\\w.-])[45]\\d\\d(?!\\w)',
  '[45]\\d\\d (?:: |Client Error|Server Error)',
  '[Ss][Tt][Aa][Tt][Uu][Ss]\\D*[45]\\d\\d',
  'code=[45]\\d\\d',
];

const BODY = [`error\\\\*["']\\s*:`, "error: '", 'error_description'];

function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Not global: `test` keeps no state, so one instance serves every caller. */
export const FAILURE_EVIDENCE = new RegExp(
  [...STATUS, '\\\\u00[0-7]', ...BODY, ...NO_RESPONSE.map(escape)].join('|'),
);

/**
 * The parser also keeps status-less call records that name a request id, to tie a later failure
 * line to them (index.ts REQUEST_ID): a record with one matters even without failure evidence.
 */
export const REQUEST_ID_WORD = /(?:x-request-id|request[_-]?id|req[_-]?id|correlation[_-]?id|trace[_-]?id)/i;

/** Whether `text` may hold a failure (or a request id the parser remembers). */
export function mayMatter(text: string): boolean {
  return FAILURE_EVIDENCE.test(text) || REQUEST_ID_WORD.test(text);
}
