import { DealflowError } from '@dealflow/logic';
import type { Directory, Rep, Team } from './types.js';

/** Options of {@link createMemoryDirectory}. */
export interface CreateMemoryDirectoryOptions {
  /** The reps (ids unique). */
  reps?: Rep[];
  /** The teams (ids unique). */
  teams?: Team[];
}

/** The in-memory directory: a {@link Directory} plus methods to change it at run time. Reads return frozen snapshots. */
export interface MemoryDirectory extends Directory {
  /** The rep with this id (a frozen copy), or `null`. */
  getRep(id: string): Rep | null;
  /** The team with this id (a frozen copy), or `null`. */
  getTeam(id: string): Team | null;
  listReps(): Rep[];
  /** Adds or replaces a rep. */
  upsertRep(rep: Rep): void;
  /** Adds or replaces a team. */
  upsertTeam(team: Team): void;
  /** Marks a rep inactive (a departing rep): they receive no new records. */
  deactivateRep(id: string): void;
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}

/** Reps and teams are kept as frozen copies and handed out as they are (no per-call cloning). */
function copyRep(rep: Rep): Rep {
  return structuredClone(rep);
}

/**
 * An in-memory {@link Directory}. Team membership may be given on the team (`memberIds`) or on
 * the rep (`teamIds`); both are merged.
 *
 * @example
 * ```ts
 * const directory = createMemoryDirectory({
 *   reps: [{ id: 'ann', managerId: 'mia', region: 'East', capacity: { maxOpen: 20 } }],
 *   teams: [{ id: 'east', managerId: 'mia', memberIds: ['ann'] }],
 * });
 * ```
 */
export function createMemoryDirectory(options: CreateMemoryDirectoryOptions = {}): MemoryDirectory {
  const reps = new Map<string, Rep>();
  const teams = new Map<string, Team>();
  const frozenReps = new Map<string, Rep>();
  const frozenTeams = new Map<string, Team>();
  const refreeze = (): void => {
    frozenReps.clear();
    frozenTeams.clear();
    for (const [id, r] of reps) frozenReps.set(id, deepFreeze(structuredClone(r)));
    for (const [id, t] of teams) frozenTeams.set(id, deepFreeze(structuredClone(t)));
  };

  const link = (): void => {
    for (const team of teams.values()) {
      for (const repId of team.memberIds) {
        const rep = reps.get(repId);
        if (rep && !(rep.teamIds ?? []).includes(team.id)) rep.teamIds = [...(rep.teamIds ?? []), team.id];
      }
    }
    for (const rep of reps.values()) {
      for (const teamId of rep.teamIds ?? []) {
        const team = teams.get(teamId);
        if (team && !team.memberIds.includes(rep.id)) team.memberIds.push(rep.id);
      }
    }
  };

  const directory: MemoryDirectory = {
    getRep: (id) => frozenReps.get(id) ?? null,
    getTeam: (id) => frozenTeams.get(id) ?? null,
    listReps: () => [...frozenReps.values()],
    upsertRep: (rep) => {
      if (!rep.id) throw new DealflowError('INPUT_INVALID', 'A rep needs a non-empty id');
      reps.set(rep.id, copyRep(rep));
      link();
      refreeze();
    },
    upsertTeam: (team) => {
      if (!team.id) throw new DealflowError('INPUT_INVALID', 'A team needs a non-empty id');
      teams.set(team.id, { ...structuredClone(team), memberIds: [...team.memberIds] });
      link();
      refreeze();
    },
    deactivateRep: (id) => {
      const rep = reps.get(id);
      if (!rep) throw new DealflowError('NOT_FOUND', `Rep '${id}' is not in the directory`, { details: { repId: id } });
      rep.active = false;
      refreeze();
    },
  };
  for (const team of options.teams ?? []) teams.set(team.id, { ...structuredClone(team), memberIds: [...team.memberIds] });
  for (const rep of options.reps ?? []) reps.set(rep.id, copyRep(rep));
  link();
  refreeze();
  return directory;
}

/**
 * The manager chain above a rep (manager, their manager, …), nearest first. Stops on cycles.
 *
 * @example
 * ```ts
 * await managerChain(directory, 'ann') // ['mia', 'dora']
 * ```
 */
export async function managerChain(directory: Directory, repId: string | null | undefined, max = 10): Promise<string[]> {
  const chain: string[] = [];
  let current = repId ? await directory.getRep(repId) : null;
  while (current?.managerId && chain.length < max && !chain.includes(current.managerId) && current.managerId !== repId) {
    chain.push(current.managerId);
    current = await directory.getRep(current.managerId);
  }
  return chain;
}
