-- Daily digest: one row per digest period, doubling as its durable outbox.
-- period_key is the last local date covered (YYYY-MM-DD); UNIQUE so no period is ever sent twice,
-- even across restarts. A catch-up after downtime is one row covering from_date..to_date.
CREATE TABLE digests (
  id              INTEGER PRIMARY KEY,
  period_key      TEXT    NOT NULL UNIQUE,
  from_date       TEXT    NOT NULL,            -- first local date covered
  to_date         TEXT    NOT NULL,            -- last local date covered (= period_key)
  timezone        TEXT    NOT NULL,
  period_start    INTEGER NOT NULL,            -- epoch ms, inclusive
  period_end      INTEGER NOT NULL,            -- epoch ms, exclusive
  state           TEXT    NOT NULL,            -- pending | sent | dead | skipped
  reason          TEXT,                        -- why skipped (first start, quiet day)
  attempts        INTEGER NOT NULL DEFAULT 0,
  next_attempt_at INTEGER,
  last_error      TEXT,
  -- Rendered once when the period closes, so every retry sends the identical message.
  subject         TEXT,
  html            TEXT,
  text            TEXT,
  message_id      TEXT,
  delivered_via   TEXT,                        -- smtp | file
  created_at      INTEGER NOT NULL,
  sent_at         INTEGER
);
CREATE INDEX digests_due ON digests(state, next_attempt_at);
