import type { DB } from '../store/db.js';

/**
 * Records incidents as already announced at their current count, so the daemon's pager does
 * not page history: `apiwatch replay` ingests old logs "without notifying", and that must hold
 * for the next `apiwatch run` too. Later live events page as updates, by the usual policy.
 */
export function markAnnounced(db: DB, incidentIds: Iterable<number>, now = Date.now()): void {
  const upsert = db.prepare(
    `INSERT INTO incident_notify (incident_id, epoch, first_paged_at, last_paged_at, last_count, last_severity, last_kind, pages)
       SELECT id, epoch, @now, @now, count, severity, CASE WHEN state = 'resolved' THEN 'resolved' ELSE 'firing' END, 0
       FROM incidents WHERE id = @id
     ON CONFLICT(incident_id) DO UPDATE SET epoch = excluded.epoch, last_paged_at = excluded.last_paged_at,
       last_count = excluded.last_count, last_severity = excluded.last_severity, last_kind = excluded.last_kind`,
  );
  db.transaction(() => {
    for (const id of incidentIds) upsert.run({ id, now });
  })();
}
