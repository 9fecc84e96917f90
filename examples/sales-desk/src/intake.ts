import { Readable } from 'node:stream';
import { importRecords } from '@dealflow/bulk';
import type { MappingInput, RefusedRow } from '@dealflow/bulk';
import type { Actor } from '@dealflow/core';
import type { Desk } from './desk.js';

/**
 * How the columns of a lead CSV (e.g. an event's badge scans or an old CRM's export) become lead
 * fields. Rows without an owner are routed by the lead rules, like the web form's.
 */
export const LEAD_MAPPING: MappingInput = {
  blueprint: 'lead',
  timeZone: 'Asia/Shanghai',
  fields: {
    name: 'Name',
    company: 'Company',
    email: 'Email',
    phone: 'Phone',
    region: { column: 'Region', values: { North: 'north', East: 'east', South: 'south', West: 'west', Overseas: 'overseas', 华北: 'north', 华东: 'east', 华南: 'south', 西部: 'west', 海外: 'overseas' } },
    productInterest: 'Product',
    need: 'Need',
    source: { column: 'Source', values: { Web: 'web_form', Email: 'email', Phone: 'phone', Event: 'event', Referral: 'referral' }, default: 'Event' },
  },
  routing: 'rules',
  duplicates: 'report',
};

let imports = 0;

/**
 * Imports a lead CSV through `@dealflow/bulk` (every rule applies: duplicate guard, routing) and
 * answers with the totals and the refused rows; progress goes to the live feed.
 */
export async function importLeads(desk: Desk, csv: string, actor: Actor) {
  const refused: RefusedRow[] = [];
  const importId = `desk-${desk.clock.now().getTime()}-${++imports}`;
  const summary = await importRecords({
    engine: desk.engine,
    source: Readable.from([csv]),
    format: 'csv',
    mapping: LEAD_MAPPING,
    importId,
    actor,
    report: { add: (rows) => refused.push(...rows) },
    onProgress: (p) => desk.announce({ type: 'desk.import.progress', recordId: null, at: desk.clock.now().toISOString(), data: { importId, line: p.line, created: p.created, refused: p.refused, bytes: p.bytes, total: csv.length } }),
  });
  return { importId, created: summary.created, refused: summary.refused, rows: summary.rows, refusedRows: refused };
}
