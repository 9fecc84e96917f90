import type { BlueprintInput, CalendarSpec } from '../src/index.js';

/** Berlin office: Mon–Fri 09:00–17:00, Christmas off. */
export const berlin: CalendarSpec = {
  id: 'berlin',
  timeZone: 'Europe/Berlin',
  workingHours: {
    mon: [['09:00', '17:00']],
    tue: [['09:00', '17:00']],
    wed: [['09:00', '17:00']],
    thu: [['09:00', '17:00']],
    fri: [['09:00', '17:00']],
  },
  holidays: ['2026-12-25'],
};

/** A deal pipeline used across the tests. */
export function dealJson(): BlueprintInput {
  return {
    id: 'deal',
    version: 1,
    recordType: 'deal',
    initialStage: 'prospecting',
    fields: {
      name: { type: 'string', required: true },
      amount: { type: 'money', currency: 'EUR', requiredIn: ['proposal', 'negotiation', 'won'] },
      closeDate: { type: 'date' },
      source: { type: 'enum', values: ['web', 'referral', 'event'] },
      discount: { type: 'number', default: 0 },
      escalated: { type: 'boolean' },
    },
    stages: [
      { id: 'prospecting', label: 'Prospecting', kind: 'open', probability: 0.1, forecastCategory: 'pipeline' },
      {
        id: 'qualified',
        label: 'Qualified',
        kind: 'open',
        probability: 0.25,
        forecastCategory: 'pipeline',
        deadline: { within: 'P3D', businessTime: 'berlin', remindBefore: ['PT4H'], onBreach: 'qualified.breach' },
      },
      { id: 'proposal', label: 'Proposal', kind: 'open', probability: 0.5, forecastCategory: 'best_case' },
      { id: 'negotiation', label: 'Negotiation', kind: 'open', probability: 0.75, forecastCategory: 'commit' },
      { id: 'won', label: 'Won', kind: 'won', probability: 1, forecastCategory: 'closed' },
      { id: 'lost', label: 'Lost', kind: 'lost', probability: 0, forecastCategory: 'omitted' },
    ],
    transitions: [
      { event: 'qualify', from: 'prospecting', to: 'qualified' },
      {
        event: 'qualified.breach',
        from: 'qualified',
        to: 'qualified',
        actions: [
          { type: 'set', field: 'escalated', value: true },
          { type: 'notify', to: 'manager', channel: 'email', message: 'deal-stuck', data: { deal: { var: 'record.id' } } },
        ],
      },
      { event: 'propose', from: 'qualified', to: 'proposal', guard: { '>': [{ var: 'fields.amount' }, 0] } },
      { event: 'negotiate', from: 'proposal', to: 'negotiation', requires: ['closeDate'] },
      {
        event: 'discount',
        from: ['proposal', 'negotiation'],
        to: 'negotiation',
        allow: { in: ['manager', { var: 'actor.roles' }] },
        actions: [{ type: 'set', field: 'discount', value: { var: 'event.data.percent' } }],
      },
      {
        event: 'win',
        from: 'negotiation',
        to: 'won',
        actions: [
          { type: 'task', title: 'Send contract', due: 'P1D', businessTime: 'berlin' },
          { type: 'emit', event: 'deal.won', data: { amount: { var: 'fields.amount' } } },
        ],
      },
      { event: 'lose', from: '*', to: 'lost' },
    ],
    calendars: [berlin],
  };
}

/**
 * These tests pass roles with their actors (`{ id: 'mia', roles: ['manager'] }`) and have no
 * directory: since issue #15 that is an explicit opt-in of the engine.
 */
export const TRUSTED = { trustCallerRoles: true } as const;
