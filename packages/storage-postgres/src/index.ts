/**
 * `@dealflow/storage-postgres`: the Dealflow store on PostgreSQL via `pg`, for many app
 * instances and workers sharing one database.
 *
 * @packageDocumentation
 */
export { createPostgresStorage, timersChannel } from './storage.js';
export type { CreatePostgresStorageOptions, PostgresStorage } from './storage.js';
export { migrate, listMigrations, migrationsDir } from './migrate.js';
export type { MigrateOptions, MigrateResult, Migration } from './migrate.js';
export { createTimerListener } from './listen.js';
export type { CreateTimerListenerOptions, TimerListener } from './listen.js';
export type { PgPool, PgPoolClient, PgClient, PgQueryable, PgQueryResult } from './driver.js';
