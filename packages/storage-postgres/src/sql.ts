/** Table names qualified with the store's schema. */
export interface Tables {
  records: string; history: string; timers: string; idempotency: string; counters: string;
  uniqueKeys: string; outbox: string; outboxHead: string; tasks: string;
  /** The schema's `dealflow_check` function (migration 0002), which fails a batched write whose row counts are wrong. */
  check: string;
  /** Channel for NOTIFY on new timers, or null when notifications are off. */
  notifyChannel: string | null;
}

/**
 * Tables of a schema (already quoted, see `quoteSchema`).
 *
 * @example
 * ```ts
 * tables('"dealflow"', null).records // '"dealflow".records'
 * ```
 */
export function tables(quotedSchema: string, notifyChannel: string | null): Tables {
  const q = quotedSchema;
  return {
    records: `${q}.records`, history: `${q}.history`, timers: `${q}.timers`, idempotency: `${q}.idempotency`,
    counters: `${q}.counters`, uniqueKeys: `${q}.unique_keys`, outbox: `${q}.outbox`, outboxHead: `${q}.outbox_head`, tasks: `${q}.tasks`,
    check: `${q}.dealflow_check`, notifyChannel,
  };
}

const TIMER_ROWS = `jsonb_to_recordset($2::jsonb) AS x(id text, record_id text, kind text, key text, due_at timestamptz, event text,
  payload jsonb, stage text, record_version integer, attempts integer, created_at timestamptz)`;

/**
 * The insert without its `ON CONFLICT … DO NOTHING`: a taken key raises a unique violation (23505)
 * instead of skipping the row, which spares PostgreSQL the speculative insertion.
 */
function strict(text: string): string {
  const out = text.replace(/\s+ON CONFLICT (\(tenant_id, id\) )?DO NOTHING RETURNING 1$/, ' RETURNING 1');
  if (out === text) throw new Error('statements: no ON CONFLICT … DO NOTHING clause to drop');
  return out;
}

/** The claim of due and lease-expired timers, optionally of one tenant (see `claimDueTimers`). */
function claimDue(t: Tables, tenant: string): string {
  return `WITH clock AS (SELECT coalesce($1::timestamptz, now()) AS at), due AS (
       SELECT tenant_id, id, due_at FROM ${t.timers}
       WHERE status = 'pending' AND due_at <= (SELECT at FROM clock)${tenant}
       ORDER BY due_at LIMIT $2 FOR UPDATE SKIP LOCKED
     ), expired AS (
       SELECT tenant_id, id, due_at FROM ${t.timers}
       WHERE status = 'claimed' AND lease_until <= (SELECT at FROM clock)${tenant}
       ORDER BY lease_until LIMIT $2 FOR UPDATE SKIP LOCKED
     ), pick AS (
       SELECT * FROM (SELECT * FROM due UNION ALL SELECT * FROM expired) AS u ORDER BY due_at LIMIT $2
     )
     UPDATE ${t.timers} AS tm SET status = 'claimed', lease_owner = $3,
       lease_until = (SELECT at FROM clock) + $4::double precision * interval '1 millisecond', attempts = tm.attempts + 1
     FROM pick WHERE tm.tenant_id = pick.tenant_id AND tm.id = pick.id
     RETURNING tm.*`;
}

/**
 * The fixed statement texts of one store, built once: a statement's text is then the same string
 * object on every call, so naming it for the prepared-statement cache costs a map lookup.
 * Every statement is parameterized and keyed by tenant (`$1` is the tenant in the writes).
 *
 * The many-row writes that join their input to a table (`updateRecords`, `replaceTimers`,
 * `cancelTimersOf`, `completeTimers`) find their rows one by one through a correlated look-up on
 * the row's own key (`tenant_id` with `id` or `record_id`) that checks every condition and locks
 * the row (`FOR UPDATE`: a row another transaction changed meanwhile is re-checked in its latest
 * version), and update exactly those rows by `ctid` (they are locked, so it holds). Only the key
 * look-ups touch an index, so the table is probed by its key whatever its statistics say. Right
 * after a bulk load, before any ANALYZE, the planner believes the table is tiny, and a join on the
 * tenant alone read every row of the tenant in each batch.
 *
 * @example
 * ```ts
 * const sql = statements(tables('"dealflow"', null))
 * await client.query({ name: 'get', text: sql.getRecord, values: [tenantId, id] })
 * ```
 */
