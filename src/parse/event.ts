/**
 * The one event shape every parser yields (stage interface parse → classify).
 * Text fields are already redacted (see src/parse/redact.ts) when an event leaves the parser.
 */
export type FailureKind = 'timeout' | 'reset' | 'refused' | 'dns' | 'other';

export interface NoResponse {
  /** What kind of no-response: read/connect time-out, connection reset, refused, DNS failure. */
  kind: FailureKind;
  /** Attempt number when the log says so (retry libraries, SDK retry loops). */
  attempt?: number;
  /** True when the log says the client stopped retrying. */
  gaveUp?: boolean;
}

export interface ApiErrorEvent {
  /** Epoch milliseconds: from the record when it carries a time (whatever its age), else read time. */
  ts: number;
  /** Whether ts came from the line (false: read time). */
  tsFromLine: boolean;
  /** Source file path ('-' for stdin). */
  source: string;
  /** 1-based line number where the event starts. */
  line: number;
  /** Byte offset of that line's first byte, when known (tailer). */
  offset?: number;
  method: string | null;
  /** Full URL or path as logged (query string kept, secrets redacted). */
  url: string | null;
  /** Endpoint template without the org/app prefix, e.g. `/users/{username}`; null when no URL. */
  endpoint: string | null;
  /** `org#app` */
  appkey: string | null;
  host: string | null;
  /** HTTP status; null for a call that got no response. */
  status: number | null;
  error: string | null;
  errorDescription: string | null;
  exception: string | null;
  /** The raw text of the event's lines, redacted and capped (see MAX_RAW). */
  raw: string;
  /** Present only for calls that got no response (ref T01). */
  noResponse?: NoResponse;
  /** Which shape matched: json | embedded | access | sdk1 | sdk2 | client. */
  parser: string;
}

/** Position of a line in its source, handed to the parser with the line. */
export interface LineMeta {
  /** 1-based line number. */
  lineNo: number;
  /** Byte offset of the line's first byte. */
  offset: number;
  /** Epoch ms when the line was read (fallback time). */
  readTime: number;
}

/**
 * A stateful per-source parser. Lines go in one at a time; events come out when complete.
 * Multi-line shapes (stack traces, SDK messages) are held until a line that is not a
 * continuation arrives, or until flush() is called (idle timeout, end of file, shutdown).
 */
export interface EventParser {
  push(line: string, meta: LineMeta): ApiErrorEvent[];
  /** Emit whatever event is being assembled. */
  flush(): ApiErrorEvent[];
  /**
   * Where the event still being assembled starts, or null. A checkpoint must not move past
   * this line, so a restart re-reads it and the event is emitted exactly once.
   */
  pending(): LineMeta | null;
  /** Counters for bad input (garbage, truncated JSON, over-long lines). */
  readonly stats: ParserStats;
  /**
   * Analyses made ahead of time by the bulk path's scan workers (src/parse/index.ts Precomputed),
   * used while set, for records that are the same, when `key` (analysisKey) is this parser's.
   */
  useAnalyses?(lookup: ((offset: number) => unknown) | null, key: string): void;
}

export interface ParserStats {
  lines: number;
  events: number;
  /** Lines that looked like JSON but did not parse, or were too deep/large. */
  malformed: number;
  /** Events whose time was more than 24 h in the future and replaced by read time (past times are kept). */
  clockSkew: number;
}

export interface ParserOptions {
  source: string;
  /** Extra hosts (exact or `*.suffix`) treated as Easemob besides the built-in ones. */
  apiHosts?: string[];
  /** IANA timezone for timestamps without a zone; default the host's. */
  timezone?: string;
  /** Emit events for non-Easemob API errors too (ref null). Default false. */
  includeOtherApis?: boolean;
  /** Clock, for tests. */
  now?: () => number;
  /**
   * Skip the analysis of records with no failure evidence (src/parse/failure-words.ts): they can
   * be no event. Default true; tests turn it off to prove it changes no event.
   */
  evidenceGate?: boolean;
  /** Called with the verdict on every record that passed the prefilter (`classify --explain`). */
  explain?: (x: Explanation) => void;
}

/** Why a record is, or is not, an event (`apiwatch classify --explain`). */
export interface Explanation {
  /** 1-based line where the record starts. */
  line: number;
  /** The record's first line, as logged (not redacted: the caller redacts before printing). */
  text: string;
  parser: string;
  event: boolean;
  /** Evidence of the call used (events). */
  call?: string;
  /** Evidence of its failure used (events). */
  failure?: string;
  /** The evidence that is missing (records that are not events). */
  missing?: string;
}

export const MAX_RAW = 4000;
