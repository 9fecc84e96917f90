-- Dealflow PostgreSQL schema, version 1.
-- Applied by migrate() with search_path set to the target schema. Every table is keyed by tenant.

CREATE TABLE records (
  tenant_id         text        NOT NULL,
  id                text        COLLATE "C" NOT NULL,
  type              text        NOT NULL,
  blueprint_id      text        NOT NULL,
  blueprint_version integer     NOT NULL,
  stage             text        NOT NULL,
  version           integer     NOT NULL,
  fields            jsonb       NOT NULL,
  owner_id          text,
  team_id           text,
  meta              jsonb       NOT NULL,
  stage_entered_at  timestamptz NOT NULL,
  created_at        timestamptz NOT NULL,
  updated_at        timestamptz NOT NULL,
  PRIMARY KEY (tenant_id, id)
);
CREATE INDEX records_by_created ON records (tenant_id, created_at, id);
CREATE INDEX records_by_stage   ON records (tenant_id, type, stage);
CREATE INDEX records_by_owner   ON records (tenant_id, owner_id);
CREATE INDEX records_by_updated ON records (tenant_id, updated_at);

CREATE TABLE history (
  tenant_id  text        NOT NULL,
  record_id  text        NOT NULL,
  seq        integer     NOT NULL,
  id         text        NOT NULL,
  at         timestamptz NOT NULL,
  kind       text        NOT NULL,
  event      text,
  from_stage text,
  to_stage   text,
  actor_id   text,
  data       jsonb       NOT NULL,
  PRIMARY KEY (tenant_id, record_id, seq),
  UNIQUE (tenant_id, id)
);

CREATE TABLE timers (
  tenant_id      text        NOT NULL,
  id             text        COLLATE "C" NOT NULL,
  record_id      text        NOT NULL,
  kind           text        NOT NULL,
  key            text,
  due_at         timestamptz NOT NULL,
  event          text        NOT NULL,
  payload        jsonb       NOT NULL,
  stage          text,
  record_version integer     NOT NULL,
  status         text        NOT NULL CHECK (status IN ('pending', 'claimed', 'done', 'cancelled')),
  lease_owner    text,
  lease_until    timestamptz,
  attempts       integer     NOT NULL DEFAULT 0,
  created_at     timestamptz NOT NULL,
  finished_at    timestamptz,
  outcome        text,
  PRIMARY KEY (tenant_id, id)
);
-- due timers: the worker's claim scans only pending timers by due time, and expired leases
CREATE INDEX timers_pending_due   ON timers (due_at) WHERE status = 'pending';
CREATE INDEX timers_claimed_lease ON timers (lease_until) WHERE status = 'claimed';
CREATE INDEX timers_by_record     ON timers (tenant_id, record_id) WHERE status IN ('pending', 'claimed');
CREATE INDEX timers_all_by_record ON timers (tenant_id, record_id, due_at);

CREATE TABLE idempotency (
  tenant_id   text        NOT NULL,
  key         text        NOT NULL,
  fingerprint text        NOT NULL,
  result      jsonb       NOT NULL,
  at          timestamptz NOT NULL,
  PRIMARY KEY (tenant_id, key)
);

CREATE TABLE counters (
  tenant_id text   NOT NULL,
  key       text   NOT NULL,
  value     bigint NOT NULL,
  PRIMARY KEY (tenant_id, key)
);

CREATE TABLE unique_keys (
  tenant_id text NOT NULL,
  key       text NOT NULL,
  record_id text NOT NULL,
  PRIMARY KEY (tenant_id, key)
);
CREATE INDEX unique_keys_by_record ON unique_keys (tenant_id, record_id);

-- Outbox. `seq` is the insertion order; `position` is assigned by readOutbox, under the lock of
-- outbox_head, only to committed rows, so positions never go back in time (no message can appear
-- behind a position a relay already acknowledged).
CREATE TABLE outbox (
  seq        bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  position   bigint      UNIQUE,
  tenant_id  text        NOT NULL,
  id         text        NOT NULL,
  record_id  text,
  type       text        NOT NULL,
  payload    jsonb       NOT NULL,
  created_at timestamptz NOT NULL
);
CREATE INDEX outbox_unpositioned ON outbox (seq) WHERE position IS NULL;
CREATE INDEX outbox_by_tenant ON outbox (tenant_id, position);

CREATE TABLE outbox_head (
  singleton     boolean PRIMARY KEY DEFAULT true CHECK (singleton),
  last_position bigint  NOT NULL
);
INSERT INTO outbox_head (singleton, last_position) VALUES (true, 0);
