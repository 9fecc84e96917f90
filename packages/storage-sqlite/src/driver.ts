/**
 * The small structural slice of a better-sqlite3 `Database` that the store uses (as kysely does),
 * so the package needs the driver only as a peer dependency and accepts any compatible object.
 */
export interface SqliteStatement {
  /** Executes a write with positional parameters. */
  run(...params: unknown[]): {
    /** Rows inserted, updated or deleted. */
    changes: number;
    /** Row id of the last inserted row. */
    lastInsertRowid: number | bigint;
  };
  /** The first row the query returns, or `undefined`. */
  get(...params: unknown[]): unknown;
  /** Every row the query returns. */
  all(...params: unknown[]): unknown[];
}

/** A better-sqlite3 compatible database handle. */
export interface SqliteDatabase {
  /** Compiles one SQL statement (the store caches what it prepares). */
  prepare(sql: string): SqliteStatement;
  /** Runs SQL text without parameters (schema, pragmas, BEGIN/COMMIT). */
  exec(sql: string): unknown;
  /** Closes the connection. */
  close(): unknown;
  /** Whether a transaction is open on this connection. */
  readonly inTransaction: boolean;
}
