-- Dealflow PostgreSQL schema, version 2: faster transitions.
-- Applied by migrate() with search_path set to the target schema.

-- A store batches a transaction's writes into one statement and sends COMMIT right behind it, so
-- the row counts those writes must have (one record updated at the expected version, one history
-- event appended, ...) are checked on the server: a wrong count raises DF409 and the transaction
-- rolls back whole. The detail carries the counts and what explains them, for the store's error.
CREATE FUNCTION dealflow_check(got integer[], want integer[], info text[]) RETURNS boolean
LANGUAGE plpgsql AS $$
BEGIN
  IF got IS DISTINCT FROM want THEN
    RAISE EXCEPTION 'dealflow: a batched write did not write the rows it must (got %, want %)', got, want
      USING ERRCODE = 'DF409', DETAIL = json_build_object('got', got, 'info', info)::text;
  END IF;
  RETURN true;
END
$$;

-- Active timers by (record, key): a keyed timer replaces the active timer of its record and key
-- through this index (timers_by_record had to read every active timer of the tenant for it), and
-- cancelTimers finds a record's active timers by its prefix, so it replaces timers_by_record.
CREATE INDEX timers_active_by_record ON timers (tenant_id, record_id, key) WHERE status IN ('pending', 'claimed');
DROP INDEX timers_by_record;
