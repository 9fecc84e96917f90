/**
 * A lead blueprint, a mapping and a generated CSV for the bulk tests: every 17th row has an unknown
 * owner e-mail, every 23rd a non-numeric amount, every 29th an unknown source value; rows carry
 * creation dates in Berlin time and stage dates, so imports write past stages.
 */
import type { BlueprintInput } from '../../packages/core/src/index.js';
import type { MappingInput } from '../../packages/bulk/src/index.js';

export function leadBlueprint(): BlueprintInput {
  return {
    id: 'lead',
    version: 1,
    recordType: 'lead',
    initialStage: 'new',
    fields: {
      name: { type: 'string', required: true },
      email: { type: 'string' },
      amount: { type: 'money', currency: 'EUR' },
      source: { type: 'enum', values: ['web', 'referral', 'event'] },
      closeDate: { type: 'date' },
    },
    stages: [
      { id: 'new', kind: 'open', deadline: { within: 'P2D', onBreach: 'stale' } },
      { id: 'contacted', kind: 'open' },
      { id: 'qualified', kind: 'open' },
      { id: 'won', kind: 'won' },
      { id: 'lost', kind: 'lost' },
    ],
    transitions: [
      { event: 'contact', from: 'new', to: 'contacted' },
      { event: 'qualify', from: 'contacted', to: 'qualified' },
      { event: 'stale', from: 'new', to: 'lost' },
      { event: 'win', from: 'qualified', to: 'won' },
      { event: 'lose', from: '*', to: 'lost' },
    ],
  };
}

export const REPS: Record<string, string> = { 'ann@example.com': 'ann', 'bob@example.com': 'bob' };

export const mapping: MappingInput = {
  blueprint: 'lead',
  timeZone: 'Europe/Berlin',
  id: 'Lead ID',
  fields: {
    name: 'Name',
    email: 'E-mail',
    amount: { column: 'Amount', type: 'number' },
    source: { column: 'Source', values: { Website: 'web', Referral: 'referral', Fair: 'event' } },
    closeDate: { column: 'Closed', format: 'dd.MM.yyyy' },
  },
  owner: { column: 'Owner', by: 'email' },
  owners: REPS,
  createdAt: 'Created',
  stage: { column: 'Stage', values: { New: 'new', Contacted: 'contacted', Qualified: 'qualified', Won: 'won' } },
  stageDates: { contacted: 'Contacted on', qualified: 'Qualified on', won: { column: 'Closed', format: 'dd.MM.yyyy' } },
};

/** Why generated row `i` is refused, or null. */
export function badReason(i: number): string | null {
  if (i % 17 === 3) return 'unknown_owner';
  if (i % 23 === 4) return 'invalid_number';
  if (i % 29 === 5) return 'unknown_value';
  return null;
}

const STAGES = ['New', 'Contacted', 'Qualified', 'Won'];

/** A CSV of `n` leads (header on line 1, row i on line i + 2). */
export function leadsCsv(n: number): string {
  const lines = ['Lead ID,Name,E-mail,Amount,Source,Owner,Created,Stage,Contacted on,Qualified on,Closed'];
  for (let i = 0; i < n; i++) {
    const stage = STAGES[i % 4]!;
    const day = 1 + (i % 20);
    const created = `2025-03-${String(day).padStart(2, '0')} 09:30`;
    const contacted = i % 4 >= 1 ? `2025-04-${String(day).padStart(2, '0')}T10:00` : '';
    const qualified = i % 4 >= 2 ? `2025-05-${String(day).padStart(2, '0')}T11:00` : '';
    const closed = i % 4 === 3 ? `${String(day).padStart(2, '0')}.06.2025` : '';
    const owner = badReason(i) === 'unknown_owner' ? 'nobody@example.com' : i % 3 === 0 ? '' : i % 2 ? 'ann@example.com' : 'BOB@example.com';
    const amount = badReason(i) === 'invalid_number' ? 'n/a' : String(1000 + i);
    const source = badReason(i) === 'unknown_value' ? 'Carrier pigeon' : ['Website', 'Referral', 'Fair'][i % 3]!;
    const name = i % 10 === 0 ? `"Lead ${i}, ""quoted"""` : `Lead ${i}`;
    lines.push([`L${i}`, name, `lead${i}@mail.example`, amount, source, owner, created, stage, contacted, qualified, closed].join(','));
  }
  return `${lines.join('\n')}\n`;
}
