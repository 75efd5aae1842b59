-- Source globs the tailer has started at least once. `start_at: end` applies only to files present
-- the first time a glob is watched; after that every new matching file is read from its first byte.
CREATE TABLE ingest_sources (
  glob       TEXT    PRIMARY KEY,
  started_at INTEGER NOT NULL
);
