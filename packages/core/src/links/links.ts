import { DealflowError, isDealflowError } from '@dealflow/logic';
import type { Engine } from '../create-engine.js';
import { internalsOf } from '../engine/internals.js';
import { defaultNewId } from '../engine/core.js';
import { withRetry } from '../engine/retry.js';
import type { Actor, CallContext, CreateInput, CreateResult } from '../engine/context.js';
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
  /**
   * Who links (recorded in both records' history). Resolved like every engine call's actor; with
   * permissions configured it is required and needs `edit` on both records.
   */
  actor?: CallContext['actor'];
  /** The tenant of both records (default: the engine's). */
  tenantId?: string;
}

/** Options of the link reads (`linked`, `graph`). */
export interface LinkReadOptions {
  /** Who reads; with permissions configured it is required, and only readable records come back. */
  actor?: CallContext['actor'];
  /** The tenant of the records (default: the engine's). */
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
  /**
   * The records reached from a record by a link path (`'deal'`, `['contract', 'plan']`, `'contract.plan'`)
   * that the actor may read (`permissions.read`; the start record too, else `NOT_FOUND`).
   */
  linked(recordId: string, path: LinkPath, options?: LinkReadOptions): Promise<StoredRecord[]>;
  /**
   * Every record reachable through links (any name) within `depth` hops, with the path that
   * reached it; records the actor may not read are left out, and not walked through.
   */
  graph(recordId: string, options?: LinkReadOptions & { depth?: number }): Promise<
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

  /** The permission rules of the engine's sales rules (none: every resolved actor may). */
  const permissions = () => engine.sales?.permissions ?? null;
  /** Whether `who` may `action` the record (no permission rules: yes). */
  async function may(action: 'read' | 'edit', who: Actor, record: StoredRecord): Promise<boolean> {
    const p = permissions();
    return p === null || p.can(action, who, record, now());
  }
  async function mustEdit(what: string, who: Actor, record: StoredRecord): Promise<void> {
    if (await may('edit', who, record)) return;
    throw new DealflowError('FORBIDDEN', `${what}: actor '${who.id}' may not edit record '${record.id}' (stage '${record.stage}'), so may not link it ($.permissions.edit)`, {
      details: { recordId: record.id, actorId: who.id, action: 'edit', rule: '$.permissions.edit' },
    });
  }

  /** Links in one transaction; `created`: the record the caller just created (its create rule was checked, not its edit rule). */
  async function linkInTx(tx: StorageTx, fromId: string, name: string, toId: string, backlink: string | undefined, who: Actor, created?: string) {
    const actorId = who.id;
    if (typeof name !== 'string' || name.length === 0) throw new DealflowError('INPUT_INVALID', `link: link name must be a non-empty string (record '${fromId}')`);
    if (fromId === toId) throw new DealflowError('INPUT_INVALID', `link: record '${fromId}' cannot be linked to itself`);
    const from = await tx.getRecord(fromId, { forUpdate: true });
    if (!from) throw new DealflowError('NOT_FOUND', `link: record '${fromId}' not found in tenant '${tx.tenantId}'`, { details: { recordId: fromId } });
    const to = await tx.getRecord(toId, { forUpdate: true });
    if (!to) throw new DealflowError('NOT_FOUND', `link: record '${toId}' not found in tenant '${tx.tenantId}'`, { details: { recordId: toId } });
    await mustEdit('link', who, from);
    if (created !== toId) await mustEdit('link', who, to);
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
    async link(fromId, name, toId, options = {}) {
      const tenant = tenantOf(options.tenantId);
      const who = await engine.resolveActor(options.actor, { tenantId: tenant });
      return retry(tenant, (tx) => linkInTx(tx, fromId, name, toId, options.backlink, who));
    },
    async createLinked(parentId, type, input, options, ctx = {}) {
      const tenant = tenantOf(ctx.tenantId);
      if (!options || typeof options.as !== 'string' || options.as.length === 0) {
        throw new DealflowError('INPUT_INVALID', `createLinked: options.as (the link name on parent '${parentId}') is required`);
      }
      const who = await engine.resolveActor(ctx.actor, { tenantId: tenant });
      const parent = await engine.storage.getRecord(tenant, parentId);
      if (!parent || !(await may('read', who, parent))) {
        throw new DealflowError('NOT_FOUND', `createLinked: parent record '${parentId}' not found in tenant '${tenant}'`, { details: { recordId: parentId } });
      }
      // checked before the create, so a refused link leaves no orphan record behind (and again in the link's transaction)
      await mustEdit('createLinked', who, parent);
      const made = await engine.create(type, input, ctx);
      const linked = await retry(tenant, (tx) => linkInTx(tx, parentId, options.as, made.record.id, options.backlink, who, made.record.id));
      return { ...made, record: linked.to, parent: linked.from };
    },
    async linked(recordId, path, options = {}) {
      const tenant = tenantOf(options.tenantId);
      const who = await engine.resolveActor(options.actor, { tenantId: tenant });
      return engine.storage.transaction(tenant, async (tx) => {
        const r = await tx.getRecord(recordId);
        if (!r || !(await may('read', who, r))) throw new DealflowError('NOT_FOUND', `linked: record '${recordId}' not found in tenant '${tenant}'`, { details: { recordId } });
        const out: StoredRecord[] = [];
        for (const x of await followLinks(tx, r, path)) if (await may('read', who, x)) out.push(x);
        return out;
      });
    },
    async graph(recordId, options = {}) {
      const tenant = tenantOf(options.tenantId);
      const depth = options.depth ?? 3;
      const who = await engine.resolveActor(options.actor, { tenantId: tenant });
      return engine.storage.transaction(tenant, async (tx) => {
        const start = await tx.getRecord(recordId);
        if (!start || !(await may('read', who, start))) throw new DealflowError('NOT_FOUND', `graph: record '${recordId}' not found in tenant '${tenant}'`, { details: { recordId } });
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
                if (r && (await may('read', who, r))) next.push({ record: r, path: [...path, name] });
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
