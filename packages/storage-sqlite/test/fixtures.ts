import type { BlueprintInput } from '@dealflow/core';

/** A support ticket: one hour in `open`, then the breach escalates it. */
export const ticket: BlueprintInput = {
  id: 'ticket',
  version: 1,
  recordType: 'ticket',
  initialStage: 'open',
  fields: { title: { type: 'string' } },
  stages: [
    { id: 'open', kind: 'open', deadline: { within: 'PT1H', onBreach: 'breach' } },
    { id: 'escalated', kind: 'open' },
    { id: 'working', kind: 'open' },
  ],
  transitions: [
    { event: 'breach', from: 'open', to: 'escalated' },
    { event: 'work', from: ['open', 'working', 'escalated'], to: 'working' },
  ],
};
