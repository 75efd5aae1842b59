-- The spine: events, incidents keyed by fingerprint, per-source read positions.
-- Other areas own their own numbered files (010 ingest, 020 incidents/notify, 030 digest, 040 ops).

CREATE TABLE events (
  id                INTEGER PRIMARY KEY,
  ts                INTEGER NOT NULL,            -- epoch ms (line time, else read time)
  source            TEXT    NOT NULL,
  line              INTEGER NOT NULL,
  method            TEXT,
  url               TEXT,
  endpoint          TEXT,
  appkey            TEXT,
  host              TEXT,
  status            INTEGER,
  error             TEXT,
  error_description TEXT,
  exception         TEXT,
  failure_kind      TEXT,                        -- timeout|reset|refused|dns|other for no-response events
  attempt           INTEGER,
  gave_up           INTEGER,
  parser            TEXT    NOT NULL,
  ref               TEXT,
  rule              TEXT,
  category          TEXT    NOT NULL,
  severity          TEXT    NOT NULL,
  fingerprint       TEXT    NOT NULL,
  incident_id       INTEGER,
  raw               TEXT    NOT NULL             -- redacted before insert
);
CREATE INDEX events_ts ON events(ts);
CREATE INDEX events_incident_ts ON events(incident_id, ts);

CREATE TABLE incidents (
  id               INTEGER PRIMARY KEY,
  fingerprint      TEXT    NOT NULL UNIQUE,
  ref              TEXT,
  rule             TEXT,
  category         TEXT    NOT NULL,
  severity         TEXT    NOT NULL,
  title            TEXT    NOT NULL,
  hint             TEXT    NOT NULL DEFAULT '',
  hint_zh          TEXT    NOT NULL DEFAULT '',
  method           TEXT,
  endpoint         TEXT,
  appkey           TEXT,
  status           INTEGER,
  error            TEXT,
  state            TEXT    NOT NULL DEFAULT 'firing',   -- firing | acknowledged | resolved
  count            INTEGER NOT NULL DEFAULT 0,
  first_seen       INTEGER NOT NULL,
  last_seen        INTEGER NOT NULL,
  last_description TEXT,
  last_source      TEXT,
  last_host        TEXT,
  created_at       INTEGER NOT NULL,
  updated_at       INTEGER NOT NULL
);
CREATE INDEX incidents_state ON incidents(state, last_seen);

-- Where each source file was read up to; written in the same transaction as the events
-- produced from those bytes, so the pair is exactly-once.
CREATE TABLE source_positions (
  path       TEXT    PRIMARY KEY,
  dev        INTEGER,
  ino        INTEGER,
  offset     INTEGER NOT NULL,
  line       INTEGER NOT NULL,
  head_hash  TEXT,
  tail_hash  TEXT,
  updated_at INTEGER NOT NULL
);
