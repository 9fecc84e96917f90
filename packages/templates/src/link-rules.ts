import type { LinkRulesInput } from '@dealflow/core';

/**
 * The cross-record rules of the full sales cycle, for `createLinkRules(fullCycleLinkRules)`:
 * - a deal cannot be won while its contract is still in draft or waiting for approval;
 * - an overdue instalment escalates to the deal owner (notification + task on the deal);
 * - an order (created under a contract, or by winning its deal) cannot be confirmed while an
 *   instalment of the contract's payment plan is overdue;
 * - a lost customer's open tasks, and those of its deals, are closed.
 *
 * Link names follow the templates: lead →`customer`/`contact`/`deal`, deal →`contract`,
 * contract →`plan`, payment plan →`instalments` (instalment →`plan`), contract →`orders`
 * (order →`contract`), deal →`order` (order →`deal`, made by the win), deal →`quote` (quote →`deal`),
 * quote →`next` (quote →`previous`), order →`feedback`.
 *
 * @example
 * ```ts
 * const links = createLinkRules(fullCycleLinkRules)
 * const engine = createEngine({ storage, blueprints: loadTemplates(), plugins: [links.plugin] })
 * ```
 */
export const fullCycleLinkRules: Required<LinkRulesInput> = {
  blocks: [
    {
      id: 'deal-win-needs-approved-contract',
      recordType: 'deal',
      events: 'win',
      while: { via: 'contract', stages: ['draft', 'pending_approval'] },
      message: 'the contract is not approved yet / 合同尚未审批通过',
    },
    {
      id: 'deal-win-waits-for-approval',
      recordType: 'deal',
      events: 'win',
      while: { via: 'contract', where: { var: 'pendingApproval' } },
      message: 'the contract waits for an approval / 合同待审批',
    },
    {
      id: 'no-new-order-while-overdue',
      recordType: 'order',
      events: 'confirm',
      while: { via: ['contract', 'plan', 'instalments'], stages: ['overdue'] },
      message: 'an instalment of this contract is overdue / 该合同有逾期回款',
    },
    {
      id: 'no-won-order-while-overdue',
      recordType: 'order',
      events: 'confirm',
      while: { via: ['deal', 'contract', 'plan', 'instalments'], stages: ['overdue'] },
      message: 'an instalment of this deal\'s contract is overdue / 该商机合同有逾期回款',
    },
  ],
  cascades: [
    {
      id: 'overdue-instalment-to-deal-owner',
      recordType: 'instalment',
      enters: 'overdue',
      target: { via: ['plan', 'contract', 'deal'] },
      actions: [
        { type: 'notify', channel: 'email', message: 'instalment.overdue.escalated' },
        { type: 'task', title: 'Chase the overdue instalment / 催收逾期回款' },
      ],
    },
    {
      id: 'lost-customer-closes-own-tasks',
      recordType: 'customer',
      enters: 'lost',
      target: {},
      actions: [{ type: 'closeTasks' }],
    },
    {
      id: 'lost-customer-closes-deal-tasks',
      recordType: 'customer',
      enters: 'lost',
      target: { via: 'deal' },
      actions: [{ type: 'closeTasks' }],
    },
  ],
};
