import { DealflowError, isDealflowError } from '@dealflow/logic';
import type { Engine } from '../create-engine.js';
import { internalsOf } from '../engine/internals.js';
import { defaultNewId } from '../engine/core.js';
import { withRetry } from '../engine/retry.js';
import type { CallContext, CreateInput, CreateResult } from '../engine/context.js';
import { diffRecords } from '../engine/replay.js';
import type { HistoryEvent, StorageTx, StoredRecord } from '../storage/types.js';
import { changeWriter } from '../engine/writer.js';
import type { RecordChange } from '../engine/writer.js';

/** Where the engine keeps a record's links: `meta.links` = `{ [linkName]: recordId[] }`. */
export const LINKS_META = 'links';

/** A record's links by name (`{ deal: ['deal_1'], orders: ['o_1', 'o_2'] }`); a copy. */
export function linksOf(record: Pick<StoredRecord, 'meta'>): Record<string, string[]> {
  const raw = record.meta[LINKS_META];
  const out: Record<string, string[]> = {};
  if (raw && typeof raw === 'object' && !Array.isArray(raw)) {
    for (const [k, v] of Object.entries(raw as Record<string, unknown>)) {
      if (Array.isArray(v)) out[k] = v.filter((x): x is string => typeof x === 'string');
    }
  }
  return out;
}

/** A link path: one link name or a chain of them (`['contract', 'plan', 'instalments']`). */
export type LinkPath = string | readonly string[];

function pathOf(path: LinkPath): string[] {
  const p = typeof path === 'string' ? path.split('.') : [...path];
  if (p.length === 0 || p.some((s) => typeof s !== 'string' || s.length === 0)) {
    throw new DealflowError('INPUT_INVALID', `link path must be one or more non-empty link names, got ${JSON.stringify(path)}`);
  }
  return p;
}

/**
 * The records reached from `record` by following a chain of link names, inside a transaction.
 * Each record appears once; missing ids (deleted records) are skipped.
 */
export async function followLinks(tx: Pick<StorageTx, 'getRecord'>, record: StoredRecord, path: LinkPath): Promise<StoredRecord[]> {
  let frontier: StoredRecord[] = [record];
  for (const name of pathOf(path)) {
    const next = new Map<string, StoredRecord>();
    for (const r of frontier) {
      for (const id of linksOf(r)[name] ?? []) {
        if (next.has(id)) continue;
        const linked = await tx.getRecord(id);
        if (linked) next.set(id, linked);
      }
    }
    frontier = [...next.values()];
  }
  return frontier;
}

/**
 * A change of a linked record with a history event of `kind` (its `data.changes` lets replay
 * rebuild it), written through the engine's change writer (`write`): record, history, task index.
 */
export async function writeLinkedChange(
  write: (change: RecordChange) => Promise<void>,
  before: StoredRecord,
  after: StoredRecord,
  kind: string,
  data: Record<string, unknown>,
  at: string,
  actorId: string | null,
  newId: () => string,
): Promise<HistoryEvent> {
  const next: StoredRecord = { ...after, version: before.version + 1, updatedAt: at };
  const hist: HistoryEvent = {
    tenantId: before.tenantId,
    id: newId(),
    recordId: before.id,
    seq: next.version,
    at,
    kind,
    actorId,
    data: { ...data, changes: diffRecords(before, next) },
  };
  await write({ before, after: next, history: [hist] });
  return hist;
}

function withLink(r: StoredRecord, name: string, id: string): StoredRecord | null {
  const links = linksOf(r);
  const list = links[name] ?? [];
  if (list.includes(id)) return null;
  links[name] = [...list, id];
  return { ...r, meta: { ...r.meta, [LINKS_META]: links } };
}

/** Options of {@link LinkApi.link}. */
export interface LinkOptions {
  /** Link name on the target pointing back (default: the source's record type). */
  backlink?: string;
  /** Who links (recorded in both records' history). */
  actor?: CallContext['actor'];
  /** The tenant of both records (default: the engine's). */
  tenantId?: string;
}

/** Links between records (parent/child, converted-from), kept in `meta.links` of both sides. */
export interface LinkApi {
  /**
   * Links `fromId` → `toId` under `name` and `toId` → `fromId` under the backlink, in one
   * transaction; each changed record gets a `linked` history event. Linking twice is a no-op.
   */
  link(fromId: string, name: string, toId: string, options?: LinkOptions): Promise<{
    /** The source record after the link. */
    from: StoredRecord;
    /** The target record after the backlink. */
    to: StoredRecord;
  }>;
  /**
   * Creates a record of `type` and links it to `parentId` (`as` on the parent, `backlink` on the
   * child, default: the parent's record type). The parent must exist; the record is created first,
   * then linked (a failed link is retried on conflicts and then reported, naming both ids). With
   * `ctx.idempotencyKey` the whole call is safe to repeat: the create returns the first record and
   * an existing link is a no-op.
   */
  createLinked(parentId: string, type: string, input: CreateInput, options: { as: string; backlink?: string }, ctx?: CallContext): Promise<
    CreateResult & {
      /** The parent record after the link to the new record. */
      parent: StoredRecord;
    }
  >;
  /** The records reached from a record by a link path (`'deal'`, `['contract', 'plan']`, `'contract.plan'`). */
  linked(recordId: string, path: LinkPath, options?: { tenantId?: string }): Promise<StoredRecord[]>;
  /** Every record reachable through links (any name) within `depth` hops, with the path that reached it. */
  graph(recordId: string, options?: { depth?: number; tenantId?: string }): Promise<
    Array<{
      /** A reachable record. */
      record: StoredRecord;
      /** The link names that reached it, from the starting record. */
      path: string[];
    }>
  >;
}

