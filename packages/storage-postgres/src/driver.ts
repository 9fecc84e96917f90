/**
 * The structural slice of `pg` the store uses, so the package needs `pg` only as a peer
 * dependency and accepts any compatible pool (a `pg.Pool`, or a wrapper with the same methods).
 */
export interface PgQueryResult<R = Record<string, unknown>> {
  /** The rows returned. */
  rows: R[];
  /** Rows the statement returned or changed (null for statements without a count). */
  rowCount: number | null;
}

/** A query with an optional statement name (named statements are prepared once per connection). */
export interface PgQueryConfig {
  text: string;
  values?: unknown[];
  name?: string;
}

/** Anything that runs a parameterized query. */
export interface PgQueryable {
  /** Runs one statement with `$1…` parameters. */
  query<R = Record<string, unknown>>(textOrConfig: string | PgQueryConfig, values?: unknown[]): Promise<PgQueryResult<R>>;
}

/** A client checked out of a pool (one connection). */
export interface PgPoolClient extends PgQueryable {
  /** Returns the connection to the pool; with an error, the pool discards it instead. */
  release(error?: Error | boolean): void;
}

/** A `pg.Pool` compatible pool. */
export interface PgPool extends PgQueryable {
  /** Checks one connection out (for a transaction); release it when done. */
  connect(): Promise<PgPoolClient>;
  /** Closes every connection of the pool. */
  end(): Promise<void>;
}

/** A `pg.Client` compatible single connection (used for LISTEN). */
export interface PgClient extends PgQueryable {
  /** Opens the connection. */
  connect(): Promise<unknown>;
  /** Closes the connection. */
  end(): Promise<void>;
  /** Calls `listener` for each NOTIFY on a channel this connection LISTENs to. */
  on(event: 'notification', listener: (message: { channel: string; payload?: string }) => void): unknown;
  /** Calls `listener` when the connection fails. */
  on(event: 'error', listener: (error: Error) => void): unknown;
}
