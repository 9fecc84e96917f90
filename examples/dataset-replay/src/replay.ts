import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { createEngine, createManualClock, defineBlueprint } from '@dealflow/core';
import type { Engine, HistoryEvent, StoredRecord } from '@dealflow/core';
import { parseCsv } from '@dealflow/forecast';
import { createSqliteStorage } from '@dealflow/storage-sqlite';

/** The CRM dataset shipped with the repository (test/fixtures). */
export const DATASET_CSV = fileURLToPath(new URL('../../../test/fixtures/crm-sales-opportunities/sales_pipeline.csv', import.meta.url));

/** The deal blueprint of this example. */
export const dealBlueprint = defineBlueprint(JSON.parse(readFileSync(new URL('./deal.blueprint.json', import.meta.url), 'utf8')));

/** One row of `sales_pipeline.csv`. */
export interface Opportunity {
  id: string;
  agent: string;
  product: string;
  account: string;
  stage: 'Prospecting' | 'Engaging' | 'Won' | 'Lost';
  engageDate: string | null;
  closeDate: string | null;
  closeValue: number | null;
}

/** Reads the opportunities (optionally only the first `limit`). */
export function readOpportunities(file = DATASET_CSV, limit?: number): Opportunity[] {
  const [header, ...rows] = parseCsv(readFileSync(file, 'utf8'));
  if (!header) throw new Error(`${file} is empty`);
  const col = (name: string) => {
    const i = header.indexOf(name);
    if (i < 0) throw new Error(`${file}: no column '${name}'`);
    return i;
  };
  const c = { id: col('opportunity_id'), agent: col('sales_agent'), product: col('product'), account: col('account'), stage: col('deal_stage'), engage: col('engage_date'), close: col('close_date'), value: col('close_value') };
  return rows
    .filter((r) => r.length > 1)
    .slice(0, limit)
    .map((r) => ({
      id: r[c.id]!,
      agent: r[c.agent]!,
      product: r[c.product]!,
      account: r[c.account] ?? '',
      stage: r[c.stage] as Opportunity['stage'],
      engageDate: r[c.engage] || null,
      closeDate: r[c.close] || null,
      closeValue: r[c.value] ? Number(r[c.value]) : null,
    }));
}

type Step = { at: string; order: number; run: (engine: Engine) => Promise<unknown> };

/** Result of {@link replayDataset}. */
export interface ReplayResult {
  engine: Engine;
  records: StoredRecord[];
  history: HistoryEvent[];
  /** Events the engine rejected (none for a clean dataset). */
  rejected: number;
  /** The last date of the dataset (when undated prospects are created). */
  exportDate: string;
  close(): Promise<void>;
}

/**
 * Imports the opportunities as deals through the engine, in time order on a simulated clock:
 * created (and engaged) at the engage date, won or lost at the close date with the real close
 * value. Prospects without dates are created at the export date (the dataset's last date).
 */
export async function replayDataset(options: { limit?: number; file?: string; dbFile?: string } = {}): Promise<ReplayResult> {
  const opps = readOpportunities(options.file, options.limit);
  const dates = opps.flatMap((o) => [o.engageDate, o.closeDate]).filter((d): d is string => d !== null).sort();
  const exportDate = dates[dates.length - 1] ?? '2017-12-31';
  const clock = createManualClock(`${dates[0] ?? exportDate}T00:00:00Z`);
  const storage = createSqliteStorage({ filename: options.dbFile ?? ':memory:' });
  const engine = createEngine({ storage, blueprints: [dealBlueprint], clock });
  let rejected = 0;
  const steps: Step[] = [];
  for (const o of opps) {
    const fields = { product: o.product, ...(o.account ? { account: o.account } : {}) };
    const created = o.engageDate ?? exportDate;
    steps.push({ at: created, order: 0, run: (e) => e.create('deal', { id: o.id, fields, ownerId: o.agent }, { actor: { id: o.agent } }) });
    if (o.engageDate) steps.push({ at: o.engageDate, order: 1, run: (e) => e.send(o.id, 'engage', { actor: { id: o.agent } }) });
    if (o.closeDate && o.stage === 'Won') {
      steps.push({ at: o.closeDate, order: 2, run: (e) => e.send(o.id, { type: 'win', fields: { amount: o.closeValue ?? 0 } }, { actor: { id: o.agent } }) });
    } else if (o.closeDate && o.stage === 'Lost') {
      steps.push({ at: o.closeDate, order: 2, run: (e) => e.send(o.id, 'lose', { actor: { id: o.agent } }) });
    }
  }
  steps.sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : a.order - b.order));
  for (const s of steps) {
    clock.set(`${s.at}T${String(9 + s.order).padStart(2, '0')}:00:00Z`);
    const r = (await s.run(engine)) as { ok?: boolean };
    if (r.ok === false) rejected++;
  }
  const records = await engine.query({ blueprintId: dealBlueprint.id });
  const history: HistoryEvent[] = [];
  for (const r of records) history.push(...(await engine.history(r.id)));
  return { engine, records, history, rejected, exportDate, close: () => storage.close() };
}
