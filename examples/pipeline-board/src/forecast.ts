import { readFileSync } from 'node:fs';
import { forecastFan, parsePipelineCsv, renderFanChartSvg } from '@dealflow/forecast';
import type { FanPoint } from '@dealflow/forecast';
import { CRM_DIR } from './seed.js';

/** The fan chart panel: a weekly bookings forecast on the CRM history, with what really happened. */
export interface ForecastPanel {
  asOf: string;
  points: FanPoint[];
  svg: string;
}

/**
 * Forecasts cumulative bookings week by week from the CRM dataset as of `asOf` (only history up to
 * that date is used), and adds the actual cumulative bookings the dataset shows afterwards.
 */
export function crmForecastPanel(asOf = '2017-09-30T00:00:00Z', weeks = 6): ForecastPanel {
  const data = parsePipelineCsv(readFileSync(`${CRM_DIR}sales_pipeline.csv`, 'utf8'));
  const fan = forecastFan({ ...data, asOf, weeks, seed: 1 });
  const start = Date.parse(asOf);
  const won = data.records.filter((r) => r.stage === 'won').map((r) => ({ at: Date.parse(r.stageEnteredAt), amount: Number(r.fields.amount ?? 0) }));
  const points = fan.map((p) => {
    const end = Date.parse(`${p.label}T00:00:00Z`);
    const actual = won.filter((w) => w.at >= start && w.at < end).reduce((a, w) => a + w.amount, 0);
    return { ...p, actual };
  });
  return { asOf, points, svg: renderFanChartSvg(points, { title: `Bookings forecast from ${asOf.slice(0, 10)} (CRM history)`, width: 440, height: 260 }) };
}
