import { DealflowError } from '@dealflow/core';
import type { SqliteDatabase, SqliteStatement } from './driver.js';

interface Member {
  value: unknown;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

/**
 * Group commit: transactions that run back to back (queued behind each other) share one SQLite
 * transaction and one COMMIT. The first member opens it with `BEGIN IMMEDIATE`, each later member
 * runs inside a `SAVEPOINT`, so a failing member rolls back only its own writes. A member's caller
 * is answered only after the COMMIT that holds its writes succeeded: a resolved transaction is
 * committed, exactly as without grouping; if the COMMIT fails, every member of the group fails.
 *
 * Most of a transition's cost on SQLite is the COMMIT writing each changed page to the WAL; the
 * members of a group mostly change the same pages (records page, index tails, outbox), so the
 * group writes them once.
 */
export class GroupCommit {
  private members: Member[] = [];
  private readonly begin: SqliteStatement;
  private readonly commit: SqliteStatement;
  private readonly rollback: SqliteStatement;
  private readonly savepoint: SqliteStatement;
  private readonly release: SqliteStatement;
  private readonly rollbackTo: SqliteStatement;

  constructor(
    private readonly db: SqliteDatabase,
    private readonly wrap: (error: unknown, what: string) => unknown,
    /** Called after each successful COMMIT. */
    private readonly afterCommit?: () => void,
  ) {
    this.begin = db.prepare('BEGIN IMMEDIATE');
    this.commit = db.prepare('COMMIT');
    this.rollback = db.prepare('ROLLBACK');
    this.savepoint = db.prepare('SAVEPOINT dealflow_member');
    this.release = db.prepare('RELEASE dealflow_member');
    this.rollbackTo = db.prepare('ROLLBACK TO dealflow_member');
  }

  /** How many finished transactions wait for the group's COMMIT. */
  get size(): number {
    return this.members.length;
  }

  /** Starts a member: opens the group's transaction, or a savepoint inside the open one. */
  start(): void {
    if (this.members.length === 0) this.begin.run();
    else this.savepoint.run();
  }

  /** The member's work succeeded: its caller gets `value` when the group commits. */
  succeed(value: unknown, resolve: (value: unknown) => void, reject: (error: unknown) => void): void {
    if (this.members.length > 0) this.release.run();
    this.members.push({ value, resolve, reject });
  }

  /** The member's work failed: undoes its writes only (the earlier members keep theirs). */
  fail(): void {
    if (this.members.length === 0) {
      if (this.db.inTransaction) this.rollback.run();
      return;
    }
    if (!this.db.inTransaction) {
      // SQLite itself rolled the whole transaction back (I/O error, disk full…): the earlier members' writes are gone too
      this.abort(new DealflowError('STORAGE', 'SQLite rolled back the transaction of a commit group after an error in one of its transactions; nothing of the group was written'));
      return;
    }
    try {
      this.rollbackTo.run();
      this.release.run();
    } catch (error) {
      this.abort(this.wrap(error, 'ROLLBACK TO SAVEPOINT'));
    }
  }

  /** Commits the open group, if any, then answers its members (or fails them all if COMMIT fails). */
  flush(): void {
    if (this.members.length === 0) return;
    const members = this.members;
    this.members = [];
    try {
      this.commit.run();
    } catch (error) {
      this.rollbackQuietly();
      const failure = this.wrap(error, 'COMMIT');
      for (const m of members) m.reject(failure);
      return;
    }
    for (const m of members) m.resolve(m.value);
    this.afterCommit?.();
  }

  private abort(error: unknown): void {
    const members = this.members;
    this.members = [];
    this.rollbackQuietly();
    for (const m of members) m.reject(error);
  }

  /** Ends the open transaction, if SQLite has not already; the members are answered either way. */
  private rollbackQuietly(): void {
    try {
      if (this.db.inTransaction) this.rollback.run();
    } catch {
      // nothing of the group is committed; the members' error is the one to report
    }
  }
}
