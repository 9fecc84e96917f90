import { createMemoryDirectory } from '@dealflow/core';
import type { BlueprintInput, CalendarSpec, SalesRulesInput } from '@dealflow/core';

/** Berlin office hours: business days for the "no call-back within 3 days" rule. */
export const office: CalendarSpec = {
  id: 'office',
  timeZone: 'Europe/Berlin',
  workingHours: { mon: [['09:00', '17:00']], tue: [['09:00', '17:00']], wed: [['09:00', '17:00']], thu: [['09:00', '17:00']], fri: [['09:00', '17:00']] },
  holidays: ['2026-12-25', '2026-12-26'],
};

/** The lead process. */
export const lead: BlueprintInput = {
  id: 'lead',
  version: 1,
  recordType: 'lead',
  initialStage: 'new',
  fields: {
    name: { type: 'string', required: true },
    email: { type: 'string' },
    phone: { type: 'string' },
    company: { type: 'string' },
    region: { type: 'enum', values: ['North', 'South'] },
    product: { type: 'string' },
    vip: { type: 'boolean' },
  },
  stages: [
    { id: 'new', kind: 'open' },
    { id: 'contacted', kind: 'open' },
    { id: 'qualified', kind: 'open' },
    { id: 'won', kind: 'won' },
    { id: 'lost', kind: 'lost' },
  ],
  transitions: [
    { event: 'contact', from: 'new', to: 'contacted' },
    { event: 'qualify', from: 'contacted', to: 'qualified' },
    { event: 'win', from: 'qualified', to: 'won' },
    { event: 'lose', from: '*', to: 'lost' },
  ],
  calendars: [office],
};

/** A small sales org: two regional teams, their managers and a sales director. */
export function salesOrg() {
  return createMemoryDirectory({
    reps: [
      { id: 'dora', name: 'Dora (director)', roles: ['director'] },
      { id: 'nina', name: 'Nina (North manager)', managerId: 'dora', roles: ['manager'] },
      { id: 'sam', name: 'Sam (South manager)', managerId: 'dora', roles: ['manager'] },
      { id: 'ada', managerId: 'nina', region: 'North', roles: ['rep'], attributes: { products: ['cloud', 'support'] }, capacity: { maxOpen: 3 } },
      { id: 'ben', managerId: 'nina', region: 'North', roles: ['rep'], attributes: { products: ['cloud'] }, capacity: { maxOpen: 3 } },
      { id: 'cai', managerId: 'nina', region: 'North', roles: ['rep'], attributes: { products: ['support'] }, capacity: { maxOpen: 3 } },
      { id: 'eli', managerId: 'sam', region: 'South', roles: ['rep'], attributes: { products: ['cloud', 'support'] }, capacity: { maxPerPeriod: 2, period: 'day' } },
      { id: 'fay', managerId: 'sam', region: 'South', roles: ['rep'], attributes: { products: ['cloud'] }, capacity: { maxPerPeriod: 2, period: 'day' } },
    ],
    teams: [
      { id: 'north', managerId: 'nina', region: 'North', memberIds: ['ada', 'ben', 'cai'] },
      { id: 'south', managerId: 'sam', region: 'South', memberIds: ['eli', 'fay'] },
    ],
  });
}

const ownerOrAbove = {
  or: [
    { '==': [{ var: 'actor.id' }, { var: 'record.ownerId' }] },
    { in: [{ var: 'actor.id' }, { var: 'record.ownerManagerChain' }] },
  ],
};

/** The engine-level rules: who gets a lead, what happens when nobody calls, the pool, duplicates, permissions. */
export const rules: SalesRulesInput = {
  assignment: {
    rules: [
      { id: 'vip-to-manager', when: { '==': [{ var: 'fields.vip' }, true] }, assign: { strategy: 'owner', owner: 'nina' } },
      { id: 'north-by-product', when: { '==': [{ var: 'fields.region' }, 'North'] }, assign: { strategy: 'leastLoaded', team: 'north', match: { products: { var: 'fields.product' } } } },
      { id: 'south-round-robin', when: { '==': [{ var: 'fields.region' }, 'South'] }, assign: { strategy: 'roundRobin', team: 'south' } },
      { id: 'default-pool', assign: { strategy: 'pool', pool: 'public' } },
    ],
  },
  escalations: [
    {
      id: 'no-call-back',
      description: 'no activity within 3 business days of assignment: next rep of the team, manager notified; 2 days later the director',
      on: 'inactivity',
      calendar: 'office',
      stages: ['new', 'contacted'],
      levels: [
        { after: 'P3D', actions: [{ reassign: 'nextInTeam' }, { notify: 'manager' }] },
        { after: 'P2D', actions: [{ notify: 'director' }, { priority: 'high' }] },
      ],
    },
  ],
  pool: { claimLimit: { max: 2, period: 'day' }, cooldown: 'P14D', returnAfter: 'P10D', calendar: 'office' },
  duplicates: { keys: [{ name: 'email', normalize: 'email' }, { name: 'phone', normalize: 'phone', defaultCountryCode: '49' }, { name: 'company', normalize: 'company' }] },
  permissions: {
    read: { or: [ownerOrAbove, { '==': [{ var: 'record.inPool' }, true] }] },
    // what no rule allows is denied: reps log activities on their own leads
    activity: { '==': [{ var: 'actor.id' }, { var: 'record.ownerId' }] },
    claim: { in: ['rep', { var: 'actor.roles' }] },
    handover: { in: ['manager', { var: 'actor.roles' }] },
  },
};
