import type { DealflowError } from '@dealflow/core/storage';

/**
 * A queued write: data-modifying statements (each `RETURNING 1`, over the shared `values`), the
 * row counts they must write, and the error when they do not.
 */
export interface Deferred {
  /** Names the statement texts, the number of values and `want`: equal keys, equal statements. */
  key: string;
  what: string;
  tables: readonly string[];
  parts: readonly string[];
  values: unknown[];
  /**
   * The parts as they run inside a composed statement, where a failure fails the transaction anyway:
   * the same writes with a taken key raising a unique violation (23505, answered by {@link Deferred.fail})
   * instead of skipping the row for the count check to see. PostgreSQL then inserts without
   * speculative insertion. Same length as `parts`; a write that runs alone keeps `parts`, so its
   * transaction stays usable after a CONFLICT.
   */
  strict?: readonly string[];
  /** Rows each part must write (null: not checked). */
  want: readonly (number | null)[];
  /** SQL over this item's values that explains a failed check; evaluated only then, in the same statement. */
  info?: string;
  /**
   * The error for counts that differ from `want` (-1 for unchecked parts). `info` is the value of
   * {@link Deferred.info}, or undefined when the write ran alone (the transaction is then still
   * usable for a read).
   */
  fail: (counts: number[], info: string | null | undefined) => DealflowError | Promise<DealflowError>;
  /**
   * Which timer rows a foretold timer write touches, so writes of the timers table that touch
   * different rows may share a statement (see {@link clash}): a cancel (the ids and (record, key)s
   * of the timers it cancels), a schedule (the ids it inserts, the (record, key)s it replaces), a
   * complete (the id and (record, key) of its timer).
   */
  timers?: { write: 'cancel' | 'schedule' | 'complete'; ids: string[]; keys: string[] };
}

/**
 * Whether `item` may not share a statement with the queued `q`. Two writes of one table may not
 * (they see the same snapshot: the later would miss the earlier's rows), except timer writes that
 * provably touch different rows, in the order a transition makes them: a foretold cancel, then a
 * schedule that replaces none of the cancelled (record, key)s, then a complete of another timer.
 */
export function clash(q: Deferred, item: Pick<Deferred, 'tables' | 'timers'>): boolean {
  if (!q.tables.some((t) => item.tables.includes(t))) return false;
  const a = q.timers;
  const b = item.timers;
  if (!a || !b) return true;
  const disjoint = (x: string[], y: string[]) => !x.some((k) => y.includes(k));
  if (a.write === 'cancel' && b.write === 'schedule') return !disjoint(a.keys, b.keys);
  if (a.write === 'cancel' && b.write === 'complete') return !disjoint(a.ids, b.ids);
  if (a.write === 'schedule' && b.write === 'complete') return !disjoint(a.ids, b.ids) || !disjoint(a.keys, b.keys);
  return true;
}
