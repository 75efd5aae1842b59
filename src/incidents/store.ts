import type { DB } from '../store/db.js';
import type { Category, ClassifiedEvent } from '../classify/types.js';
import type { Incident, IncidentChange, IncidentState } from './types.js';
import { EscalationCheck } from './escalation.js';

export interface IncidentPolicy {
  /** Global quiet period before auto-resolve. */
  resolveAfterMs: number;
  resolveAfterByCategory: Partial<Record<Category, number>>;
  /** How long a regression counts towards flapping. */
  flapWindowMs: number;
}

export const DEFAULT_INCIDENT_POLICY: IncidentPolicy = {
  resolveAfterMs: 1_800_000,
  resolveAfterByCategory: {},
  flapWindowMs: 3_600_000,
};

export interface SampleEvent {
  id: number;
  ts: number;
  source: string;
  line: number;
  host: string | null;
  status: number | null;
  error: string | null;
  error_description: string | null;
  raw: string;
}

const EVENT_COLUMNS = `events (ts, source, line, method, url, endpoint, appkey, host, status, error, error_description,
  exception, failure_kind, attempt, gave_up, parser, ref, rule, category, severity, fingerprint, incident_id, raw)`;
const EVENT_FIELDS = 23;
const EVENT_ROW = `(${Array(EVENT_FIELDS).fill('?').join(', ')})`;
/** Newest events looked at to name an incident's sources (index range scan, never the whole incident). */
const RECENT_SOURCES_SCAN = 1000;
/** Events per multi-row INSERT (fewer statement runs; rows are inserted in order, as one by one). */
const EVENT_CHUNK = 32;

/** Writes one event's column values, in EVENT_COLUMNS order, into `out` from `at`. */
function eventValues(out: unknown[], at: number, ev: ClassifiedEvent, fingerprint: string, incidentId: number): void {
  const nr = ev.noResponse;
  out[at] = ev.ts;
  out[at + 1] = ev.source;
  out[at + 2] = ev.line;
  out[at + 3] = ev.method;
  out[at + 4] = ev.url;
  out[at + 5] = ev.endpoint;
  out[at + 6] = ev.appkey;
  out[at + 7] = ev.host;
  out[at + 8] = ev.status;
  out[at + 9] = ev.error;
  out[at + 10] = ev.errorDescription;
  out[at + 11] = ev.exception;
  out[at + 12] = nr?.kind ?? null;
  out[at + 13] = nr?.attempt ?? null;
  out[at + 14] = nr?.gaveUp === undefined ? null : nr.gaveUp ? 1 : 0;
  out[at + 15] = ev.parser;
  out[at + 16] = ev.cls.ref;
  out[at + 17] = ev.cls.rule;
  out[at + 18] = ev.cls.category;
  out[at + 19] = ev.cls.severity;
  out[at + 20] = fingerprint;
  out[at + 21] = incidentId;
  out[at + 22] = ev.raw;
}

/**
 * Events and incidents in SQLite. `record` must run inside the caller's transaction, together
 * with the checkpoint of the bytes the events came from.
 */
export class IncidentStore {
  policy: IncidentPolicy = DEFAULT_INCIDENT_POLICY;
  private readonly insertEvent;
  private readonly insertEvents;
  private readonly byFingerprint;
  private readonly insertIncident;
  private readonly bumpIncident;
  private readonly reopen;
  private readonly escalate;
  private readonly byId;
  private readonly escalation: EscalationCheck;

