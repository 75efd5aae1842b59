/**
 * The one prefilter: can this line start (or be) a record that yields an API-error event?
 *
 * The parser runs it on every line it is handed, and the bulk path (replay, catch-up) runs the same
 * pattern over a latin1 view of raw bytes (one char per byte, no UTF-8 decoding) to pick the few
 * lines worth decoding. Keeping one copy is what makes `replay` and `classify` agree: a shape the
 * parser accepts on a line this rejects would be silently dropped by replay
 * (test/parse/prefilter.test.ts holds every fixture to it). Continuation lines of a pending record
 * are fed whatever they contain, so only a record's first line (or the one after a JUL date line)
 * has to pass.
 *
 * A line passes when it carries a failure word, an Easemob host or name, the SDK's
 * `HTTP response code:` line, or an HTTP 4xx/5xx after `status…` or `HTTP/x`.
 *
 * Cost: V8 scans an alternation of literals with a Boyer-Moore-style skip whose stride is bounded
 * by the shortest alternative and weakened by every alternative that starts with a common char.
 * Measured on the bench corpus (latin1 view + scan): this set ~800 MB/s; with `ail` instead of
 * fail/Fail (3 chars) ~650; with `-> [45]\d\d` (Java SDK 1.x, whose lines carry "Exception" anyway)
 * ~360; with `" [45]\d\d ` (access logs; now anchored on HTTP/x) ~250.
 */
const BASE = [
  'rror', 'RROR', 'xception', 'imeout', 'imed out', 'TIMEOUT', 'ECONN', 'ETIMEDOUT', 'ENOTFOUND', 'EAI_AGAIN',
  'UND_ERR', 'deadline', 'efused', 'fail', 'Fail', 'FAIL', 'asemob', 'easecdn', 'agora', 'abort', 'HTTP response code',
  // Go net errors and Node's socket errors say neither "error" nor "timeout".
  'reset by', 'hang up', 'such host',
  // Guzzle's MessageFormatter::DEBUG record (request, response and error over many lines).
  '>>>>>>>>',
].map(escape);
const STATUS = [
  // status=404, "statusCode":404, status_code: 404, Status Code: 404, status '404', Faraday "Status 400"
  `tatus[A-Za-z_"' :=]{0,16}[45]\\d\\d`,
  // access logs `"GET /x HTTP/1.1" 404`, status lines `HTTP/1.1 502 Bad Gateway`, `HTTP/2 429`
  'HTTP/[\\d.]{1,3}"? +"?[45]\\d\\d',
  // Not " 401 Unauthorized" on its own: a digit-led alternative costs the scan ~40% of its speed,
  // and such lines carry a host, a failure word or one of the forms above in every format seen.
];

function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * A global regex matching anywhere in a candidate line; extra hosts come from `api_hosts`. Global
 * so a scanner can run it over a whole block (`lastIndex`), and pure: the same hosts give the
 * same pattern in every thread.
 */
export function candidatePattern(apiHosts: readonly string[] = []): RegExp {
  const hosts = apiHosts.map((h) => escape(h.replace(/^\*\./, ''))).filter((h) => h.length > 2);
  return new RegExp([...BASE, ...hosts, ...STATUS].join('|'), 'g');
}

/** Whether one line (text, or raw bytes read as latin1) passes the prefilter. */
export function isCandidate(line: string | Uint8Array, re: RegExp): boolean {
  re.lastIndex = 0;
  return re.test(typeof line === 'string' ? line : Buffer.from(line.buffer, line.byteOffset, line.byteLength).toString('latin1'));
}
