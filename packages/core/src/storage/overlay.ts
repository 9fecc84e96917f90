/**
 * The writes of one memory-store transaction over a committed map: reads see the transaction's
 * own writes first, then the committed values; `commit()` applies the writes, and a rollback is
 * simply dropping the overlay. Nothing committed is touched before `commit()`.
 */
const DELETED = Symbol('deleted');

export class Overlay<V> {
  /** The transaction's writes (made on the first write: most transactions write few maps). */
  private writes: Map<string, V | typeof DELETED> | undefined;

  constructor(private readonly base: Map<string, V>) {}

  get(key: string): V | undefined {
    const w = this.writes?.get(key);
    if (w === DELETED) return undefined;
    return w !== undefined ? w : this.base.get(key);
  }

  has(key: string): boolean {
    return this.get(key) !== undefined;
  }

  set(key: string, value: V): void {
    (this.writes ??= new Map()).set(key, value);
  }

  delete(key: string): void {
    (this.writes ??= new Map()).set(key, DELETED);
  }

  /** Every (key, value) as the transaction sees it: committed entries not overwritten, then its own. */
  *entries(): IterableIterator<[string, V]> {
    const writes = this.writes;
    for (const [k, v] of this.base) if (!writes?.has(k)) yield [k, v];
    for (const [k, v] of writes ?? []) if (v !== DELETED) yield [k, v];
  }

  *values(): IterableIterator<V> {
    for (const [, v] of this.entries()) yield v;
  }

  /** Applies the transaction's writes to the committed map. */
  commit(): void {
    for (const [k, v] of this.writes ?? []) {
      if (v === DELETED) this.base.delete(k);
      else this.base.set(k, v);
    }
  }
}
