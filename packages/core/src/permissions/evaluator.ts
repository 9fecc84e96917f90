import { DealflowError } from '@dealflow/logic';
import type { Problem } from '@dealflow/logic';
import type { StoredRecord } from '../storage/types.js';
import type { Directory } from '../directory/types.js';
import { managerChain } from '../directory/memory.js';
import { SYSTEM_ROLE } from '../identity/identity.js';
import { recordView } from '../blueprint/record-view.js';
import type { RecordLike } from '../blueprint/record-view.js';
import { compileInto, throwProblems, truthy, zodProblems } from '../assignment/rules.js';
import type { CompiledRule, RuleCompiler } from '../assignment/rules.js';
import { permissionsConfigSchema } from './schema.js';
import type { PermissionAction, PermissionsConfig } from './schema.js';

/** Who acts (the engine's actor shape). */
export interface ActorLike {
  /** The actor's id: a rep id from the directory, which supplies roles, teams and tenants. */
  id: string;
  /**
   * Roles the caller claims. Counted only with `createEngine({ identity: { trustCallerRoles: true } })`
   * (and never `system`); otherwise the directory's roles decide.
   */
  roles?: string[];
  /** The team the actor acts for (default: the rep's first team). */
  team?: string | null;
}

/** The actor as permission rules see it: the call's actor merged with the directory's rep. */
export interface ActorView {
  /** The actor's id. */
  id: string;
  /** The actor's roles (from the directory; caller roles only when trusted). */
  roles: string[];
  /** The team the actor acts for, or `null`. */
  team: string | null;
  /** Every team the rep belongs to. */
  teamIds: string[];
  /** The rep's region, or `null`. */
  region: string | null;
  /** The rep's manager, or `null`. */
  managerId: string | null;
  /** Managers above the actor, nearest first. */
  managerChain: string[];
  /** The rep's directory attributes (skills, territory). */
  attributes: Record<string, unknown>;
}

/** The compiled permission rules. */
export interface Permissions {
  /** The validated configuration the rules were compiled from. */
  readonly config: PermissionsConfig;
  /** The rule data `{actor, record, fields, now}` for an actor and a record. */
  dataFor(actor: ActorLike, record: RecordLike | StoredRecord, now: string): Promise<Record<string, unknown>>;
  /** Whether the actor may do `action` on the record (`name` = event or field for transitions/fields). */
  can(action: PermissionAction, actor: ActorLike, record: RecordLike | StoredRecord, now: string, name?: string): Promise<boolean>;
  /** Like `can`, but throws `FORBIDDEN` naming the actor, the action and the record. */
  assert(action: PermissionAction, actor: ActorLike, record: RecordLike | StoredRecord, now: string, name?: string): Promise<void>;
  /** Field names the actor may not edit among `fields`. */
  forbiddenFields(actor: ActorLike, record: RecordLike | StoredRecord, fields: string[], now: string): Promise<string[]>;
}

/**
 * Compiles permission rules: JSON-logic over `{ actor, record, fields, now }`. `record` carries
 * `ownerManagerChain` and `ownerTeamIds`, `actor` carries `roles`, `teamIds`, `managerChain`.
 * With `denyByDefault` (the engine sets it when permissions are configured), an action no rule
 * covers is denied; the `system` role passes every rule.
 *
 * @example
 * ```ts
 * const perms = createPermissions({ read: { or: [{ '==': [{ var: 'actor.id' }, { var: 'record.ownerId' }] }, { in: [{ var: 'actor.id' }, { var: 'record.ownerManagerChain' }] }] } }, compiler, directory);
 * ```
 */
