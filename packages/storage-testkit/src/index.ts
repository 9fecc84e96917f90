/**
 * `@dealflow/storage-testkit`: the conformance suite every Dealflow store runs (ours and third
 * parties'), plus the fixture builders it uses.
 *
 * @packageDocumentation
 */
export { runStorageSuite } from './suite.js';
export type { RunStorageSuiteOptions, StorageSuiteSupports } from './context.js';
export { expectDealflowError, InjectedFault } from './context.js';
export { BASE_TIME, at, makeRecord, makeHistoryEvent, makeTimer, makeTaskRow, makeOutboxMessage, ticketBlueprint, dailyDealBlueprint } from './fixtures.js';
export { postgresTestTarget, postgresTestUrl, uniqueSchemaName, DEFAULT_POSTGRES_TEST_URL } from './postgres-target.js';
export type { PostgresTestTarget, PostgresTestTargetOptions } from './postgres-target.js';