/** Timers of the records in $2 (tenant $1) whose status passes `status` (a condition on `a`), by record and due time. */
function timersOf(t: Tables, status: string): string {
  return `SELECT t.* FROM (SELECT DISTINCT k FROM unnest($2::text[]) AS u(k)) u
       CROSS JOIN LATERAL (SELECT * FROM ${t.timers} a WHERE a.tenant_id = $1 AND a.record_id = u.k AND ${status} OFFSET 0) t
       ORDER BY t.record_id, t.due_at, t.id`;
}

export function statements(t: Tables) {
  const sql = {
    /**
     * Claims due timers ($1 the instant, or null for the database's clock; $2 limit, $3 worker, $4
     * lease in ms; `OfTenant`: $5 the tenant): the picks read the due-time and lease indexes in
     * order up to the limit, the update finds the picked rows by their key.
     */
    claimDueTimers: claimDue(t, ''),
    claimDueTimersOfTenant: claimDue(t, ' AND tenant_id = $5'),
    getRecord: `SELECT * FROM ${t.records} WHERE tenant_id = $1 AND id = $2`,
    /** A record's task rows become exactly those of $3 (one statement: delete the others, upsert these). */
    replaceTasks: `WITH x AS (
         SELECT * FROM jsonb_to_recordset($3::jsonb) AS x(id text, record_type text, kind text, title text, owner_id text, team_id text, status text, due_at timestamptz)
       ), gone AS (
         DELETE FROM ${t.tasks} WHERE tenant_id = $1 AND record_id = $2 AND id <> ALL (SELECT id FROM x)
       )
       INSERT INTO ${t.tasks} (tenant_id, record_id, id, record_type, kind, title, owner_id, team_id, status, due_at)
       SELECT $1, $2, id, record_type, kind, title, owner_id, team_id, status, due_at FROM x
       ON CONFLICT (tenant_id, record_id, id) DO UPDATE SET record_type = excluded.record_type, kind = excluded.kind, title = excluded.title,
         owner_id = excluded.owner_id, team_id = excluded.team_id, status = excluded.status, due_at = excluded.due_at`,
    listTasks: `SELECT * FROM ${t.tasks} WHERE tenant_id = $1 AND record_id = $2 ORDER BY due_at IS NULL, due_at, id`,
    getRecordForUpdate: `SELECT * FROM ${t.records} WHERE tenant_id = $1 AND id = $2 FOR UPDATE`,
    /**
     * The record locked, with its active timers ([id, kind, key, stage] each) and the version the
     * statement's snapshot has: when the lock waited for another transaction, that version is older
     * than the locked row's and the timers may be out of date too.
     */
    lockRecordWithTimers: `SELECT *,
         (SELECT json_agg(json_build_array(x.id, x.kind, x.key, x.stage)) FROM ${t.timers} x
          WHERE x.tenant_id = $1 AND x.record_id = $2 AND x.status IN ('pending', 'claimed')) AS dealflow_active_timers,
         (SELECT s.version FROM ${t.records} s WHERE s.tenant_id = $1 AND s.id = $2) AS dealflow_snapshot_version
       FROM ${t.records} WHERE tenant_id = $1 AND id = $2 FOR UPDATE`,
    /**
     * Records of an id array ($2); the locking variant for a batch (locks in id order). Each id is
     * looked up on its own through the primary key (a lateral subquery the planner cannot flatten:
     * `OFFSET 0`, `FOR UPDATE`). As `tenant_id = $1 AND id = ANY($2)` the statement's cached generic
     * plan, made while the table was small and never analysed, read the whole tenant by `tenant_id`
     * with the ids as a filter — every batch of an import scanned every record imported before it.
     */
    getRecords: `SELECT r.* FROM (SELECT DISTINCT k COLLATE "C" AS k FROM unnest($2::text[]) AS u(k)) u
       CROSS JOIN LATERAL (SELECT * FROM ${t.records} x WHERE x.tenant_id = $1 AND x.id = u.k OFFSET 0) r`,
    getRecordsForUpdate: `SELECT r.* FROM (SELECT DISTINCT k COLLATE "C" AS k FROM unnest($2::text[]) AS u(k) ORDER BY 1) u
       CROSS JOIN LATERAL (SELECT * FROM ${t.records} x WHERE x.tenant_id = $1 AND x.id = u.k FOR UPDATE) r
       ORDER BY r.id`,
    /** Many records in one statement: one array per column, zipped by unnest ($2 ids … $13 updated). */
    insertRecords: `INSERT INTO ${t.records} (tenant_id, id, type, blueprint_id, blueprint_version, stage, version, fields, owner_id, team_id, meta,
        stage_entered_at, created_at, updated_at)
       SELECT $1, x.id, x.type, x.blueprint_id, x.blueprint_version, x.stage, 1, x.fields::jsonb, x.owner_id, x.team_id, x.meta::jsonb,
         x.stage_entered_at, x.created_at, x.updated_at
       FROM unnest($2::text[], $3::text[], $4::text[], $5::int[], $6::text[], $7::text[], $8::text[], $9::text[], $10::text[],
         $11::timestamptz[], $12::timestamptz[], $13::timestamptz[])
         AS x(id, type, blueprint_id, blueprint_version, stage, fields, owner_id, team_id, meta, stage_entered_at, created_at, updated_at)
       ON CONFLICT (tenant_id, id) DO NOTHING RETURNING 1`,
    /** The first id of an insertRecords batch that already exists (explains its CONFLICT; evaluated only then). */
    insertRecordsInfo: `(SELECT min(x) FROM unnest($2::text[]) AS x WHERE EXISTS (SELECT 1 FROM ${t.records} r WHERE r.tenant_id = $1 AND r.id = x))`,
    recordVersion: `SELECT version FROM ${t.records} WHERE tenant_id = $1 AND id = $2`,
    /** The history of many records, in the order of their ids in $2, each in seq order. */
    listHistories: `SELECT h.* FROM unnest($2::text[]) WITH ORDINALITY AS x(id, n)
       CROSS JOIN LATERAL (SELECT * FROM ${t.history} y WHERE y.tenant_id = $1 AND y.record_id = x.id ORDER BY y.seq OFFSET 0) h
       ORDER BY x.n, h.seq`,
    listHistory: `SELECT * FROM ${t.history} WHERE tenant_id = $1 AND record_id = $2 AND seq > $3 ORDER BY seq LIMIT $4`,
    insertRecord: `INSERT INTO ${t.records} (tenant_id, id, type, blueprint_id, blueprint_version, stage, version, fields, owner_id, team_id, meta,
        stage_entered_at, created_at, updated_at)
       VALUES ($1, $2, $3, $4, $5, $6, 1, $7::jsonb, $8, $9, $10::jsonb, $11::timestamptz, $12::timestamptz, $13::timestamptz)
       ON CONFLICT (tenant_id, id) DO NOTHING RETURNING 1`,
    updateRecord: `UPDATE ${t.records} SET type = $3, blueprint_id = $4, blueprint_version = $5, stage = $6, version = $7, fields = $8::jsonb,
        owner_id = $9, team_id = $10, meta = $11::jsonb, stage_entered_at = $12::timestamptz, created_at = $13::timestamptz,
        updated_at = $14::timestamptz
       WHERE tenant_id = $1 AND id = $2 AND version = $15 RETURNING 1`,
    /** Many updateRecord calls in one statement (each record once), each at its expected version ($15). */
    updateRecords: `UPDATE ${t.records} r SET type = x.type, blueprint_id = x.blueprint_id, blueprint_version = x.blueprint_version, stage = x.stage,
        version = x.version, fields = x.fields::jsonb, owner_id = x.owner_id, team_id = x.team_id, meta = x.meta::jsonb,
        stage_entered_at = x.stage_entered_at, created_at = x.created_at, updated_at = x.updated_at
       FROM unnest($2::text[], $3::text[], $4::text[], $5::int[], $6::text[], $7::int[], $8::text[], $9::text[], $10::text[], $11::text[],
         $12::timestamptz[], $13::timestamptz[], $14::timestamptz[], $15::int[])
         AS x(id, type, blueprint_id, blueprint_version, stage, version, fields, owner_id, team_id, meta, stage_entered_at, created_at, updated_at, expected)
       WHERE r.ctid = ANY(ARRAY(SELECT (SELECT r0.ctid FROM ${t.records} r0 WHERE r0.tenant_id = $1 AND r0.id = u.id AND r0.version = u.expected
           FOR UPDATE) FROM unnest($2::text[], $15::int[]) AS u(id, expected)))
         AND r.id = x.id RETURNING 1`,
    /** The first record of an updateRecords batch not at its expected version (explains its CONFLICT; evaluated only then). */
    updateRecordsInfo: `(SELECT min(x.id) FROM unnest($2::text[], $15::int[]) AS x(id, expected)
       WHERE NOT EXISTS (SELECT 1 FROM ${t.records} r WHERE r.tenant_id = $1 AND r.id = x.id AND r.version = x.expected))`,
    /** The stored version of the record `updateRecord` names (explains its CONFLICT; evaluated only then). */
    updateRecordInfo: `(SELECT version FROM ${t.records} WHERE tenant_id = $1 AND id = $2)::text`,
    // insert only when seq is the next one
    appendOneHistory: `INSERT INTO ${t.history} (tenant_id, record_id, seq, id, at, kind, event, from_stage, to_stage, actor_id, data)
         SELECT $1, $2, $3, $4, $5::timestamptz, $6, $7, $8, $9, $10, $11::jsonb
         WHERE (SELECT COALESCE(max(seq), 0) FROM ${t.history} WHERE tenant_id = $1 AND record_id = $2) = $3::int - 1
         ON CONFLICT DO NOTHING RETURNING 1`,
    /**
     * Many events checked on the server: each event's seq must follow its record's last stored seq
     * by its place among the record's events of the call (`ord` keeps the call's order). An event
     * whose seq equals its place (a record's first events, as every create writes) skips the lookup
     * of the last stored seq: stored seqs run 1, 2, 3… without gaps, so if the record has history the
     * event collides with a stored seq, is not inserted and the call's count check fails it.
     */
    appendHistoryChecked: `INSERT INTO ${t.history} (tenant_id, record_id, seq, id, at, kind, event, from_stage, to_stage, actor_id, data)
       SELECT $1, x.record_id, x.seq, x.id, x.at, x.kind, x.event, x.from_stage, x.to_stage, x.actor_id, x.data
       FROM (SELECT y.*, row_number() OVER (PARTITION BY y.record_id ORDER BY y.ord) AS rn
         FROM jsonb_to_recordset($2::jsonb) AS y(ord integer, record_id text, seq integer, id text, at timestamptz, kind text, event text,
           from_stage text, to_stage text, actor_id text, data jsonb)) x
       WHERE x.seq = x.rn + CASE WHEN x.seq = x.rn THEN 0
         ELSE COALESCE((SELECT max(h.seq) FROM ${t.history} h WHERE h.tenant_id = $1 AND h.record_id = x.record_id), 0) END
       ON CONFLICT DO NOTHING RETURNING 1`,
    /**
     * appendHistory of events that are each their record's first, second… event of the call (seq equal
     * to the place among the record's events): a plain insert, a unique violation when a record has
     * history already or an id is taken (a strict part, see `Deferred.strict`).
     */
    appendFreshHistory: `INSERT INTO ${t.history} (tenant_id, record_id, seq, id, at, kind, event, from_stage, to_stage, actor_id, data)
       SELECT $1, x.record_id, x.seq, x.id, x.at, x.kind, x.event, x.from_stage, x.to_stage, x.actor_id, x.data
       FROM jsonb_to_recordset($2::jsonb) AS x(record_id text, seq integer, id text, at timestamptz, kind text, event text,
         from_stage text, to_stage text, actor_id text, data jsonb) RETURNING 1`,
    // scheduleTimers of one timer: $1 tenant, $2 id, $3 record, $4 kind, $5 key, $6 due, $7 event, $8 payload, $9 stage,
    // $10 record version, $11 attempts, $12 created (a keyed timer replaces the active one of its record and key,
    // found through timers_active_by_record)
    replaceOneTimer: `UPDATE ${t.timers} SET status = 'cancelled', finished_at = $12::timestamptz, lease_owner = NULL, lease_until = NULL,
         outcome = 'replaced'
       WHERE tenant_id = $1 AND record_id = $3 AND key = $5 AND status IN ('pending', 'claimed') RETURNING 1`,
    insertOneTimer: `INSERT INTO ${t.timers} (tenant_id, id, record_id, kind, key, due_at, event, payload, stage, record_version, status,
         attempts, created_at)
       VALUES ($1, $2, $3, $4, $5, $6::timestamptz, $7, $8::jsonb, $9, $10, 'pending', $11, $12::timestamptz)
       ON CONFLICT DO NOTHING RETURNING 1`,
    // scheduleTimers of several timers: $1 tenant, $2 the timers as a JSON array
    replaceTimers: `UPDATE ${t.timers} t SET status = 'cancelled', finished_at = x.created_at, lease_owner = NULL, lease_until = NULL,
         outcome = 'replaced'
       FROM ${TIMER_ROWS}
       WHERE t.ctid = ANY(ARRAY(SELECT a.ctid FROM jsonb_to_recordset($2::jsonb) AS y(record_id text, key text)
           CROSS JOIN LATERAL (SELECT a.ctid FROM ${t.timers} a WHERE a.tenant_id = $1 AND a.record_id = y.record_id AND a.key = y.key
             AND a.status IN ('pending', 'claimed') FOR UPDATE) a))
         AND t.record_id = x.record_id AND t.key = x.key RETURNING 1`,
    insertTimers: `INSERT INTO ${t.timers} (tenant_id, id, record_id, kind, key, due_at, event, payload, stage, record_version, status,
         lease_owner, lease_until, attempts, created_at, finished_at, outcome)
       SELECT $1, id, record_id, kind, key, due_at, event, payload, stage, record_version, 'pending', NULL, NULL, attempts, created_at, NULL, NULL
       FROM ${TIMER_ROWS} ON CONFLICT DO NOTHING RETURNING 1`,
    /** NOTIFY of scheduled timers, after one timer's 12 parameters or several timers' 2. */
    notifyAfterOneTimer: 'SELECT pg_notify($13, $14)',
    notifyAfterTimers: 'SELECT pg_notify($3, $4)',
    cancelTimers: `UPDATE ${t.timers} SET status = 'cancelled', finished_at = now(), lease_owner = NULL, lease_until = NULL, outcome = 'cancelled'
       WHERE tenant_id = $1 AND record_id = $2 AND status IN ('pending', 'claimed')
         AND ($3::text[] IS NULL OR kind = ANY($3::text[])) AND ($4::text[] IS NULL OR key = ANY($4::text[]))
         AND ($5::text IS NULL OR stage = $5::text) RETURNING 1`,
    /** Many cancelTimers calls in one statement: $2 is a JSON array of { r, kinds, keys, stage } (null: no filter). */
    cancelTimersOf: `UPDATE ${t.timers} t SET status = 'cancelled', finished_at = now(), lease_owner = NULL, lease_until = NULL, outcome = 'cancelled'
       FROM jsonb_to_recordset($2::jsonb) AS x(r text, kinds text[], keys text[], stage text)
       WHERE t.ctid = ANY(ARRAY(SELECT a.ctid FROM jsonb_to_recordset($2::jsonb) AS y(r text)
           CROSS JOIN LATERAL (SELECT a.ctid FROM ${t.timers} a WHERE a.tenant_id = $1 AND a.record_id = y.r AND a.status IN ('pending', 'claimed')
             FOR UPDATE) a))
         AND t.record_id = x.r
         AND (x.kinds IS NULL OR t.kind = ANY(x.kinds)) AND (x.keys IS NULL OR t.key = ANY(x.keys))
         AND (x.stage IS NULL OR t.stage = x.stage) RETURNING 1`,
    /** Many completeTimer calls in one statement: claimed by the worker ($5 not null), or pending ($5 null). */
    completeTimers: `UPDATE ${t.timers} t SET status = 'done', outcome = x.outcome, finished_at = x.at,
        lease_until = CASE WHEN x.worker IS NULL THEN t.lease_until ELSE NULL END
       FROM unnest($2::text[], $3::text[], $4::timestamptz[], $5::text[]) AS x(id, outcome, at, worker)
       WHERE t.ctid = ANY(ARRAY(SELECT (SELECT a.ctid FROM ${t.timers} a WHERE a.tenant_id = $1 AND a.id = u.id FOR UPDATE)
           FROM unnest($2::text[]) AS u(id)))
         AND t.id = x.id
         AND ((x.worker IS NULL AND t.status = 'pending') OR (x.worker IS NOT NULL AND t.status = 'claimed' AND t.lease_owner = x.worker)) RETURNING 1`,
    /** The timers of a completeTimers call that it did not complete (asked only when its count fell short). */
    completeTimersLost: `SELECT x.id FROM unnest($2::text[], $3::text[], $4::timestamptz[]) AS x(id, outcome, at)
       WHERE NOT EXISTS (SELECT 1 FROM ${t.timers} t WHERE t.tenant_id = $1 AND t.id = x.id AND t.status = 'done' AND t.outcome = x.outcome AND t.finished_at = x.at)`,
    listTimers: `SELECT * FROM ${t.timers} WHERE tenant_id = $1 AND record_id = $2 AND ($3::text[] IS NULL OR status = ANY($3::text[]))
       ORDER BY due_at, id`,
    /**
     * The timers of many records ($2), all statuses or those in $3, each record's by due time; each
     * id a look-up on the record index (as getRecords, so no cached generic plan scans the tenant).
     */
    listTimersOf: timersOf(t, '($3::text[] IS NULL OR a.status = ANY($3::text[]))'),
    /** listTimersOf for active statuses only: the partial index of active timers holds them. */
    listActiveTimersOf: timersOf(t, "a.status IN ('pending', 'claimed') AND a.status = ANY($3::text[])"),
    getTimer: `SELECT * FROM ${t.timers} WHERE tenant_id = $1 AND id = $2`,
    completePendingTimer: `UPDATE ${t.timers} SET status = 'done', outcome = $3, finished_at = $4::timestamptz
       WHERE tenant_id = $1 AND id = $2 AND status = 'pending' RETURNING 1`,
    completeClaimedTimer: `UPDATE ${t.timers} SET status = 'done', outcome = $3, finished_at = $4::timestamptz, lease_until = NULL
       WHERE tenant_id = $1 AND id = $2 AND status = 'claimed' AND lease_owner = $5 RETURNING 1`,
    getIdempotency: `SELECT fingerprint, result FROM ${t.idempotency} WHERE tenant_id = $1 AND key = $2`,
    putIdempotency: `INSERT INTO ${t.idempotency} (tenant_id, key, fingerprint, result, at) VALUES ($1, $2, $3, $4::jsonb, $5::timestamptz)
       ON CONFLICT DO NOTHING RETURNING 1`,
    incrementCounter: `INSERT INTO ${t.counters} (tenant_id, key, value) VALUES ($1, $2, $3)
       ON CONFLICT (tenant_id, key) DO UPDATE SET value = ${t.counters}.value + excluded.value RETURNING value`,
    getCounter: `SELECT value FROM ${t.counters} WHERE tenant_id = $1 AND key = $2`,
    setCounter: `INSERT INTO ${t.counters} (tenant_id, key, value) VALUES ($1, $2, $3)
       ON CONFLICT (tenant_id, key) DO UPDATE SET value = excluded.value RETURNING 1`,
    claimUniqueKeys: `INSERT INTO ${t.uniqueKeys} (tenant_id, key, record_id) SELECT $1, k, $2 FROM unnest($3::text[]) AS k
       ON CONFLICT DO NOTHING RETURNING key`,
    uniqueKeyHolders: `SELECT h.key, h.record_id FROM (SELECT DISTINCT k FROM unnest($2::text[]) AS u(k)) u
       CROSS JOIN LATERAL (SELECT key, record_id FROM ${t.uniqueKeys} x WHERE x.tenant_id = $1 AND x.key = u.k AND x.record_id <> $3 OFFSET 0) h`,
    releaseUniqueKeys: `DELETE FROM ${t.uniqueKeys} WHERE tenant_id = $1 AND record_id = $2 AND ($3::text[] IS NULL OR key = ANY($3::text[]))`,
    findUniqueKey: `SELECT record_id FROM ${t.uniqueKeys} WHERE tenant_id = $1 AND key = $2`,
    appendOutbox: `INSERT INTO ${t.outbox} (tenant_id, id, record_id, type, payload, created_at)
       SELECT $1, x.id, x.record_id, x.type, x.payload, x.created_at
       FROM ROWS FROM (jsonb_to_recordset($2::jsonb) AS (id text, record_id text, type text, payload jsonb, created_at timestamptz))
         WITH ORDINALITY AS x(id, record_id, type, payload, created_at, n)
       ORDER BY x.n RETURNING 1`,
    appendOneOutbox: `INSERT INTO ${t.outbox} (tenant_id, id, record_id, type, payload, created_at)
       VALUES ($1, $2, $3, $4, $5::jsonb, $6::timestamptz) RETURNING 1`,
  };
  return {
    ...sql,
    /** insertRecords raising a unique violation on a taken id (a strict part, see `Deferred.strict`). */
    insertRecordsStrict: strict(sql.insertRecords),
    /** insertTimers raising a unique violation on a taken id (a strict part, see `Deferred.strict`). */
    insertTimersStrict: strict(sql.insertTimers),
  };
}

/** The statement texts of a store. */
export type Statements = ReturnType<typeof statements>;
