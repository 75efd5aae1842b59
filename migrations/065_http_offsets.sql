-- HTTP ingest: records that carry their byte offset in the shipper's file (Vector offset_key,
-- Fluent Bit tail Offset_Key). A retried batch repeats (host, file, offset): those records are
-- skipped, so they count once. Written in the batch's own transaction; pruned by age.
CREATE TABLE http_offsets (
  host    TEXT    NOT NULL,
  file    TEXT    NOT NULL,
  offset  INTEGER NOT NULL,
  seen_at INTEGER NOT NULL,
  PRIMARY KEY (host, file, offset)
) WITHOUT ROWID;
CREATE INDEX http_offsets_seen ON http_offsets (seen_at);
