/**
 * The SQLite schema, versioned with `PRAGMA user_version`: `MIGRATIONS[v]` upgrades a database of
 * version `v` to `v + 1`, so a file made by an older release upgrades in place. Every table is keyed
 * by tenant. See docs/storage.md ("SQLite schema") for why each index exists.
 */
export const MIGRATIONS: readonly string[] = [
  `
  CREATE TABLE IF NOT EXISTS records (
    tenant_id TEXT NOT NULL,
    id TEXT NOT NULL,
    type TEXT NOT NULL,
    blueprint_id TEXT NOT NULL,
    blueprint_version INTEGER NOT NULL,
    stage TEXT NOT NULL,
    version INTEGER NOT NULL,
    fields TEXT NOT NULL,
    owner_id TEXT,
    team_id TEXT,
    meta TEXT NOT NULL,
    stage_entered_at TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (tenant_id, id)
  );
  CREATE INDEX IF NOT EXISTS records_by_created ON records (tenant_id, created_at, id);
  CREATE INDEX IF NOT EXISTS records_by_stage ON records (tenant_id, type, stage);
  CREATE INDEX IF NOT EXISTS records_by_owner ON records (tenant_id, owner_id);

  CREATE TABLE IF NOT EXISTS history (
    tenant_id TEXT NOT NULL,
    record_id TEXT NOT NULL,
    seq INTEGER NOT NULL,
    id TEXT NOT NULL,
    at TEXT NOT NULL,
    kind TEXT NOT NULL,
    event TEXT,
    from_stage TEXT,
    to_stage TEXT,
    actor_id TEXT,
    data TEXT NOT NULL,
    PRIMARY KEY (tenant_id, record_id, seq)
  );
  CREATE UNIQUE INDEX IF NOT EXISTS history_id ON history (tenant_id, id);

  CREATE TABLE IF NOT EXISTS timers (
    tenant_id TEXT NOT NULL,
    id TEXT NOT NULL,
    record_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    key TEXT,
    due_at TEXT NOT NULL,
    event TEXT NOT NULL,
    payload TEXT NOT NULL,
    stage TEXT,
    record_version INTEGER NOT NULL,
    status TEXT NOT NULL,
    lease_owner TEXT,
    lease_until TEXT,
    attempts INTEGER NOT NULL,
    created_at TEXT NOT NULL,
    finished_at TEXT,
    outcome TEXT,
    PRIMARY KEY (tenant_id, id)
  );
  CREATE INDEX IF NOT EXISTS timers_pending_due ON timers (due_at) WHERE status = 'pending';
  CREATE INDEX IF NOT EXISTS timers_claimed_lease ON timers (lease_until) WHERE status = 'claimed';
  CREATE INDEX IF NOT EXISTS timers_active_by_record ON timers (tenant_id, record_id, key) WHERE status IN ('pending', 'claimed');
  CREATE INDEX IF NOT EXISTS timers_by_record ON timers (tenant_id, record_id, due_at);

  CREATE TABLE IF NOT EXISTS idempotency (
    tenant_id TEXT NOT NULL,
    key TEXT NOT NULL,
    fingerprint TEXT NOT NULL,
    result TEXT NOT NULL,
    at TEXT NOT NULL,
    PRIMARY KEY (tenant_id, key)
  );

  CREATE TABLE IF NOT EXISTS counters (
    tenant_id TEXT NOT NULL,
    key TEXT NOT NULL,
    value INTEGER NOT NULL,
    PRIMARY KEY (tenant_id, key)
  );

  CREATE TABLE IF NOT EXISTS unique_keys (
    tenant_id TEXT NOT NULL,
    key TEXT NOT NULL,
    record_id TEXT NOT NULL,
    PRIMARY KEY (tenant_id, key)
  );
  CREATE INDEX IF NOT EXISTS unique_keys_by_record ON unique_keys (tenant_id, record_id);

  CREATE TABLE IF NOT EXISTS outbox (
    position INTEGER PRIMARY KEY AUTOINCREMENT,
    tenant_id TEXT NOT NULL,
    id TEXT NOT NULL,
    record_id TEXT,
    type TEXT NOT NULL,
    payload TEXT NOT NULL,
    created_at TEXT NOT NULL
  );
  CREATE INDEX IF NOT EXISTS outbox_by_tenant ON outbox (tenant_id, position);
  `,
  // v2: the outbox without AUTOINCREMENT: an INTEGER PRIMARY KEY takes max(position) + 1, so a
  // message no longer also writes its sqlite_sequence row (one more page per COMMIT). outbox_floor
  // keeps the highest position ever acknowledged, so positions never repeat after acks delete the
  // newest rows (see INSERT_OUTBOX in tx.ts).
  `
  CREATE TABLE outbox_floor (
    singleton INTEGER PRIMARY KEY CHECK (singleton = 1),
    position INTEGER NOT NULL
  );
  INSERT INTO outbox_floor (singleton, position)
    VALUES (1, COALESCE((SELECT seq FROM sqlite_sequence WHERE name = 'outbox'), 0));
  CREATE TABLE outbox_v2 (
    position INTEGER PRIMARY KEY,
    tenant_id TEXT NOT NULL,
    id TEXT NOT NULL,
    record_id TEXT,
    type TEXT NOT NULL,
    payload TEXT NOT NULL,
    created_at TEXT NOT NULL
  );
  INSERT INTO outbox_v2 (position, tenant_id, id, record_id, type, payload, created_at)
    SELECT position, tenant_id, id, record_id, type, payload, created_at FROM outbox;
  DROP TABLE outbox;
  ALTER TABLE outbox_v2 RENAME TO outbox;
  CREATE INDEX outbox_by_tenant ON outbox (tenant_id, position);
  `,
  // v3: the task index (the rep's agenda): one row per task or agenda date of a record, found by
  // owner or team, status and due time; records by team for team deadlines
  `
  CREATE TABLE tasks (
    tenant_id TEXT NOT NULL,
    record_id TEXT NOT NULL,
    id TEXT NOT NULL,
    record_type TEXT NOT NULL,
    kind TEXT NOT NULL,
    title TEXT NOT NULL,
    owner_id TEXT,
    team_id TEXT,
    status TEXT NOT NULL,
    due_at TEXT,
    PRIMARY KEY (tenant_id, record_id, id)
  );
  CREATE INDEX tasks_by_owner ON tasks (tenant_id, owner_id, status, kind, due_at);
  CREATE INDEX tasks_by_team ON tasks (tenant_id, team_id, status, kind, due_at);
  CREATE INDEX records_by_team ON records (tenant_id, team_id);
  `,
];
