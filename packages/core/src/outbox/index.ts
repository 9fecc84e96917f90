export { createOutboxRelay } from './relay.js';
export type { CreateOutboxRelayOptions, OutboxRelay, OutboxRelayStats } from './relay.js';