export function createPermissions(config: unknown, compiler: RuleCompiler, directory: Directory, path = '$.permissions', options: { denyByDefault?: boolean } = {}): Permissions {
  const deny = options.denyByDefault === true;
  const parsed = permissionsConfigSchema.safeParse(config ?? {});
  if (!parsed.success) throwProblems('permission rules', zodProblems(parsed.error, path));
  const cfg = parsed.data as PermissionsConfig;
  const problems: Problem[] = [];
  const c = (rule: unknown, p: string): CompiledRule | null => (rule === undefined ? null : compileInto(compiler, rule, p, problems));
  const simple: Partial<Record<PermissionAction, CompiledRule | null>> = {};
  for (const action of ['read', 'create', 'edit', 'claim', 'distribute', 'assign', 'approve', 'handover', 'activity'] as const) {
    simple[action] = c(cfg[action], `${path}.${action}`);
  }
  const transitions = new Map(Object.entries(cfg.transitions ?? {}).map(([k, v]) => [k, c(v, `${path}.transitions.${k}`)!]));
  const fields = new Map(Object.entries(cfg.fields ?? {}).map(([k, v]) => [k, c(v, `${path}.fields.${k}`)!]));
  throwProblems('permission rules', problems);
  // the system role is always super: timers and escalations act as the system
  const superRoles = new Set([SYSTEM_ROLE, ...(cfg.superRoles ?? [])]);

  async function actorView(actor: ActorLike): Promise<ActorView> {
    const rep = await directory.getRep(actor.id);
    return {
      id: actor.id,
      roles: [...new Set([...(actor.roles ?? []), ...(rep?.roles ?? []).filter((r) => r !== SYSTEM_ROLE)])],
      team: actor.team ?? rep?.teamIds?.[0] ?? null,
      teamIds: rep?.teamIds ?? (actor.team ? [actor.team] : []),
      region: rep?.region ?? null,
      managerId: rep?.managerId ?? null,
      managerChain: await managerChain(directory, actor.id),
      attributes: rep?.attributes ?? {},
    };
  }
  async function dataFor(actor: ActorLike, record: RecordLike | StoredRecord, now: string): Promise<Record<string, unknown>> {
    const view = recordView(record);
    const owner = view.ownerId ? await directory.getRep(view.ownerId) : null;
    return {
      actor: await actorView(actor),
      record: { ...view, ownerManagerChain: await managerChain(directory, view.ownerId), ownerTeamIds: owner?.teamIds ?? [] },
      fields: view.fields,
      now,
    };
  }
  const isSuper = (actor: ActorLike): boolean => (actor.roles ?? []).some((r) => superRoles.has(r));
  function ruleFor(action: PermissionAction, name?: string): CompiledRule | null {
    if (action === 'transition') return (name !== undefined ? transitions.get(name) : undefined) ?? transitions.get('*') ?? null;
    return simple[action] ?? null;
  }
  async function can(action: PermissionAction, actor: ActorLike, record: RecordLike | StoredRecord, now: string, name?: string): Promise<boolean> {
    if (isSuper(actor)) return true;
    const rule = ruleFor(action, name);
    if (!rule) return !deny;
    return truthy(rule(await dataFor(actor, record, now)));
  }
  return {
    config: cfg,
    dataFor,
    can,
    async assert(action, actor, record, now, name) {
      if (await can(action, actor, record, now, name)) return;
      const what = action === 'transition' ? `fire '${name}' on` : `${action}`;
      const path = `$.permissions.${action === 'transition' ? `transitions.${transitions.has(name ?? '') || !transitions.has('*') ? name : '*'}` : action}`;
      const why = ruleFor(action, name) ? `rule ${path}` : `no rule ${path}: what no rule allows is denied`;
      throw new DealflowError('FORBIDDEN', `Actor '${actor.id}' may not ${what} record '${record.id ?? '(new)'}' (${why})`, {
        details: { actorId: actor.id, action, recordId: record.id ?? null, name: name ?? null },
      });
    },
    async forbiddenFields(actor, record, names, now) {
      if (isSuper(actor)) return [];
      const data = simple.edit || fields.size > 0 ? await dataFor(actor, record, now) : null;
      if (data && simple.edit && !truthy(simple.edit(data))) return names;
      // with permissions configured, a field that neither `edit` nor its own rule allows is denied
      return names.filter((n) => { const r = fields.get(n); return r ? !truthy(r(data)) : deny && !simple.edit; });
    },
  };
}
