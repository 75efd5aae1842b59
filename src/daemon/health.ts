import { statSync } from 'node:fs';
import picomatch from 'picomatch';
import type { DB } from '../store/db.js';
import type { SourceFault } from '../ingest/faults.js';
import type { HttpSourceStatus } from '../ingest/http/index.js';

export interface FileLag {
  path: string;
  /** Bytes in the file after the committed checkpoint. */
  lagBytes: number;
  /** Since the checkpoint was last committed. */
  checkpointAgeMs: number;
}

let lastMatcher: { key: string; match: (p: string) => boolean } | null = null;

/** The globs' matcher, compiled once per set of globs (this runs every second or so). */
function matcherFor(globs: string[]): (p: string) => boolean {
  const key = globs.join('\0');
  if (lastMatcher?.key !== key) lastMatcher = { key, match: globs.length ? picomatch(globs, { dot: true }) : () => false };
  return lastMatcher.match;
}

/**
 * Tail lag from what is committed, not from the tailer's memory: size on disk minus the checkpoint
 * offset, for checkpointed files that still match a configured glob. A file replaced at the same path
 * (rotation) counts whole until the tailer moves to it.
 */
export function fileLags(db: DB, globs: string[], now = Date.now()): FileLag[] {
  const match = matcherFor(globs);
  const rows = db.prepare('SELECT path, ino, offset, updated_at FROM source_positions').all() as {
    path: string;
    ino: number | null;
    offset: number;
    updated_at: number;
  }[];
  const out: FileLag[] = [];
  for (const r of rows) {
    if (!match(r.path)) continue;
    let size: number;
    let ino: number;
    try {
      const st = statSync(r.path);
      size = st.size;
      ino = st.ino;
    } catch {
      continue; // rotated away or deleted: nothing left to read at this path
    }
    const lag = r.ino != null && ino !== r.ino ? size : Math.max(0, size - r.offset);
    out.push({ path: r.path, lagBytes: lag, checkpointAgeMs: Math.max(0, now - r.updated_at) });
  }
  return out;
}

export interface HealthInputs {
  now: number;
  /** Last run of the daemon's pipeline loop (the 500 ms timer that flushes idle parsers). */
  loopAt: number;
  /** Start of the batch commit now running, or null. */
  writeStartedAt: number | null;
  /** SQLite error code the sink is backing off from, or null. */
  storeFailing: string | null;
  /** Result of the last heartbeat write: null ok, else the error. */
  heartbeatError: string | null;
  lags: FileLag[];
  /** The tailer's own progress time, when it reports one. */
  tailerProgressAt?: number;
  stallAfterMs: number;
  /** Sources that cannot be opened or read: the daemon runs, but blind to them (degraded). */
  sourceFaults?: SourceFault[];
  /** The database path no longer names the open file (deleted, replaced), or null. */
  dbIdentityError?: string | null;
  /** Consecutive failed dispatcher ticks and the last error. */
  dispatch?: { failures: number; since: number | null; lastError: string | null };
  /** The `- http:` sources: where they listen, when a shipper last came, the batch that last failed. */
  httpSources?: HttpSourceStatus[];
}

/** This many failed dispatcher ticks in a row (one a second) and nothing can page: unhealthy. */
export const DISPATCH_FAILURES_UNHEALTHY = 5;

/** ok: all well. degraded: running, but some source cannot be read (HTTP 200, named). unhealthy: HTTP 503. */
export type HealthStatus = 'ok' | 'degraded' | 'unhealthy';

export interface HealthReport {
  status: HealthStatus;
  /** The pipeline is moving: restart would not help if this is false only because of the database. */
  moving: boolean;
  dbWritable: boolean;
  ok: boolean;
  problems: string[];
  /** Unreadable sources, each with the fix. */
  faults: { path: string; code: string; message: string; fix: string }[];
  /** HTTP sources (log shippers): listening address, last request, last failed batch; absent when none is configured. */
  http_sources?: HttpSourceStatus[];
}

export function assessHealth(h: HealthInputs): HealthReport {
  const problems: string[] = [];
  let moving = true;
  // The loop runs every 500 ms; a few seconds without it means the event loop is blocked.
  if (h.now - h.loopAt > Math.min(h.stallAfterMs, 10_000)) {
    moving = false;
    problems.push(`pipeline loop has not run for ${Math.round((h.now - h.loopAt) / 1000)}s`);
  }
  if (h.writeStartedAt !== null && h.now - h.writeStartedAt > h.stallAfterMs) {
    moving = false;
    problems.push(`a batch commit has been running for ${Math.round((h.now - h.writeStartedAt) / 1000)}s`);
  }
  // Unread bytes while commits fail are the store's problem (reported below), not a hang: a restart
  // would not help, so they must not stop the watchdog.
  for (const l of h.storeFailing ? [] : h.lags) {
    if (l.lagBytes > 0 && l.checkpointAgeMs > h.stallAfterMs) {
      const recent = h.tailerProgressAt !== undefined && h.now - h.tailerProgressAt <= h.stallAfterMs;
      if (!recent) {
        moving = false;
        problems.push(`${l.path}: ${l.lagBytes} bytes unread, no progress for ${Math.round(l.checkpointAgeMs / 1000)}s`);
      }
    }
  }
  const dbWritable = h.storeFailing === null && h.heartbeatError === null;
  if (h.storeFailing) problems.push(`batch commits failing: ${h.storeFailing}`);
  if (h.heartbeatError) problems.push(`database not writable: ${h.heartbeatError}`);
  // Neither stops the watchdog: a restart would start on an empty file or hit the same error.
  let sound = true;
  if (h.dbIdentityError) {
    sound = false;
    problems.push(h.dbIdentityError);
  }
  const d = h.dispatch;
  if (d && d.failures >= DISPATCH_FAILURES_UNHEALTHY) {
    sound = false;
    const secs = d.since === null ? 0 : Math.round((h.now - d.since) / 1000);
    problems.push(`dispatch failing (${d.failures} ticks in a row, ${secs}s): ${d.lastError ?? 'unknown error'}; nothing can page`);
  }
  const faults = (h.sourceFaults ?? []).map((f) => ({ path: f.path, code: f.code, message: f.message, fix: f.fix }));
  for (const f of faults) problems.push(`source not readable: ${f.message}`);
  const http = h.httpSources ?? [];
  // Shippers keep a batch that was not stored and send it again; running, but behind: degraded.
  const httpFaults = http.filter((s) => s.fault !== null);
  for (const s of httpFaults) problems.push(`HTTP source ${s.listen}${s.path}: last batch not stored (HTTP ${s.fault!.status} at ${s.fault!.at}): ${s.fault!.message}`);
  const ok = moving && dbWritable && sound;
  const status: HealthStatus = !ok ? 'unhealthy' : faults.length || httpFaults.length ? 'degraded' : 'ok';
  return { status, moving, dbWritable, ok, problems, faults, ...(http.length ? { http_sources: http } : {}) };
}

/** Proves the database takes a write right now; short busy timeout so a held lock cannot block the loop. */
export function heartbeat(db: DB, busyTimeoutMs: number, now = Date.now()): string | null {
  db.pragma('busy_timeout = 0');
  try {
    db.prepare(
      "INSERT INTO daemon_state (key, value, updated_at) VALUES ('heartbeat', ?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at",
    ).run(String(process.pid), now);
    return null;
  } catch (err) {
    return (err as { code?: string }).code ?? (err as Error).message;
  } finally {
    db.pragma(`busy_timeout = ${busyTimeoutMs}`);
  }
}
