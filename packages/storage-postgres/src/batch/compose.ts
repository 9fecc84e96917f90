import { DealflowError } from '@dealflow/core/storage';
import { pgError } from '../errors.js';
import type { StoreSql } from '../tx.js';
import type { Deferred } from './deferred.js';
import { statementName } from './statement-name.js';

/** A statement made of several writes (data-modifying CTEs) and an optional main write that answers its count. */
export interface Batch {
  text: string;
  name: string;
  /** The checked parts, as [item, part] indexes, in the order of the check's arrays. */
  checks: [number, number][];
  /** The column with the main write's count. */
  answer: string | null;
  /** Whether the statement takes the checked counts as its last parameter (an int array, in the order of `checks`). */
  wants: boolean;
}

/** The SQLSTATE of `dealflow_check` (migration 0002): a batched write wrote other row counts than it must. */
export const CHECK_FAILED = 'DF409';

/** The SQLSTATE of a unique violation (a strict part met a taken key). */
const UNIQUE_VIOLATION = '23505';

const shift = (text: string, offset: number) => (offset === 0 ? text : text.replace(/\$(\d+)/g, (_, n: string) => `$${Number(n) + offset}`));

/**
 * Composes queued writes into one statement: each write a data-modifying CTE, the counts they must
 * write checked on the server by `dealflow_check` (which raises {@link CHECK_FAILED}, so a failing
 * batch fails its transaction even when COMMIT was already sent behind it), and the main write's
 * count answered.
 */
export function compose(s: StoreSql, items: readonly Deferred[], main: { key: string; text: string; values: readonly unknown[] } | null): Batch {
  const key = main ? `${items.map((i) => i.key).join(' ')} > ${main.key}` : items.map((i) => i.key).join(' ');
  let batch = s.batches.get(key);
  if (batch) return batch;
  const ctes: string[] = [];
  const counts: string[] = [];
  const checks: [number, number][] = [];
  const got: string[] = [];
  const info: string[] = [];
  // the counts each write must reach are the statement's last parameter, so one text serves every
  // batch size and PostgreSQL plans it once per connection (prepared by name), not once per size
  const params = items.reduce((n, item) => n + item.values.length, 0) + (main ? main.values.length : 0);
  const wants = `$${params + 1}::int[]`;
  let offset = 0;
  items.forEach((item, i) => {
    (item.strict ?? item.parts).forEach((part, j) => {
      const k = ctes.length;
      ctes.push(`c${k} AS (${shift(part, offset)})`);
      counts.push(`(SELECT count(*) FROM c${k})::int AS n${k}`);
      const w = item.want[j];
      if (w === null || w === undefined) return;
      checks.push([i, j]);
      got.push(`n${k}`);
      // this check's count is element checks.length of the counts parameter
      info.push(item.info ? `CASE WHEN n${k} <> (${wants})[${checks.length}] THEN ${shift(item.info, offset)} END` : 'NULL');
    });
    offset += item.values.length;
  });
  let answer: string | null = null;
  if (main) {
    const k = ctes.length;
    ctes.push(`c${k} AS (${shift(main.text, offset)})`);
    counts.push(`(SELECT count(*) FROM c${k})::int AS n${k}`);
    answer = `n${k}`;
  }
  // every count is read (a CTE that only reads, as pg_notify, runs only when something reads it)
  const read = ctes.map((_, k) => `n${k}`).filter((n) => !got.includes(n)).map((n) => `${n} >= 0`);
  if (checks.length > 0) read.unshift(`${s.t.check}(ARRAY[${got.join(', ')}], ${wants}, ARRAY[${info.join(', ')}]::text[])`);
  const text = `WITH ${ctes.join(',\n')},\nn AS (SELECT ${counts.join(', ')})\nSELECT ${read.join(' AND ')} AS ok${answer ? `, ${answer}` : ''} FROM n`;
  batch = { text, name: statementName(text), checks, answer, wants: checks.length > 0 };
  if (s.batches.size < 1000) s.batches.set(key, batch);
  return batch;
}

/**
 * The error of the queued write whose check failed on the server (from `dealflow_check`'s detail),
 * or whose strict part met a taken key (a unique violation on one of its tables).
 */
export async function batchFailure(error: unknown, items: readonly Deferred[], batch: Batch, what: string): Promise<unknown> {
  const code = (error as { code?: unknown })?.code;
  if (code === UNIQUE_VIOLATION) {
    const table = (error as { table?: unknown }).table;
    const item = items.find((i) => i.strict !== undefined && i.tables.includes(String(table)));
    if (!item) return pgError(error, what);
    // the write's own CONFLICT, with PostgreSQL's detail naming the taken key (the transaction is
    // aborted, so no query can explain it)
    const failed = await item.fail(item.parts.map(() => -1), null);
    const detail = (error as { detail?: unknown }).detail;
    if (typeof detail !== 'string') return failed;
    return new DealflowError(failed.code, `${failed.message}: ${detail}`, { cause: error, details: { ...failed.details, pgDetail: detail } });
  }
  if (code !== CHECK_FAILED) return pgError(error, what);
  let detail: { got: number[]; info: (string | null)[] };
  try {
    detail = JSON.parse(String((error as { detail?: unknown }).detail)) as typeof detail;
  } catch {
    return pgError(error, what);
  }
  const counts = items.map((item) => item.parts.map(() => -1));
  const infos = items.map((): string | null => null);
  batch.checks.forEach(([i, j], c) => {
    counts[i]![j] = detail.got[c]!;
    infos[i] ??= detail.info[c] ?? null;
  });
  for (const [i, item] of items.entries()) {
    if (item.want.some((w, j) => w !== null && counts[i]![j] !== w)) return item.fail(counts[i]!, infos[i]);
  }
  return pgError(error, what);
}
