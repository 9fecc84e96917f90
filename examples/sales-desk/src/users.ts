import { readFileSync } from 'node:fs';
import { scryptSync, timingSafeEqual } from 'node:crypto';
import { createMemoryDirectory } from '@dealflow/core';
import type { Actor, MemoryDirectory, Rep, Team } from '@dealflow/core';

/** A person who may sign in: a rep of the engine's directory plus a password hash. */
export interface DeskUser extends Rep {
  name: string;
  roles: string[];
  /** `scrypt:<salt hex>:<hash hex>` (32-byte key). */
  password: string;
}

/** The directory file: users (reps, managers, finance, admins) and teams. */
export interface DeskDirectory {
  users: DeskUser[];
  teams: Team[];
  /** The engine's view of the same people (roles, teams, managers), for routing and permissions. */
  directory: MemoryDirectory;
  byId: Map<string, DeskUser>;
}

/** Reads the directory file: who may sign in, and the sales org the engine routes and authorizes by. */
export function loadDirectory(file: string): DeskDirectory {
  const raw = JSON.parse(readFileSync(file, 'utf8')) as { users: DeskUser[]; teams: Team[] };
  const reps: Rep[] = raw.users.map(({ password: _p, ...rep }) => rep);
  // the web form's service account: known to the engine (so its calls resolve to role `intake`),
  // never a sign-in user, never given records
  reps.push({ id: WEB_FORM_ACTOR.id, name: 'Web form / 网站表单', roles: ['intake'], active: false });
  return { users: raw.users, teams: raw.teams, directory: createMemoryDirectory({ reps, teams: raw.teams }), byId: new Map(raw.users.map((u) => [u.id, u])) };
}

/** Checks a password against the user's scrypt hash (constant time); unknown users fail the same way. */
export function verifyPassword(user: DeskUser | undefined, password: string): boolean {
  const [scheme, salt, hex] = (user?.password ?? 'scrypt:00:00').split(':');
  if (scheme !== 'scrypt' || !salt || !hex) return false;
  const want = Buffer.from(hex, 'hex');
  const got = scryptSync(password, salt, want.length || 32);
  return user !== undefined && got.length === want.length && timingSafeEqual(got, want);
}

/**
 * Who acts, for every engine call the desk makes on behalf of a signed-in user: the ONE place
 * that turns a session's user into an engine actor. Only the id: the engine resolves roles, team
 * and manager from the directory itself (roles a caller passes are not trusted).
 */
export function actorFor(user: Pick<DeskUser, 'id'>): Actor {
  return { id: user.id };
}

/** The actor of the public web-to-lead form (no signed-in user): the `intake` service account. */
export const WEB_FORM_ACTOR: Actor = { id: 'web-form' };

/** Whether the user has one of the roles. */
export function hasRole(user: Pick<DeskUser, 'roles'>, ...roles: string[]): boolean {
  return roles.some((r) => user.roles.includes(r));
}
