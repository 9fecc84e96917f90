/** A min-heap of timed items (ties keep insertion order). */
export class TimeHeap<T> {
  private items: Array<{ at: number; n: number; value: T }> = [];
  private counter = 0;

  get size(): number {
    return this.items.length;
  }

  push(at: number, value: T): void {
    const h = this.items;
    h.push({ at, n: this.counter++, value });
    let i = h.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!this.less(i, p)) break;
      [h[i], h[p]] = [h[p]!, h[i]!];
      i = p;
    }
  }

  /** Time of the earliest item, or Infinity. */
  peekTime(): number {
    return this.items[0]?.at ?? Infinity;
  }

  pop(): { at: number; value: T } | undefined {
    const h = this.items;
    const top = h[0];
    if (!top) return undefined;
    const last = h.pop()!;
    if (h.length > 0) {
      h[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < h.length && this.less(l, m)) m = l;
        if (r < h.length && this.less(r, m)) m = r;
        if (m === i) break;
        [h[i], h[m]] = [h[m]!, h[i]!];
        i = m;
      }
    }
    return { at: top.at, value: top.value };
  }

  private less(a: number, b: number): boolean {
    const x = this.items[a]!;
    const y = this.items[b]!;
    return x.at < y.at || (x.at === y.at && x.n < y.n);
  }
}
