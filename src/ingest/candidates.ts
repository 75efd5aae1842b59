/**
 * Fast pre-selection of lines that can start an API-error event, so bulk reads (replay, catch-up)
 * only decode and parse a few percent of lines. Scanning runs on a latin1 view of the bytes (one
 * char per byte, no UTF-8 decoding); candidate lines are then decoded as UTF-8. A line is a
 * candidate when it carries a failure word, an Easemob host or name, the SDK's
 * `HTTP response code:` line, or an HTTP 4xx/5xx after `status…` or `HTTP/x`. The parser's
 * contract is that an event never starts on a line this rejects (test/parse/prefilter.test.ts
 * holds it to that); continuation lines are fed while the parser has an event pending, whatever
 * they contain.
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
].map(escape);
const STATUS = [
  // status=404, "statusCode":404, status_code: 404, Status Code: 404, status '404'
  `tatus[A-Za-z_"' :=]{0,16}[45]\\d\\d`,
  // access logs `"GET /x HTTP/1.1" 404`, status lines `HTTP/1.1 502 Bad Gateway`, `HTTP/2 429`
  'HTTP/[\\d.]{1,3}"? +"?[45]\\d\\d',
  // Not " 401 Unauthorized" on its own: a digit-led alternative costs the scan ~40% of its speed,
  // and such lines carry a host, a failure word or one of the forms above in every format seen.
];

function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** A global regex matching anywhere in a candidate line; extra hosts come from `api_hosts`. */
export function candidatePattern(apiHosts: string[] = []): RegExp {
  const hosts = apiHosts.map((h) => escape(h.replace(/^\*\./, '')));
  return new RegExp([...BASE, ...hosts, ...STATUS].join('|'), 'g');
}

export function isCandidate(line: string, re: RegExp): boolean {
  re.lastIndex = 0;
  return re.test(line);
}
