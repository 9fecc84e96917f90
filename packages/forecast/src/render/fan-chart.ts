import { DealflowError } from '@dealflow/core';

/** One step of a fan chart (e.g. one week). */
export interface FanPoint {
  /** The x-axis label (a period, e.g. `2017-07`). */
  label: string;
  /** Lower edge of the band. */
  p10: number;
  /** The median line. */
  p50: number;
  /** Upper edge of the band. */
  p90: number;
  /** Optional actual value, drawn as a dot. */
  actual?: number | null;
}

/** Options of {@link renderFanChartSvg}. */
export interface FanChartOptions {
  /** Width in pixels (default 640). */
  width?: number;
  /** Height in pixels (default 320). */
  height?: number;
  /** Title drawn above the chart and used as its accessible name. */
  title?: string;
  /** Value labels on the y axis (default: compact, e.g. `1.2M`). */
  formatValue?: (v: number) => string;
  /** Band and line colors. */
  color?: string;
}

function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

function compact(v: number): string {
  const a = Math.abs(v);
  if (a >= 1e9) return `${(v / 1e9).toFixed(1)}B`;
  if (a >= 1e6) return `${(v / 1e6).toFixed(1)}M`;
  if (a >= 1e3) return `${(v / 1e3).toFixed(0)}k`;
  return v.toFixed(0);
}

/**
 * Renders a fan chart (P10–P90 band, P50 line, optional actual dots) as a standalone SVG string:
 * pure string output, no DOM, so the CLI can write it to a file and a web page can inline it.
 * Labels are XML-escaped.
 *
 * @example
 * ```ts
 * const svg = renderFanChartSvg([
 *   { label: 'W1', p10: 80_000, p50: 100_000, p90: 130_000 },
 *   { label: 'W2', p10: 150_000, p50: 200_000, p90: 260_000 },
 * ], { title: 'Bookings, next weeks (cumulative)' })
 * fs.writeFileSync('fan.svg', svg)
 * ```
 */
export function renderFanChartSvg(points: readonly FanPoint[], options: FanChartOptions = {}): string {
  if (points.length === 0) throw new DealflowError('INPUT_INVALID', 'renderFanChartSvg: no points');
  points.forEach((p, i) => {
    for (const k of ['p10', 'p50', 'p90'] as const) {
      if (!Number.isFinite(p[k])) throw new DealflowError('INPUT_INVALID', `renderFanChartSvg: points[${i}].${k} is not a finite number`);
    }
    if (!(p.p10 <= p.p50 && p.p50 <= p.p90)) throw new DealflowError('INPUT_INVALID', `renderFanChartSvg: points[${i}] needs p10 ≤ p50 ≤ p90`);
  });
  const W = options.width ?? 640;
  const H = options.height ?? 320;
  const color = options.color ?? '#2b6cb0';
  const fmt = options.formatValue ?? compact;
  const m = { l: 64, r: 16, t: options.title ? 36 : 16, b: 40 };
  const pw = W - m.l - m.r;
  const ph = H - m.t - m.b;
  let max = 0;
  let min = 0;
  for (const p of points) {
    max = Math.max(max, p.p90, p.actual ?? 0);
    min = Math.min(min, p.p10, p.actual ?? 0);
  }
  if (max === min) max = min + 1;
  const x = (i: number): number => m.l + (points.length === 1 ? pw / 2 : (i * pw) / (points.length - 1));
  const y = (v: number): number => m.t + ph - ((v - min) / (max - min)) * ph;
  const f = (n: number): string => n.toFixed(1);
  const upper = points.map((p, i) => `${f(x(i))},${f(y(p.p90))}`);
  const lower = points.map((p, i) => `${f(x(i))},${f(y(p.p10))}`).reverse();
  const parts: string[] = [];
  parts.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" role="img" aria-label="${esc(options.title ?? 'fan chart')}">`);
  parts.push(`<rect width="${W}" height="${H}" fill="#fff"/>`);
  if (options.title) parts.push(`<text x="${m.l}" y="22" font-family="sans-serif" font-size="14" font-weight="bold">${esc(options.title)}</text>`);
  for (let k = 0; k <= 4; k++) {
    const v = min + ((max - min) * k) / 4;
    parts.push(`<line x1="${m.l}" x2="${W - m.r}" y1="${f(y(v))}" y2="${f(y(v))}" stroke="#e2e8f0"/>`);
    parts.push(`<text x="${m.l - 6}" y="${f(y(v) + 4)}" text-anchor="end" font-family="sans-serif" font-size="11" fill="#4a5568">${esc(fmt(v))}</text>`);
  }
  parts.push(`<polygon points="${[...upper, ...lower].join(' ')}" fill="${color}" fill-opacity="0.25" stroke="none"><title>P10–P90</title></polygon>`);
  parts.push(`<polyline points="${points.map((p, i) => `${f(x(i))},${f(y(p.p50))}`).join(' ')}" fill="none" stroke="${color}" stroke-width="2"><title>P50</title></polyline>`);
  points.forEach((p, i) => {
    parts.push(`<text x="${f(x(i))}" y="${H - m.b + 18}" text-anchor="middle" font-family="sans-serif" font-size="11" fill="#4a5568">${esc(p.label)}</text>`);
    if (p.actual !== undefined && p.actual !== null && Number.isFinite(p.actual)) {
      parts.push(`<circle cx="${f(x(i))}" cy="${f(y(p.actual))}" r="3.5" fill="#c53030"><title>actual ${esc(fmt(p.actual))}</title></circle>`);
    }
  });
  parts.push('</svg>');
  return parts.join('\n');
}