  constructor(
    readonly db: DB,
    policy?: Partial<IncidentPolicy>,
  ) {
    if (policy) this.configure(policy);
    this.escalation = new EscalationCheck(db);
    // Positional parameters: binding 23 named ones from an object per event cost more than the insert.
    this.insertEvent = db.prepare(`INSERT INTO ${EVENT_COLUMNS} VALUES ${EVENT_ROW}`);
    this.insertEvents = db.prepare(`INSERT INTO ${EVENT_COLUMNS} VALUES ${Array(EVENT_CHUNK).fill(EVENT_ROW).join(', ')}`);
    this.byFingerprint = db.prepare('SELECT * FROM incidents WHERE fingerprint = ?');
    this.byId = db.prepare('SELECT * FROM incidents WHERE id = ?');
    this.insertIncident = db.prepare(
      `INSERT INTO incidents (fingerprint, ref, rule, category, severity, title, hint, hint_zh, method, endpoint, appkey,
         status, error, state, count, first_seen, last_seen, last_description, last_source, last_host, created_at, updated_at,
         epoch, epoch_started_at, last_event_at, resolve_after_ms, notify_resolved, base_severity)
       VALUES (@fingerprint, @ref, @rule, @category, @severity, @title, @hint, @hint_zh, @method, @endpoint, @appkey,
         @status, @error, 'firing', 0, @ts, @ts, @description, @source, @host, @now, @now,
         0, @now, @now, @resolveAfter, @notifyResolved, @severity)`,
    );
    this.bumpIncident = db.prepare(
      `UPDATE incidents SET count = count + @added, first_seen = MIN(first_seen, @first), last_seen = MAX(last_seen, @last),
         last_description = COALESCE(@description, last_description), last_source = @source,
         last_host = COALESCE(@host, last_host), updated_at = @now, last_event_at = @now,
         resolve_after_ms = @resolveAfter, notify_resolved = @notifyResolved WHERE id = @id RETURNING *`,
    );
    // A new cycle: back to firing at the rule's own severity, with a fresh group_wait.
    this.reopen = db.prepare(
      `UPDATE incidents SET state = 'firing', epoch = epoch + 1, epoch_started_at = @now, regressions = regressions + 1,
         reopens = @reopens, resolved_at = NULL, resolved_by = NULL, acknowledged_at = NULL, acknowledged_by = NULL,
         severity = @severity, base_severity = @severity, escalated_at = NULL, page_requested_at = NULL, page_reason = NULL
       WHERE id = @id`,
    );
    this.escalate = db.prepare(
      `UPDATE incidents SET severity = COALESCE(@severity, severity), escalated_at = CASE WHEN @severity IS NULL THEN escalated_at ELSE @now END,
         page_requested_at = @now, page_reason = @reason WHERE id = @id RETURNING *`,
    );
  }

  configure(policy: Partial<IncidentPolicy>): void {
    this.policy = { ...this.policy, ...policy };
  }

  /** Quiet period for an event: the rule's own, else its category's, else the global one. */
  resolveAfterFor(ev: ClassifiedEvent): number {
    return ev.cls.resolveAfterMs ?? this.policy.resolveAfterByCategory[ev.cls.category] ?? this.policy.resolveAfterMs;
  }

  /** Stores events and folds them into their incidents. Call inside a transaction. */
  record(events: ClassifiedEvent[], now = Date.now()): IncidentChange[] {
    const groups = new Map<string, ClassifiedEvent[]>();
    for (const ev of events) {
      const g = groups.get(ev.fingerprint);
      if (g) g.push(ev);
      else groups.set(ev.fingerprint, [ev]);
    }
    // 1. Each group's incident (opened or reopened as needed), in group order.
    const folds: { fingerprint: string; evs: ClassifiedEvent[]; inc: Incident; kind: IncidentChange['kind']; notifyResolved: number | null }[] = [];
    for (const [fingerprint, evs] of groups) {
      const first = evs[0];
      const last = evs[evs.length - 1];
      const notifyResolved = last.cls.notifyResolved === undefined ? null : last.cls.notifyResolved ? 1 : 0;
      let inc = this.byFingerprint.get(fingerprint) as Incident | undefined;
      let kind: IncidentChange['kind'] = 'updated';
      if (!inc) {
        const id = this.insertIncident.run({
          fingerprint,
          ref: first.cls.ref,
          rule: first.cls.rule,
          category: first.cls.category,
          severity: first.cls.severity,
          title: first.cls.title,
          hint: first.cls.hint,
          hint_zh: first.cls.hintZh,
          method: first.method,
          endpoint: first.endpoint,
          appkey: first.appkey,
          status: first.status,
          error: first.error,
          ts: first.ts,
          description: first.errorDescription,
          source: first.source,
          host: first.host,
          now,
          resolveAfter: this.resolveAfterFor(last),
          notifyResolved,
        }).lastInsertRowid;
        inc = this.byId.get(id) as Incident;
        kind = 'opened';
      } else if (inc.state === 'resolved') {
        kind = 'regression';
        const recent = (JSON.parse(inc.reopens) as number[]).filter((t) => now - t < this.policy.flapWindowMs);
        recent.push(now);
        this.reopen.run({ id: inc.id, now, reopens: JSON.stringify(recent.slice(-20)), severity: last.cls.severity });
        inc = this.byId.get(inc.id) as Incident;
      }
      folds.push({ fingerprint, evs, inc, kind, notifyResolved });
    }
    // 2. The events, group after group as before (same row ids), many rows per INSERT across groups.
    this.insertAll(folds);
    // 3. Counts, escalation and the resulting rows. Each step only touches its own incident and
    // counts its own events, so the order of the phases leaves the same rows as one group at a time.
    const changes: IncidentChange[] = [];
    for (const f of folds) {
      const { evs, inc, notifyResolved } = f;
      let kind = f.kind;
      const last = evs[evs.length - 1];
      let minTs = Infinity;
      let maxTs = -Infinity;
      for (const ev of evs) {
        if (ev.ts < minTs) minTs = ev.ts;
        if (ev.ts > maxTs) maxTs = ev.ts;
      }
      // The updated row comes back from the UPDATE itself (RETURNING): no read per group after it.
      let row = this.bumpIncident.get({
        id: inc.id,
        added: evs.length,
        first: minTs,
        last: maxTs,
        description: last.errorDescription,
        source: last.source,
        host: last.host,
        now,
        resolveAfter: this.resolveAfterFor(last),
        notifyResolved,
      }) as Incident;
      const esc = this.escalation.check(inc, last.cls.escalate, maxTs, now);
      if (esc) {
        row = this.escalate.get({ id: inc.id, severity: esc.severity ?? null, now, reason: esc.reason }) as Incident;
        if (kind === 'updated') kind = 'escalated';
      }
      changes.push({ kind, incident: row, added: evs.length });
    }
    return changes;
  }

