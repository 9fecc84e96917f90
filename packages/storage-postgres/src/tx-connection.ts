import type { PgPoolClient, PgQueryable, PgQueryConfig, PgQueryResult } from './driver.js';

/**
 * One transaction's connection: sends `BEGIN` with the transaction's first statement and
 * `COMMIT` with its last write. On a `pg` client created with `pipeline: true` (the pools this
 * package opens) each pair goes out without waiting for the first answer, so a transaction costs
 * two round trips fewer; on any other client the statements are sent one after another.
 * A transaction that ran no statement sends nothing.
 *
 * @example
 * ```ts
 * const conn = new TxConnection(await pool.connect())
 * const { rows } = await conn.query('SELECT 1')   // BEGIN; SELECT 1
 * await conn.commit()                              // COMMIT
 * ```
 */
export class TxConnection implements PgQueryable {
  /** Whether `BEGIN` was sent. */
  private begun = false;
  /** Whether queries may be sent before the previous one answered. */
  readonly pipelined: boolean;

  constructor(readonly client: PgPoolClient) {
    this.pipelined = (client as { pipeline?: unknown }).pipeline === true;
  }

  /** Whether the transaction has sent a statement (so it has something to commit or roll back). */
  get started(): boolean {
    return this.begun;
  }

  /** Runs a query in the transaction; the first one is preceded by `BEGIN`. The query is sent before this returns. */
  query<R = Record<string, unknown>>(config: string | PgQueryConfig, values?: unknown[]): Promise<PgQueryResult<R>> {
    if (this.begun) return this.client.query<R>(config, values);
    this.begun = true;
    if (!this.pipelined) return this.client.query('BEGIN').then(() => this.client.query<R>(config, values));
    const [begin, answer] = this.together(() => [this.client.query('BEGIN'), this.client.query<R>(config, values)] as const);
    return Promise.all([begin, answer]).then(([, r]) => r);
  }

  /**
   * Sends what `send` queries in one socket write when the client exposes its socket as pg's
   * clients do (`connection.stream`, corked around the queries); else as `send` writes them.
   */
  private together<T>(send: () => T): T {
    const stream = (this.client as { connection?: { stream?: { cork?: () => void; uncork?: () => void } } }).connection?.stream;
    if (typeof stream?.cork !== 'function' || typeof stream.uncork !== 'function') return send();
    stream.cork();
    try {
      return send();
    } finally {
      stream.uncork();
    }
  }

  /**
   * Commits. `last`, when given, must send the transaction's last write synchronously (before it
   * returns its promise); `COMMIT` follows it at once on a pipelined client, so the write must
   * check itself on the server: if it fails, the server rolls the transaction back at `COMMIT`.
   */
  async commit(last?: () => Promise<unknown>): Promise<void> {
    if (!last) {
      if (this.begun) await this.client.query('COMMIT');
      return;
    }
    if (!this.pipelined) {
      await last();
      await this.client.query('COMMIT');
      return;
    }
    const [write, commit] = await Promise.allSettled(this.together(() => [last(), this.client.query('COMMIT')]));
    if (write.status === 'rejected') throw write.reason;
    if (commit.status === 'rejected') throw commit.reason;
  }

  /** Rolls back (nothing to do when no statement was sent). */
  async rollback(): Promise<void> {
    if (this.begun) await this.client.query('ROLLBACK');
  }
}
