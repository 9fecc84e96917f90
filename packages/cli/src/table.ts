/** Renders rows as a plain-text table with aligned columns (numbers right-aligned). */
export function table(header: string[], rows: Array<Array<string | number | null>>): string {
  const cells = rows.map((r) => r.map((c) => (c === null ? '–' : typeof c === 'number' ? fmtNumber(c) : c)));
  const looksNumeric = (c: string | number | null | undefined) => typeof c === 'number' || c === null || (typeof c === 'string' && /^([-+]?[\d,]+(\.\d+)?%?|–)$/.test(c));
  const numeric = header.map((_, i) => rows.length > 0 && rows.every((r) => looksNumeric(r[i])));
  const width = header.map((h, i) => Math.max(h.length, ...cells.map((r) => (r[i] ?? '').length)));
  const fmt = (r: string[]) => r.map((c, i) => (numeric[i] ? c.padStart(width[i]!) : c.padEnd(width[i]!))).join('  ').trimEnd();
  return [fmt(header), width.map((w) => '─'.repeat(w)).join('  '), ...cells.map(fmt)].join('\n') + '\n';
}

/** A number for a table: integers with thousands separators, others with up to 2 decimals. */
export function fmtNumber(n: number): string {
  if (!Number.isFinite(n)) return String(n);
  if (Number.isInteger(n)) return n.toLocaleString('en-US');
  return n.toLocaleString('en-US', { maximumFractionDigits: 2, minimumFractionDigits: Math.abs(n) < 10 ? 2 : 0 });
}

/** `0.123` → `12.3%`. */
export function pct(x: number): string {
  return `${(x * 100).toFixed(1)}%`;
}

/** A signed difference: `+3`, `-1.5`, `0`. */
export function signed(n: number): string {
  return n > 0 ? `+${fmtNumber(n)}` : fmtNumber(n);
}
