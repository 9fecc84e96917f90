import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { DealflowError, isDealflowError } from '@dealflow/core';
import type { Storage } from '@dealflow/core';
import { inputError } from '../errors.js';
import { loadOptional } from '../optional.js';

/** Hides the password of a connection URL. */
export function redact(url: string): string {
  return url.replace(/\/\/([^:@/]+):[^@/]*@/, '//$1:***@');
}

const NET = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'EHOSTUNREACH', 'ECONNRESET']);

/** One clear line for a database that cannot be reached or refused the call. */
export function connectionError(e: unknown, url: string): Error {
  const find = (x: unknown, depth = 0): { code?: string; message: string } | undefined => {
    if (!(x instanceof Error) || depth > 4) return undefined;
    const code = (x as NodeJS.ErrnoException).code;
    if (code && NET.has(code)) return { code, message: x.message };
    const agg = (x as { errors?: unknown[] }).errors;
    if (Array.isArray(agg)) for (const a of agg) if (find(a, depth + 1)) return find(a, depth + 1);
    return find((x as { cause?: unknown }).cause, depth + 1);
  };
  const net = find(e);
  if (net) return new DealflowError('STORAGE', `cannot reach database ${redact(url)}: ${net.code}`, { cause: e });
  if (isDealflowError(e)) return e;
  return new DealflowError('STORAGE', `database ${redact(url)}: ${(e as Error).message ?? String(e)}`, { cause: e });
}

/**
 * Opens a Dealflow database: `postgres://…` (schema `dealflow` unless given) or a SQLite file that
 * exists (relative to `cwd`; `create: true` makes a new file).
 */
export async function openStore(url: string, cwd: string, options: { schema?: string; create?: boolean; max?: number } = {}): Promise<Storage> {
  if (/^postgres(ql)?:\/\//.test(url)) {
    const { createPostgresStorage } = await loadOptional('@dealflow/storage-postgres', () => import('@dealflow/storage-postgres'));
    return createPostgresStorage({ connectionString: url, max: options.max ?? 2, ...(options.schema ? { schema: options.schema } : {}) });
  }
  const file = resolve(cwd, url.replace(/^sqlite:(\/\/)?/, ''));
  const exists = await stat(file).then((st) => st.isFile(), () => false);
  if (!exists && !options.create) throw inputError(`cannot read SQLite database '${url}': no such file`, { file: url });
  const { createSqliteStorage } = await loadOptional('@dealflow/storage-sqlite', () => import('@dealflow/storage-sqlite'));
  return createSqliteStorage({ filename: file });
}
