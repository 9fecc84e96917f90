import { forecastPrepared, prepareForecastData, type ForecastBookingsOptions } from './bookings.js';
import type { FanPoint } from '../render/fan-chart.js';
import { DAY_MS, toMs } from '../data/time.js';

/**
 * Cumulative bookings forecast week by week (P10/P50/P90 for the next 1, 2, … `weeks` weeks),
 * ready for {@link renderFanChartSvg}. Each week is a calibrated {@link forecastBookings} run.
 *
 * @example
 * ```ts
 * renderFanChartSvg(forecastFan({ records, history, stages, asOf: '2017-06-30T00:00:00Z', weeks: 8 }))
 * ```
 */
export function forecastFan(options: Omit<ForecastBookingsOptions, 'horizonDays'> & { weeks?: number }): FanPoint[] {
  const data = prepareForecastData(options.records, options.history, options.stages);
  const asMs = toMs(options.asOf, 'asOf');
  const weeks = options.weeks ?? 8;
  const out: FanPoint[] = [];
  for (let w = 1; w <= weeks; w++) {
    const f = forecastPrepared(data, { ...options, horizonDays: 7 * w });
    out.push({ label: new Date(asMs + 7 * w * DAY_MS).toISOString().slice(0, 10), p10: f.p10, p50: f.p50, p90: f.p90 });
  }
  return out;
}