  private readonly chunkValues: unknown[] = new Array(EVENT_FIELDS * EVENT_CHUNK);
  private readonly rowValues: unknown[] = new Array(EVENT_FIELDS);

  /** Inserts the groups' events in order: EVENT_CHUNK rows per statement, the rest one by one. */
  private insertAll(folds: { fingerprint: string; evs: ClassifiedEvent[]; inc: Incident }[]): void {
    const chunk = this.chunkValues;
    const row = this.rowValues;
    let total = 0;
    for (const f of folds) total += f.evs.length;
    const chunked = total - (total % EVENT_CHUNK);
    let n = 0; // events written so far
    let k = 0; // rows in `chunk`
    for (const f of folds) {
      const id = f.inc.id;
      for (const ev of f.evs) {
        if (n < chunked) {
          eventValues(chunk, k * EVENT_FIELDS, ev, f.fingerprint, id);
          if (++k === EVENT_CHUNK) {
            this.insertEvents.run(chunk);
            k = 0;
          }
        } else {
          eventValues(row, 0, ev, f.fingerprint, id);
          this.insertEvent.run(row);
        }
        n++;
      }
    }
    // Drop references to the events' text until the next batch.
    chunk.fill(null);
    row.fill(null);
  }

  get(id: number): Incident | undefined {
    return this.byId.get(id) as Incident | undefined;
  }

  /** The newest few events of an incident (text already redacted by the parser). */
  samples(id: number, n = 3): SampleEvent[] {
    return this.db
      .prepare(
        `SELECT id, ts, source, line, host, status, error, error_description, raw FROM events
         WHERE incident_id = ? ORDER BY ts DESC, id DESC LIMIT ?`,
      )
      .all(id, n) as SampleEvent[];
  }

  /**
   * The distinct sources (files, HTTP origins `host:file`) of an incident's newest `scan` events,
   * newest first: which machines see it, for a notification. Bounded, so a huge incident costs the
   * same as a small one.
   */
  recentSources(id: number, scan = RECENT_SOURCES_SCAN): string[] {
    const rows = this.db
      .prepare(
        `SELECT source, MAX(ts) AS at FROM (SELECT source, ts FROM events WHERE incident_id = ? ORDER BY ts DESC LIMIT ?)
         GROUP BY source ORDER BY at DESC`,
      )
      .all(id, scan) as { source: string }[];
    return rows.map((r) => r.source);
  }

  /** Events per minute over the last `windowMs` of event time up to `now`. */
  ratePerMinute(id: number, now: number, windowMs = 300_000): number {
    const { n } = this.db
      .prepare('SELECT COUNT(*) AS n FROM events WHERE incident_id = ? AND ts > ? AND ts <= ?')
      .get(id, now - windowMs, now) as { n: number };
    return n / (windowMs / 60_000);
  }

  list(opts: { state?: IncidentState | 'open' } = {}): Incident[] {
    if (opts.state === 'open') {
      return this.db.prepare("SELECT * FROM incidents WHERE state != 'resolved' ORDER BY last_seen DESC").all() as Incident[];
    }
    if (opts.state) {
      return this.db.prepare('SELECT * FROM incidents WHERE state = ? ORDER BY last_seen DESC').all(opts.state) as Incident[];
    }
    return this.db.prepare('SELECT * FROM incidents ORDER BY last_seen DESC').all() as Incident[];
  }
}
