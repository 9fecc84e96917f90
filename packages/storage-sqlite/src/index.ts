/**
 * `@dealflow/storage-sqlite`: the embedded Dealflow store on better-sqlite3 (WAL).
 *
 * @packageDocumentation
 */
export { createSqliteStorage } from './storage.js';
export type { CreateSqliteStorageOptions, SqliteStorage } from './storage.js';
export type { SqliteDatabase, SqliteStatement } from './driver.js';
