-- Dealflow PostgreSQL schema, version 3: appending to the outbox maintains two indexes, not four.
-- Applied by migrate() with search_path set to the target schema.

-- A message gets its position only when a relay reads the outbox, so the indexes on position hold
-- positioned rows only: a transaction's outbox insert no longer adds NULL entries to them (every
-- writer appended those on the same last index page). Reads and acks ask for `position > $1` and
-- `position <= $1`, which imply `position IS NOT NULL`, so they keep using them.
ALTER TABLE outbox DROP CONSTRAINT outbox_position_key;
CREATE UNIQUE INDEX outbox_position ON outbox (position) WHERE position IS NOT NULL;
DROP INDEX outbox_by_tenant;
CREATE INDEX outbox_by_tenant ON outbox (tenant_id, position) WHERE position IS NOT NULL;
