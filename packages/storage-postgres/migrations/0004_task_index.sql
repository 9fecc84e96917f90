-- Dealflow PostgreSQL schema, version 4: the task index (the rep's agenda).
-- Applied by migrate() with search_path set to the target schema.

-- One row per task or agenda date of a record, replaced whole by the engine when they change.
-- "My open tasks due today" and "what is overdue for my team" are range scans of these indexes,
-- never a scan of records.
CREATE TABLE tasks (
  tenant_id   text NOT NULL,
  record_id   text NOT NULL,
  id          text NOT NULL,
  record_type text NOT NULL,
  kind        text NOT NULL,
  title       text NOT NULL,
  owner_id    text,
  team_id     text,
  status      text NOT NULL,
  due_at      timestamptz,
  PRIMARY KEY (tenant_id, record_id, id)
);
CREATE INDEX tasks_by_owner ON tasks (tenant_id, owner_id, status, kind, due_at);
CREATE INDEX tasks_by_team  ON tasks (tenant_id, team_id, status, kind, due_at);

-- A team's records, for the deadlines of a team's agenda (records_by_owner serves a rep's).
CREATE INDEX records_by_team ON records (tenant_id, team_id);
