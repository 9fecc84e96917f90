import type { Actor } from '../blueprint/machine.js';
import type { TaskRow } from '../storage/types.js';
import { SYSTEM } from './identity.js';
import type { Identity } from './identity.js';

/** Where a public method carries its call options (`{ actor, tenantId }`), and whether it only reads. */
interface MethodShape {
  options: number;
  /** Reads that need the `read` rule's filter beyond what the method does itself. */
  read?: 'history' | 'getAt' | 'timers' | 'tasks';
}

/** Every public engine method that acts for a caller (fireTimer and runDue are the app's worker: not a caller's). */
const METHODS: Readonly<Record<string, MethodShape>> = {
  create: { options: 2 },
  createMany: { options: 2 },
  send: { options: 2 },
  sendMany: { options: 1 },
  update: { options: 2 },
  get: { options: 1 },
  query: { options: 1 },
  history: { options: 1, read: 'history' },
  getAt: { options: 2, read: 'getAt' },
  timers: { options: 1, read: 'timers' },
  tasks: { options: 1, read: 'tasks' },
  assign: { options: 2 },
  explainAssignment: { options: 1 },
  logActivity: { options: 2 },
  addTask: { options: 2 },
  completeTask: { options: 2 },
  createOrMerge: { options: 2 },
  claim: { options: 1 },
  distribute: { options: 2 },
  returnToPool: { options: 2 },
  returnManyToPool: { options: 2 },
  distributeMany: { options: 1 },
  handover: { options: 2 },
  approve: { options: 1 },
  reject: { options: 1 },
  getFor: { options: 1 },
  queryFor: { options: 1 },
  can: { options: 2 },
};

/** What the gate needs of the engine to filter reads by the `read` rule. */
export interface ReadCheck {
  /** The engine's default tenant. */
  tenantId: string;
  /** Whether the (resolved) actor may read the record (false when it does not exist). */
  mayRead(recordId: string, actor: Actor, tenantId: string): Promise<boolean>;
}

type Fn = (...args: unknown[]) => unknown;

function withActor(options: unknown, actor: Actor): Record<string, unknown> {
  return { ...(typeof options === 'object' && options !== null ? options : {}), actor };
}

/**
 * Puts identity in front of an engine's public methods: each call's `actor` is resolved (the
 * system handle, the directory's rep, or the anonymous actor) and bound to the call's tenant
 * before the engine sees it; with permissions configured, reads that return history, timers or
 * tasks are filtered by the `read` rule.
 */
export function guardIdentity<E extends object>(engine: E, identity: Identity, reads: ReadCheck): E {
  const guarded = Object.create(engine) as Record<string, unknown>;
  const inner = engine as unknown as Record<string, Fn>;
  const tenantOf = (options: unknown): string => {
    const t = typeof options === 'object' && options !== null ? (options as { tenantId?: unknown }).tenantId : undefined;
    return typeof t === 'string' ? t : reads.tenantId;
  };
  async function filtered(shape: MethodShape, name: string, args: unknown[], actor: Actor, tenant: string): Promise<unknown> {
    const fn = inner[name]!;
    if (shape.read === 'tasks') {
      const rows = (await fn.apply(engine, args)) as TaskRow[];
      return keepReadable(rows, actor, tenant);
    }
    const readable = await reads.mayRead(args[0] as string, actor, tenant);
    if (readable) return fn.apply(engine, args);
    return shape.read === 'getAt' ? null : [];
  }
  async function keepReadable<T extends { recordId: string }>(rows: T[], actor: Actor, tenant: string): Promise<T[]> {
    const ids = [...new Set(rows.map((r) => r.recordId))];
    const ok = new Set<string>();
    await Promise.all(ids.map(async (id) => { if (await reads.mayRead(id, actor, tenant)) ok.add(id); }));
    return rows.filter((r) => ok.has(r.recordId));
  }
  // (`args` is the wrapper's own rest array: the resolved actor is put into it in place)
  const call = (name: string, shape: MethodShape, args: unknown[], actor: Actor, tenant: string): unknown => {
    while (args.length <= shape.options) args.push(undefined);
    args[shape.options] = withActor(args[shape.options], actor);
    if (identity.closed && shape.read !== undefined && actor !== SYSTEM) return filtered(shape, name, args, actor, tenant);
    return inner[name]!.apply(engine, args);
  };
  for (const [name, shape] of Object.entries(METHODS)) {
    if (typeof inner[name] !== 'function') continue;
    guarded[name] = (...args: unknown[]): unknown => {
      const options = args[shape.options];
      const tenant = tenantOf(options);
      let actor: Actor | Promise<Actor>;
      try {
        const given = typeof options === 'object' && options !== null ? (options as { actor?: unknown }).actor : undefined;
        actor = identity.resolve(given, tenant, `${name}`);
      } catch (e) {
        return Promise.reject(e);
      }
      return actor instanceof Promise ? actor.then((a) => call(name, shape, args, a, tenant)) : call(name, shape, args, actor, tenant);
    };
  }
  // agenda(actor, day, options): the actor is whose day it is, and who reads it
  if (typeof inner.agenda === 'function') {
    guarded.agenda = async (who: unknown, day: unknown, options?: unknown): Promise<unknown> => {
      const tenant = tenantOf(options);
      const actor = await identity.resolve(typeof who === 'string' ? { id: who } : who, tenant, 'agenda');
      const agenda = (await inner.agenda!.call(engine, actor, day, options)) as Record<string, unknown> & { overdue: TaskRow[]; dueToday: TaskRow[]; dates: TaskRow[]; deadlines: Array<{ recordId: string }> };
      if (!identity.closed) return agenda;
      return {
        ...agenda,
        overdue: await keepReadable(agenda.overdue, actor, tenant),
        dueToday: await keepReadable(agenda.dueToday, actor, tenant),
        dates: await keepReadable(agenda.dates, actor, tenant),
        deadlines: await keepReadable(agenda.deadlines, actor, tenant),
      };
    };
  }
  guarded.system = identity.system;
  return guarded as E;
}
