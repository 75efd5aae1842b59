-- Who changed what, by hand: acknowledge/resolve from the CLI or the web page, silences created or
-- expired. Shown on the incident page and in `incident show`. Comments are the operator's text.
CREATE TABLE incident_actions (
  id          INTEGER PRIMARY KEY,
  incident_id INTEGER REFERENCES incidents(id) ON DELETE CASCADE,
  silence_id  INTEGER,
  action      TEXT    NOT NULL,            -- acknowledge | resolve | silence | expire
  actor       TEXT    NOT NULL,
  via         TEXT    NOT NULL,            -- cli | web
  comment     TEXT,
  at          INTEGER NOT NULL
);
CREATE INDEX incident_actions_incident ON incident_actions (incident_id, at);
