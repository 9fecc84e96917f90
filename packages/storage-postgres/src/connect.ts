import { createRequire } from 'node:module';
import { DealflowError } from '@dealflow/core';
import type { PgClient, PgPool } from './driver.js';
import { timestamptzParser } from './timestamps.js';

/** The part of pg's `types` a pool config takes: a parser per type oid and format. */
interface PgTypes {
  getTypeParser(oid: number, format?: 'text' | 'binary'): (value: string) => unknown;
}

interface PgModule {
  Pool: new (config: { connectionString: string; max?: number; pipeline?: boolean; types?: PgTypes }) => PgPool;
  Client: new (config: { connectionString: string }) => PgClient;
  types: PgTypes;
}

/** The oid of timestamptz. */
const TIMESTAMPTZ = 1184;

function loadPg(what: string): PgModule {
  const require = createRequire(import.meta.url);
  try {
    return require('pg') as PgModule;
  } catch (error) {
    throw new DealflowError('STORAGE', `${what} needs the peer dependency 'pg' (npm i pg)`, { cause: error });
  }
}

/**
 * Opens a `pg.Pool` for a connection string (the `pg` peer dependency must be installed). Its
 * clients pipeline (`pipeline: true`; a pg without pipelining ignores the option), so a
 * transaction sends `BEGIN` with its first statement and `COMMIT` with its last write. Its
 * timestamptz values arrive as ISO strings where the session sends UTC (see `timestamps.ts`); the
 * driver's other parsers are untouched.
 */
export function openPool(connectionString: string, max?: number): PgPool {
  const { Pool, types: driverTypes } = loadPg('a connectionString');
  const timestamptz = timestamptzParser(driverTypes.getTypeParser(TIMESTAMPTZ, 'text'));
  const types: PgTypes = {
    getTypeParser: (oid, format) => (oid === TIMESTAMPTZ && format !== 'binary' ? timestamptz : driverTypes.getTypeParser(oid, format)),
  };
  return new Pool({ connectionString, pipeline: true, types, ...(max === undefined ? {} : { max }) });
}

/** Opens a single `pg.Client` (for LISTEN). */
export function openClient(connectionString: string): PgClient {
  const { Client } = loadPg('LISTEN/NOTIFY');
  return new Client({ connectionString });
}

/** Checks a schema name and returns it double-quoted. */
export function quoteSchema(schema: string): string {
  if (!/^[A-Za-z_][A-Za-z0-9_]{0,62}$/.test(schema)) {
    throw new DealflowError('INPUT_INVALID', `PostgreSQL schema name '${schema}' must match [A-Za-z_][A-Za-z0-9_]* (at most 63 characters)`, {
      details: { schema },
    });
  }
  return `"${schema}"`;
}

/** The default schema of Dealflow's tables. */
export const DEFAULT_SCHEMA = 'dealflow';
