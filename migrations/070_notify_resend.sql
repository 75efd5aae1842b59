-- Channels that must be re-sent what is still firing (Alertmanager forgets an alert whose endsAt
-- passes): per channel and incident, what was last pushed and when. Written in the dispatcher's
-- transaction, with the outbox rows of the push.
CREATE TABLE notify_resend (
  channel      TEXT    NOT NULL,
  incident_id  INTEGER NOT NULL,
  epoch        INTEGER NOT NULL,
  state        TEXT    NOT NULL CHECK (state IN ('firing', 'resolved')),
  last_sent_at INTEGER NOT NULL,
  PRIMARY KEY (channel, incident_id)
) WITHOUT ROWID;
