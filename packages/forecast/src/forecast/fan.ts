import { sharedForecaster, type ForecastBookingsOptions } from './bookings.js';
import type { FanPoint } from '../render/fan-chart.js';
import { DAY_MS, toMs } from '../data/time.js';

/**
 * Cumulative bookings forecast week by week (P10/P50/P90 for the next 1, 2, … `weeks` weeks),
 * ready for {@link renderFanChartSvg}. Each week is a calibrated forecast of one shared forecaster.
 *
 * @example
 * ```ts
 * renderFanChartSvg(forecastFan({ records, history, stages, asOf: '2017-06-30T00:00:00Z', weeks: 8 }))
 * ```
 */
export function forecastFan(options: Omit<ForecastBookingsOptions, 'horizonDays'> & { weeks?: number }): FanPoint[] {
  const { weeks: w0, ...rest } = options;
  const f = sharedForecaster(rest);
  const asMs = toMs(options.asOf, 'asOf');
  const weeks = w0 ?? 8;
  const out: FanPoint[] = [];
  for (let w = 1; w <= weeks; w++) {
    const r = f.forecast({ asOf: new Date(asMs), horizonDays: 7 * w });
    out.push({ label: new Date(asMs + 7 * w * DAY_MS).toISOString().slice(0, 10), p10: r.value.p10, p50: r.value.p50, p90: r.value.p90 });
  }
  return out;
}
