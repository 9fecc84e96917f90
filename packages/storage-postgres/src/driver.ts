/**
 * The structural slice of `pg` the store uses, so the package needs `pg` only as a peer
 * dependency and accepts any compatible pool (a `pg.Pool`, or a wrapper with the same methods).
 */
export interface PgQueryResult<R = Record<string, unknown>> {
  rows: R[];
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
  query<R = Record<string, unknown>>(textOrConfig: string | PgQueryConfig, values?: unknown[]): Promise<PgQueryResult<R>>;
}

/** A client checked out of a pool (one connection). */
export interface PgPoolClient extends PgQueryable {
  release(error?: Error | boolean): void;
}

/** A `pg.Pool` compatible pool. */
export interface PgPool extends PgQueryable {
  connect(): Promise<PgPoolClient>;
  end(): Promise<void>;
}

/** A `pg.Client` compatible single connection (used for LISTEN). */
export interface PgClient extends PgQueryable {
  connect(): Promise<unknown>;
  end(): Promise<void>;
  on(event: 'notification', listener: (message: { channel: string; payload?: string }) => void): unknown;
  on(event: 'error', listener: (error: Error) => void): unknown;
}
