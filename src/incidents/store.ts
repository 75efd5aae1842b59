import type { DB } from '../store/db.js';
import type { ClassifiedEvent } from '../classify/types.js';
import type { Incident, IncidentChange, IncidentState } from './types.js';

/**
 * Events and incidents in SQLite. `record` must run inside the caller's transaction, together
 * with the checkpoint of the bytes the events came from.
 */
export class IncidentStore {
  private readonly insertEvent;
  private readonly byFingerprint;
  private readonly insertIncident;
  private readonly bumpIncident;
  private readonly byId;

  constructor(readonly db: DB) {
    this.insertEvent = db.prepare(
      `INSERT INTO events (ts, source, line, method, url, endpoint, appkey, host, status, error, error_description,
         exception, failure_kind, attempt, gave_up, parser, ref, rule, category, severity, fingerprint, incident_id, raw)
       VALUES (@ts, @source, @line, @method, @url, @endpoint, @appkey, @host, @status, @error, @errorDescription,
         @exception, @failureKind, @attempt, @gaveUp, @parser, @ref, @rule, @category, @severity, @fingerprint, @incidentId, @raw)`,
    );
    this.byFingerprint = db.prepare('SELECT * FROM incidents WHERE fingerprint = ?');
    this.byId = db.prepare('SELECT * FROM incidents WHERE id = ?');
    this.insertIncident = db.prepare(
      `INSERT INTO incidents (fingerprint, ref, rule, category, severity, title, hint, hint_zh, method, endpoint, appkey,
         status, error, state, count, first_seen, last_seen, last_description, last_source, last_host, created_at, updated_at)
       VALUES (@fingerprint, @ref, @rule, @category, @severity, @title, @hint, @hint_zh, @method, @endpoint, @appkey,
         @status, @error, 'firing', 0, @ts, @ts, @description, @source, @host, @now, @now)`,
    );
    this.bumpIncident = db.prepare(
      `UPDATE incidents SET count = count + @added, first_seen = MIN(first_seen, @first), last_seen = MAX(last_seen, @last),
         last_description = COALESCE(@description, last_description), last_source = @source,
         last_host = COALESCE(@host, last_host), state = @state, updated_at = @now WHERE id = @id`,
    );
  }

  /** Stores events and folds them into their incidents. Call inside a transaction. */
  record(events: ClassifiedEvent[], now = Date.now()): IncidentChange[] {
    const groups = new Map<string, ClassifiedEvent[]>();
    for (const ev of events) {
      const g = groups.get(ev.fingerprint);
      if (g) g.push(ev);
      else groups.set(ev.fingerprint, [ev]);
    }
    const changes: IncidentChange[] = [];
    for (const [fingerprint, evs] of groups) {
      const first = evs[0];
      const last = evs[evs.length - 1];
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
        }).lastInsertRowid;
        inc = this.byId.get(id) as Incident;
        kind = 'opened';
      } else if (inc.state === 'resolved') {
        kind = 'regression';
      }
      let minTs = Infinity;
      let maxTs = -Infinity;
      for (const ev of evs) {
        if (ev.ts < minTs) minTs = ev.ts;
        if (ev.ts > maxTs) maxTs = ev.ts;
        this.insertEvent.run({
          ts: ev.ts,
          source: ev.source,
          line: ev.line,
          method: ev.method,
          url: ev.url,
          endpoint: ev.endpoint,
          appkey: ev.appkey,
          host: ev.host,
          status: ev.status,
          error: ev.error,
          errorDescription: ev.errorDescription,
          exception: ev.exception,
          failureKind: ev.noResponse?.kind ?? null,
          attempt: ev.noResponse?.attempt ?? null,
          gaveUp: ev.noResponse?.gaveUp === undefined ? null : ev.noResponse.gaveUp ? 1 : 0,
          parser: ev.parser,
          ref: ev.cls.ref,
          rule: ev.cls.rule,
          category: ev.cls.category,
          severity: ev.cls.severity,
          fingerprint,
          incidentId: inc.id,
          raw: ev.raw,
        });
      }
      const state: IncidentState = kind === 'regression' ? 'firing' : inc.state;
      this.bumpIncident.run({
        id: inc.id,
        added: evs.length,
        first: minTs,
        last: maxTs,
        description: last.errorDescription,
        source: last.source,
        host: last.host,
        state,
        now,
      });
      changes.push({ kind, incident: this.byId.get(inc.id) as Incident, added: evs.length });
    }
    return changes;
  }

  get(id: number): Incident | undefined {
    return this.byId.get(id) as Incident | undefined;
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
