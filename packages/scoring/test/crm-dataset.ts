/**
 * The CRM sales-opportunities dataset (test/fixtures/crm-sales-opportunities) mapped to Dealflow
 * records and history, with an example feature list. Shared by the tests and `bench/src/scoring.ts`.
 *
 * Mapping: each pipeline row with an engage date becomes a `deal` record created in stage
 * `engaging` on its engage date (09:00 UTC), joined with its account (sector, employees,
 * revenue), its product (series, list price) and its agent's team (manager, regional office);
 * closed rows get a `transition` into `won` or `lost` on the close date (17:00 UTC) whose
 * `data.changes` sets the field `closeValue` (history in the engine's format: `created` holds
 * `data.record`, later events `data.changes`). Rows without an engage date (Prospecting) have no dates and are left out.
 */
import { readFileSync } from 'node:fs';
import type { HistoryEvent, StoredRecord } from '@dealflow/core';
import type { FeatureSpec, StageKind } from '../src/index.js';

/** Parses CSV text (RFC 4180: quoted fields, doubled quotes, CRLF) into objects keyed by header. */
export function parseCsv(text: string): Record<string, string>[] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i] as string;
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else cell += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') {
      row.push(cell);
      cell = '';
    } else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && text[i + 1] === '\n') i++;
      row.push(cell);
      rows.push(row);
      row = [];
      cell = '';
    } else cell += ch;
  }
  if (cell !== '' || row.length > 0) {
    row.push(cell);
    rows.push(row);
  }
  const [header, ...body] = rows.filter((r) => !(r.length === 1 && r[0] === ''));
  if (!header) return [];
  return body.map((r) => Object.fromEntries(header.map((h, i) => [h.trim(), r[i] ?? ''])));
}

export const CRM_STAGES: StageKind[] = [
  { id: 'prospecting', kind: 'open' },
  { id: 'engaging', kind: 'open' },
  { id: 'won', kind: 'won' },
  { id: 'lost', kind: 'lost' },
];

/**
 * Example feature list for this dataset: the customer size, product, sector, region,
 * rep and age in stage. The amount is the product's list price (known when the deal is opened),
 * never `closeValue` (known only at close, and 0 for lost deals).
 */
export const crmDatasetFeatures: FeatureSpec[] = [
  { name: 'product', kind: 'categorical', source: 'fields.product' },
  { name: 'sector', kind: 'categorical', source: 'fields.sector' },
  { name: 'region', kind: 'categorical', source: 'fields.region' },
  { name: 'rep', kind: 'categorical', source: 'ownerId' },
  { name: 'amount', kind: 'numeric', source: 'fields.listPrice', bands: [100, 1000, 4000] },
  { name: 'companySize', kind: 'numeric', source: 'fields.employees', bands: [100, 1000, 5000] },
  { name: 'ageInStage', kind: 'numeric', source: 'ageInStageDays', bands: [7, 15, 30, 60, 90] },
];

export interface CrmDataset {
  records: StoredRecord[];
  history: HistoryEvent[];
}

const FIXTURE = new URL('../../../test/fixtures/crm-sales-opportunities/', import.meta.url);

function read(name: string): Record<string, string>[] {
  return parseCsv(readFileSync(new URL(name, FIXTURE), 'utf8'));
}

/** Product names in the pipeline are not always spelled as in products.csv (`GTXPro`). */
function productKey(name: string): string {
  return name.replace(/\s+/g, '').toLowerCase();
}

/** Loads the fixture as Dealflow records and history (tenant `crm`). */
export function loadCrmDataset(): CrmDataset {
  const accounts = new Map(read('accounts.csv').map((a) => [a['account'] as string, a]));
  const products = new Map(read('products.csv').map((p) => [productKey(p['product'] as string), p]));
  const teams = new Map(read('sales_teams.csv').map((t) => [t['sales_agent'] as string, t]));
  const records: StoredRecord[] = [];
  const history: HistoryEvent[] = [];
  for (const row of read('sales_pipeline.csv')) {
    const engage = row['engage_date'];
    if (!engage) continue;
    const id = row['opportunity_id'] as string;
    const account = accounts.get(row['account'] ?? '');
    const product = products.get(productKey(row['product'] ?? ''));
    const team = teams.get(row['sales_agent'] ?? '');
    const createdAt = `${engage}T09:00:00.000Z`;
    const fields: Record<string, unknown> = {
      product: product?.['product'] ?? row['product'],
      series: product?.['series'] ?? null,
      listPrice: product ? Number(product['sales_price']) : null,
      account: row['account'] || null,
      sector: account?.['sector'] ?? null,
      employees: account ? Number(account['employees']) : null,
      revenue: account ? Number(account['revenue']) : null,
      region: team?.['regional_office'] ?? null,
      manager: team?.['manager'] ?? null,
    };
    const stageName = row['deal_stage'];
    const closed = stageName === 'Won' || stageName === 'Lost';
    const closedAt = closed ? `${row['close_date']}T17:00:00.000Z` : null;
    const stage = stageName === 'Won' ? 'won' : stageName === 'Lost' ? 'lost' : 'engaging';
    const common = { tenantId: 'crm', recordId: id, actorId: row['sales_agent'] ?? null };
    const owner = row['sales_agent'] || null;
    const teamId = team?.['manager'] ?? null;
    const snapshot = {
      id,
      type: 'deal',
      blueprintId: 'crm-deal',
      blueprintVersion: 1,
      stage: 'engaging',
      fields,
      ownerId: owner,
      teamId,
      meta: {},
      stageEnteredAt: createdAt,
      createdAt,
    };
    history.push({ ...common, id: `${id}:1`, seq: 1, at: createdAt, kind: 'created', to: 'engaging', data: { record: snapshot } });
    const finalFields = { ...fields };
    if (closed && closedAt) {
      const closeValue = Number(row['close_value']);
      finalFields['closeValue'] = closeValue;
      history.push({
        ...common,
        id: `${id}:2`,
        seq: 2,
        at: closedAt,
        kind: 'transition',
        event: stage === 'won' ? 'WIN' : 'LOSE',
        from: 'engaging',
        to: stage,
        data: { changes: { stage, stageEnteredAt: closedAt, fields: { closeValue } } },
      });
    }
    records.push({
      tenantId: 'crm',
      id,
      type: 'deal',
      blueprintId: 'crm-deal',
      blueprintVersion: 1,
      stage,
      version: closed ? 2 : 1,
      fields: finalFields,
      ownerId: owner,
      teamId,
      meta: {},
      stageEnteredAt: closedAt ?? createdAt,
      createdAt,
      updatedAt: closedAt ?? createdAt,
    });
  }
  return { records, history };
}
