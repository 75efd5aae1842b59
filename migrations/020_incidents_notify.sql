-- Incident lifecycle, paging state, silences and the durable Slack outbox (area: incidents/notify).
-- outbox and silences are read by the digest: their names and columns are a contract.

-- Lifecycle columns. epoch counts reopenings: each regression starts a new paging cycle.
ALTER TABLE incidents ADD COLUMN epoch             INTEGER NOT NULL DEFAULT 0;
ALTER TABLE incidents ADD COLUMN epoch_started_at  INTEGER;            -- wall ms the current cycle opened
ALTER TABLE incidents ADD COLUMN last_event_at     INTEGER;            -- wall ms of the last recorded event (quiet period runs from here)
ALTER TABLE incidents ADD COLUMN resolve_after_ms  INTEGER;            -- effective quiet period: rule > category > global
ALTER TABLE incidents ADD COLUMN notify_resolved   INTEGER;            -- 1/0 from the rule; NULL: default by severity
ALTER TABLE incidents ADD COLUMN base_severity     TEXT;               -- severity before escalation
ALTER TABLE incidents ADD COLUMN escalated_at      INTEGER;
ALTER TABLE incidents ADD COLUMN page_requested_at INTEGER;            -- escalation/spike: page now, past group_interval
ALTER TABLE incidents ADD COLUMN page_reason       TEXT;
ALTER TABLE incidents ADD COLUMN reopens           TEXT NOT NULL DEFAULT '[]'; -- JSON wall ms of recent regressions (flap detection)
ALTER TABLE incidents ADD COLUMN acknowledged_at   INTEGER;
ALTER TABLE incidents ADD COLUMN acknowledged_by   TEXT;
ALTER TABLE incidents ADD COLUMN resolved_at       INTEGER;
ALTER TABLE incidents ADD COLUMN resolved_by       TEXT;               -- auto | manual
ALTER TABLE incidents ADD COLUMN regressions       INTEGER NOT NULL DEFAULT 0;

-- What was last paged about an incident, so a restart neither forgets nor re-pages.
CREATE TABLE incident_notify (
  incident_id     INTEGER PRIMARY KEY REFERENCES incidents(id) ON DELETE CASCADE,
  epoch           INTEGER NOT NULL,          -- cycle the last page belonged to
  first_paged_at  INTEGER NOT NULL,          -- of this cycle
  last_paged_at   INTEGER NOT NULL,
  last_count      INTEGER NOT NULL,
  last_severity   TEXT    NOT NULL,
  last_kind       TEXT    NOT NULL,          -- firing|update|reminder|regression|escalated|resolved
  pages           INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE silences (
  id         INTEGER PRIMARY KEY,
  matchers   TEXT    NOT NULL,               -- JSON [{name, value}]
  starts_at  INTEGER NOT NULL,
  ends_at    INTEGER NOT NULL,
  comment    TEXT,
  created_by TEXT,
  created_at INTEGER NOT NULL,
  expired_at INTEGER                          -- set by `silence expire` (ended early)
);
CREATE INDEX silences_active ON silences(ends_at);

CREATE TABLE outbox (
  id              INTEGER PRIMARY KEY,
  channel         TEXT    NOT NULL,          -- 'slack'
  target          TEXT    NOT NULL,          -- route name, never the secret URL
  incident_id     INTEGER,
  kind            TEXT,                      -- notification kind
  payload         TEXT    NOT NULL,          -- JSON body as it will be POSTed
  state           TEXT    NOT NULL,          -- pending | sent | dead
  attempts        INTEGER NOT NULL DEFAULT 0,
  next_attempt_at INTEGER NOT NULL,
  last_error      TEXT,
  created_at      INTEGER NOT NULL,
  sent_at         INTEGER,
  last_status     INTEGER                    -- HTTP status of the last attempt (NULL: no response)
);
CREATE INDEX outbox_pending ON outbox(state, channel, target, id);
CREATE INDEX outbox_incident ON outbox(incident_id);

-- Set when a page said "flapping"; cleared by the next page about a settled incident.
ALTER TABLE incident_notify ADD COLUMN flapping_since INTEGER;

-- Incidents open at upgrade time were already announced by the spine's console pager: record them as
-- paged so the first start with Slack configured does not flood the channel with old news.
INSERT INTO incident_notify (incident_id, epoch, first_paged_at, last_paged_at, last_count, last_severity, last_kind, pages)
  SELECT id, 0, updated_at, updated_at, count, severity, 'firing', 1 FROM incidents WHERE state != 'resolved';
UPDATE incidents SET epoch_started_at = created_at, last_event_at = updated_at, base_severity = severity;
