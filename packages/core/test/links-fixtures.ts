import type { BlueprintInput } from '../src/index.js';

/** Small linked blueprints: a lead converts to an account and a deal; a deal drafts a contract. */
export function linkedBlueprints(): BlueprintInput[] {
  return [
    {
      id: 'lead', version: 1, recordType: 'lead', initialStage: 'new',
      fields: { company: { type: 'string', required: true } },
      stages: [{ id: 'new', label: 'New' }, { id: 'converted', kind: 'won' }],
      transitions: [
        { event: 'convert', from: 'new', to: 'converted', actions: [{ type: 'convert', create: [
          { blueprint: 'account', as: 'account', backlink: 'lead', fields: { name: { var: 'fields.company' } } },
          { blueprint: 'deal', as: 'deal', backlink: 'lead', fields: { title: { var: 'fields.company' } }, linkTo: ['account'] },
        ] }] },
      ],
    },
    {
      id: 'account', version: 1, recordType: 'account', initialStage: 'active',
      fields: { name: { type: 'string', required: true } },
      stages: [{ id: 'active' }, { id: 'lost', kind: 'lost' }],
      transitions: [{ event: 'lose', from: 'active', to: 'lost', actions: [{ type: 'task', title: 'never open: created on the lost transition' }] }, { event: 'touch', from: 'active', to: 'active', actions: [{ type: 'task', title: 'Call the account', due: 'P2D' }] }],
    },
    {
      id: 'deal', version: 1, recordType: 'deal', initialStage: 'open',
      fields: { title: { type: 'string', required: true }, amount: { type: 'money', currency: 'EUR', requiredIn: ['contracting', 'won'] }, discount: { type: 'number', default: 0 } },
      stages: [
        { id: 'open', label: 'Open deal', deadline: { within: 'P10D', onBreach: 'expire' } },
        { id: 'contracting', label: 'Contracting' },
        { id: 'won', label: 'Won', kind: 'won' },
        { id: 'lost', label: 'Lost', kind: 'lost' },
      ],
      transitions: [
        { event: 'follow_up', from: 'open', to: 'open', label: 'Plan a follow-up', actions: [{ type: 'task', title: 'Send the quote', due: 'P1D' }] },
        { event: 'draft_contract', from: 'open', to: 'contracting', label: 'Draft contract', guard: { '<=': [{ var: 'fields.discount' }, 20] }, actions: [{ type: 'convert', create: [{ blueprint: 'contract', as: 'contract', backlink: 'deal', fields: { amount: { var: 'fields.amount' } } }] }] },
        { event: 'win', from: 'contracting', to: 'won', label: 'Mark won' },
        { event: 'discount_win', from: 'open', to: 'won', label: 'Win with manager sign-off', allow: { in: ['manager', { var: 'actor.roles' }] } },
        { event: 'lose', from: ['open', 'contracting'], to: 'lost', label: 'Mark lost' },
        { event: 'expire', from: 'open', to: 'lost', label: 'Expired' },
      ],
    },
    {
      id: 'contract', version: 1, recordType: 'contract', initialStage: 'pending_approval',
      fields: { amount: { type: 'money', currency: 'EUR' } },
      stages: [{ id: 'pending_approval' }, { id: 'approved', kind: 'won' }],
      transitions: [{ event: 'approve', from: 'pending_approval', to: 'approved' }],
    },
  ];
}
