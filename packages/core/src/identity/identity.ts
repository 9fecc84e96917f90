import { DealflowError } from '@dealflow/logic';
import type { Actor } from '../blueprint/machine.js';
import type { Directory, Rep } from '../directory/types.js';

/**
 * How the engine learns who acts (`createEngine({ identity })`). The caller says WHO acts
 * (`{ actor: { id } }`); the engine resolves WHAT that actor is (roles, team, tenants) from the
 * directory.
 */
export interface IdentityOptions {
  /**
   * Take the roles and team a caller passes in `ctx.actor` as given (merged with the directory's).
   * Off by default: only the directory says what an actor may be. Turn it on only when every call
   * comes from code you trust with roles (tests, scripts, a back office without end users).
   * The reserved role `system` is dropped even then: acting as the system needs `engine.system`.
   */
  trustCallerRoles?: boolean;
}

/** The role of the system actor; reserved: never taken from a caller or the directory. */
export const SYSTEM_ROLE = 'system';

/** The system as the engine's internals act: timers, escalations, the `engine.system` handle. */
export const SYSTEM: Actor = Object.freeze({ id: 'system', roles: Object.freeze([SYSTEM_ROLE]) as string[], team: null });

/** Who acts when a call names no actor and no permissions are configured. */
export const ANONYMOUS: Actor = Object.freeze({ id: 'anonymous', roles: Object.freeze([]) as unknown as string[], team: null });

/** The engine's identity resolver (see {@link createIdentity}). */
export interface Identity {
  /** The engine's system handle: the only way a caller acts as the system. */
  readonly system: Actor;
  /** True when permissions are configured: a call needs a known actor, what no rule allows is denied. */
  readonly closed: boolean;
  /**
   * The actor a call acts as, resolved from the directory, for a call in `tenantId`.
   * Synchronous when the engine has no directory (the hot path of apps without identity).
   */
  resolve(actor: unknown, tenantId: string, what: string): Actor | Promise<Actor>;
}

/** Options of {@link createIdentity}. */
export interface CreateIdentityOptions extends IdentityOptions {
  /** Where actors are looked up (null: an engine without sales rules or directory). */
  directory: Directory | null;
  /** Permissions are configured: missing or unknown actors are refused. */
  closed: boolean;
  /** The engine's default tenant: the tenant of a rep whose `tenantIds` are not given. */
  defaultTenant: string;
}

function forbidden(message: string, details: Record<string, unknown>): DealflowError {
  return new DealflowError('FORBIDDEN', message, { details });
}

function callerRoles(actor: { roles?: unknown }): string[] {
  return Array.isArray(actor.roles) ? actor.roles.filter((r): r is string => typeof r === 'string' && r !== SYSTEM_ROLE) : [];
}

/** The tenants a rep belongs to: `rep.tenantIds`, or the engine's default tenant. */
export function tenantsOf(rep: Rep, defaultTenant: string): readonly string[] {
  return rep.tenantIds ?? [defaultTenant];
}

/**
 * Builds the engine's identity resolver. A call's actor becomes:
 * - `engine.system` (by reference, not by its id or roles) → the system;
 * - no actor → refused with `FORBIDDEN` when permissions are configured, else the anonymous actor;
 * - an id the directory knows → that rep's roles and first team, refused with `FORBIDDEN` when the
 *   call's tenant is not one of the rep's (`rep.tenantIds`, default the engine's tenant);
 * - an id it does not know → refused with `FORBIDDEN` when permissions are configured, else an
 *   actor without roles.
 * Caller-supplied roles count only with `trustCallerRoles`; the `system` role never does.
 *
 * @example
 * ```ts
 * const identity = createIdentity({ directory, closed: true, defaultTenant: 'default' })
 * const ann = await identity.resolve({ id: 'ann', roles: ['admin'] }, 'default', 'send') // roles from the directory
 * ```
 */
export function createIdentity(options: CreateIdentityOptions): Identity {
  const { directory, closed, defaultTenant } = options;
  const trust = options.trustCallerRoles === true;
  const system: Actor = Object.freeze({ id: 'system', roles: Object.freeze([SYSTEM_ROLE]) as string[], team: null });

  function fromRep(actor: { id: string; roles?: unknown; team?: unknown }, rep: Rep | null, tenantId: string, what: string): Actor {
    if (!rep) {
      if (closed) throw forbidden(`${what}: actor '${actor.id}' is not in the directory`, { actorId: actor.id, reason: 'unknown_actor' });
      return { id: actor.id, roles: trust ? callerRoles(actor) : [], team: trust && typeof actor.team === 'string' ? actor.team : null };
    }
    const tenants = tenantsOf(rep, defaultTenant);
    if (!tenants.includes(tenantId)) {
      throw forbidden(`${what}: actor '${actor.id}' does not belong to tenant '${tenantId}'`, { actorId: actor.id, tenantId, reason: 'foreign_tenant' });
    }
    const own = (rep.roles ?? []).filter((r) => r !== SYSTEM_ROLE);
    const roles = trust ? [...new Set([...callerRoles(actor), ...own])] : own;
    const team = trust && typeof actor.team === 'string' ? actor.team : rep.teamIds?.[0] ?? null;
    return { id: actor.id, roles, team };
  }

  return {
    system,
    closed,
    resolve(actor, tenantId, what) {
      if (actor === system) return SYSTEM;
      if (actor === undefined || actor === null) {
        if (closed) throw forbidden(`${what} needs an actor: permissions are configured (pass { actor: { id } }, or engine.system)`, { reason: 'no_actor' });
        return ANONYMOUS;
      }
      const a = actor as { id?: unknown; roles?: unknown; team?: unknown };
      if (typeof a !== 'object' || typeof a.id !== 'string' || a.id.length === 0) {
        throw new DealflowError('INPUT_INVALID', `${what}: ctx.actor must be { id }, got ${JSON.stringify(actor)}`);
      }
      const who = a as { id: string; roles?: unknown; team?: unknown };
      if (!directory) return fromRep(who, null, tenantId, what);
      const rep = directory.getRep(who.id);
      return rep instanceof Promise ? rep.then((r) => fromRep(who, r, tenantId, what)) : fromRep(who, rep, tenantId, what);
    },
  };
}
