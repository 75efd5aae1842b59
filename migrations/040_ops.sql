-- Ops: daily aggregates that outlive the purged events, and the daemon's liveness row.

-- One row per local day (digest.timezone, else the host's) and event shape. Filled from events
-- just before retention deletes them, so the digest's trends survive the purge.
CREATE TABLE event_daily (
  day      TEXT    NOT NULL,               -- YYYY-MM-DD
  appkey   TEXT    NOT NULL DEFAULT '',    -- '' for unknown (NULL would defeat the primary key)
  ref      TEXT    NOT NULL DEFAULT '',
  category TEXT    NOT NULL,
  severity TEXT    NOT NULL,
  endpoint TEXT    NOT NULL DEFAULT '',
  count    INTEGER NOT NULL,
  PRIMARY KEY (day, appkey, ref, category, severity, endpoint)
) WITHOUT ROWID;

-- Small key/value state; the daemon rewrites 'heartbeat' to prove the database takes writes (/healthz).
CREATE TABLE daemon_state (
  key        TEXT    PRIMARY KEY,
  value      TEXT,
  updated_at INTEGER NOT NULL
);