/**
 * The link operations of an engine.
 *
 * @example
 * ```ts
 * const links = createLinks(engine)
 * const { record: order } = await links.createLinked(contract.id, 'order', { fields: { amount: 5000 } }, { as: 'orders', backlink: 'contract' })
 * const [c] = await links.linked(order.id, 'contract')
 * ```
 */
export function createLinks(engine: Engine): LinkApi {
  const tenantOf = (t?: string) => t ?? engine.tenantId;
  const now = () => engine.clock.now().toISOString();
  const core = internalsOf(engine)?.core;
  // the engine's id generator (`newId`), and its one retry
  const newId = () => (core ? core.newId('evt') : defaultNewId('evt'));
  const maxRetries = core?.maxRetries ?? 3;

  async function linkInTx(tx: StorageTx, fromId: string, name: string, toId: string, backlink: string | undefined, actorId: string | null) {
    if (typeof name !== 'string' || name.length === 0) throw new DealflowError('INPUT_INVALID', `link: link name must be a non-empty string (record '${fromId}')`);
    if (fromId === toId) throw new DealflowError('INPUT_INVALID', `link: record '${fromId}' cannot be linked to itself`);
    const from = await tx.getRecord(fromId, { forUpdate: true });
    if (!from) throw new DealflowError('NOT_FOUND', `link: record '${fromId}' not found in tenant '${tx.tenantId}'`, { details: { recordId: fromId } });
    const to = await tx.getRecord(toId, { forUpdate: true });
    if (!to) throw new DealflowError('NOT_FOUND', `link: record '${toId}' not found in tenant '${tx.tenantId}'`, { details: { recordId: toId } });
    const back = backlink ?? from.type;
    const at = now();
    // the engine's change writer (its blueprints: the task index rows of a linked record stay true)
    const write = changeWriter((id, version) => engine.blueprint(id, version), tx);
    let fromAfter = from;
    let toAfter = to;
    const f = withLink(from, name, toId);
    if (f) {
      await writeLinkedChange(write, from, f, 'linked', { link: { name, recordId: toId, type: to.type } }, at, actorId, newId);
      fromAfter = (await tx.getRecord(fromId))!;
    }
    const t = withLink(to, back, fromId);
    if (t) {
      await writeLinkedChange(write, to, t, 'linked', { link: { name: back, recordId: fromId, type: from.type } }, at, actorId, newId);
      toAfter = (await tx.getRecord(toId))!;
    }
    return { from: fromAfter, to: toAfter };
  }

  function retry<T>(tenant: string, fn: (tx: StorageTx) => Promise<T>): Promise<T> {
    return withRetry(engine.storage, tenant, { maxRetries, what: () => 'link', wrap: false }, fn);
  }

  return {
    link(fromId, name, toId, options = {}) {
      return retry(tenantOf(options.tenantId), (tx) => linkInTx(tx, fromId, name, toId, options.backlink, options.actor?.id ?? null));
    },
    async createLinked(parentId, type, input, options, ctx = {}) {
      const tenant = tenantOf(ctx.tenantId);
      if (!options || typeof options.as !== 'string' || options.as.length === 0) {
        throw new DealflowError('INPUT_INVALID', `createLinked: options.as (the link name on parent '${parentId}') is required`);
      }
      const parent = await engine.storage.getRecord(tenant, parentId);
      if (!parent) throw new DealflowError('NOT_FOUND', `createLinked: parent record '${parentId}' not found in tenant '${tenant}'`, { details: { recordId: parentId } });
      const made = await engine.create(type, input, ctx);
      const linked = await retry(tenant, (tx) => linkInTx(tx, parentId, options.as, made.record.id, options.backlink, ctx.actor?.id ?? null));
      return { ...made, record: linked.to, parent: linked.from };
    },
    linked(recordId, path, options = {}) {
      const tenant = tenantOf(options.tenantId);
      return engine.storage.transaction(tenant, async (tx) => {
        const r = await tx.getRecord(recordId);
        if (!r) throw new DealflowError('NOT_FOUND', `linked: record '${recordId}' not found in tenant '${tenant}'`, { details: { recordId } });
        return followLinks(tx, r, path);
      });
    },
    graph(recordId, options = {}) {
      const tenant = tenantOf(options.tenantId);
      const depth = options.depth ?? 3;
      return engine.storage.transaction(tenant, async (tx) => {
        const start = await tx.getRecord(recordId);
        if (!start) throw new DealflowError('NOT_FOUND', `graph: record '${recordId}' not found in tenant '${tenant}'`, { details: { recordId } });
        const seen = new Set([recordId]);
        const out: Array<{ record: StoredRecord; path: string[] }> = [];
        let frontier = [{ record: start, path: [] as string[] }];
        for (let d = 0; d < depth; d++) {
          const next: typeof frontier = [];
          for (const { record, path } of frontier) {
            for (const [name, ids] of Object.entries(linksOf(record))) {
              for (const id of ids) {
                if (seen.has(id)) continue;
                seen.add(id);
                const r = await tx.getRecord(id);
                if (r) next.push({ record: r, path: [...path, name] });
              }
            }
          }
          out.push(...next);
          frontier = next;
        }
        return out;
      });
    },
  };
}
