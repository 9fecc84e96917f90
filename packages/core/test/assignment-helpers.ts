import { createEngine, createManualClock, createMemoryDirectory, createMemoryStorage } from '../src/index.js';
import type { BlueprintInput, CalendarSpec, Rep, SalesRulesInput, Storage, Team } from '../src/index.js';

/** Mon–Fri 09:00–17:00 in Berlin (business days for escalations). */
export const office: CalendarSpec = {
  id: 'office',
  timeZone: 'Europe/Berlin',
  workingHours: { mon: [['09:00', '17:00']], tue: [['09:00', '17:00']], wed: [['09:00', '17:00']], thu: [['09:00', '17:00']], fri: [['09:00', '17:00']] },
};

/** A lead process: new → contacted → qualified → won/lost. */
export function leadJson(): BlueprintInput {
  return {
    id: 'lead',
    version: 1,
    recordType: 'lead',
    initialStage: 'new',
    fields: {
      name: { type: 'string', required: true },
      email: { type: 'string' },
      phone: { type: 'string' },
      company: { type: 'string' },
      region: { type: 'string' },
      product: { type: 'string' },
      language: { type: 'string' },
      amount: { type: 'number' },
      discount: { type: 'number', default: 0 },
      vip: { type: 'boolean' },
    },
    stages: [
      { id: 'new', kind: 'open' },
      { id: 'contacted', kind: 'open' },
      { id: 'negotiation', kind: 'open' },
      { id: 'won', kind: 'won' },
      { id: 'lost', kind: 'lost' },
    ],
    transitions: [
      { event: 'contact', from: 'new', to: 'contacted' },
      { event: 'negotiate', from: ['new', 'contacted'], to: 'negotiation' },
      { event: 'win', from: 'negotiation', to: 'won' },
      { event: 'lose', from: '*', to: 'lost' },
    ],
    calendars: [office],
  };
}

/** East team (manager mia, director dora) with three reps, West team with two. */
export function sampleDirectory(extra: { reps?: Rep[]; teams?: Team[] } = {}) {
  return createMemoryDirectory({
    reps: [
      { id: 'dora', roles: ['director'] },
      { id: 'mia', managerId: 'dora', roles: ['manager'], region: 'East' },
      { id: 'wes', managerId: 'dora', roles: ['manager'], region: 'West' },
      { id: 'ann', managerId: 'mia', region: 'East', roles: ['rep'], attributes: { products: ['GTX'], language: ['en', 'de'] } },
      { id: 'bob', managerId: 'mia', region: 'East', roles: ['rep'], attributes: { products: ['MG'], language: ['en'] } },
      { id: 'cat', managerId: 'mia', region: 'East', roles: ['rep'], attributes: { products: ['GTX', 'MG'], language: ['zh'] } },
      { id: 'dan', managerId: 'wes', region: 'West', roles: ['rep'], attributes: { products: ['GTX'] } },
      { id: 'eve', managerId: 'wes', region: 'West', roles: ['rep'], attributes: { products: ['MG'] } },
      ...(extra.reps ?? []),
    ],
    teams: [
      { id: 'east', managerId: 'mia', region: 'East', memberIds: ['ann', 'bob', 'cat'] },
      { id: 'west', managerId: 'wes', region: 'West', memberIds: ['dan', 'eve'] },
      ...(extra.teams ?? []),
    ],
  });
}

/** An engine over a (shared) store with sales rules, a manual clock on Monday 2026-01-05 09:00 Berlin. */
export function salesEngine(rules: SalesRulesInput, opts: { storage?: Storage; directory?: ReturnType<typeof sampleDirectory>; start?: string } = {}) {
  const storage = opts.storage ?? createMemoryStorage();
  const directory = opts.directory ?? sampleDirectory();
  const clock = createManualClock(opts.start ?? '2026-01-05T08:00:00.000Z');
  const engine = createEngine({ storage, blueprints: [leadJson()], clock, rules, directory, calendars: [office] });
  return { engine, storage, directory, clock };
}

/** An actor named 'system' (an unknown actor since issue #15: the system is `engine.system`). */
export const system = { actor: { id: 'system', roles: ['system'] } };
export const as = (id: string, roles: string[] = ['rep']) => ({ actor: { id, roles } });

/** Owner counts of the given records. */
export function countBy<T>(items: T[], key: (t: T) => string | null): Record<string, number> {
  const out: Record<string, number> = {};
  for (const i of items) { const k = key(i) ?? 'null'; out[k] = (out[k] ?? 0) + 1; }
  return out;
}

/**
 * Permission rules that allow every action except those given. Since issue #15 a configured
 * `permissions` section denies what no rule allows; tests of one rule open the others with this.
 */
export function allowAllBut(perms: NonNullable<SalesRulesInput['permissions']>): NonNullable<SalesRulesInput['permissions']> {
  const p = perms as Record<string, unknown> & { transitions?: Record<string, unknown> };
  return { read: true, create: true, edit: true, claim: true, distribute: true, assign: true, handover: true, activity: true, ...p, transitions: { '*': true, ...p.transitions } } as NonNullable<SalesRulesInput['permissions']>;
}
