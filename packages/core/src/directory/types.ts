/**
 * The directory: who the reps and teams are. The app owns this data (HR system, user table);
 * Dealflow reads it through this small interface. An in-memory directory ships
 * ({@link createMemoryDirectory}).
 */

/** A value that may be returned synchronously or as a promise. */
export type Awaitable<T> = T | Promise<T>;

/** Capacity caps of one rep (Odoo-style). Omitted parts mean "no cap". */
export interface RepCapacity {
  /** At most this many open records owned at once. */
  maxOpen?: number;
  /** At most this many new assignments per period. */
  maxPerPeriod?: number;
  /** The period of `maxPerPeriod` (calendar period in the assignment time zone). Default `month`. */
  period?: 'day' | 'week' | 'month';
}

/** A sales rep (or manager, director: anyone who can own or act on records). */
export interface Rep {
  id: string;
  name?: string;
  /** Teams the rep belongs to. */
  teamIds?: string[];
  /** The rep's manager (a rep id), for escalation and permission rules. */
  managerId?: string | null;
  region?: string | null;
  /** Roles used by permission rules, e.g. `['rep']`, `['manager']`, `['admin']`. */
  roles?: string[];
  /** Skills and territory: `{ products: ['GTX Pro'], language: ['en','de'] }`. Arrays match any. */
  attributes?: Record<string, unknown>;
  /** Inactive reps never receive records. Default true. */
  active?: boolean;
  capacity?: RepCapacity;
  /** Weight for weighted least-loaded assignment (load / weight). Default 1. */
  weight?: number;
}

/** A team (or regional pool). */
export interface Team {
  id: string;
  name?: string;
  managerId?: string | null;
  region?: string | null;
  /** Member rep ids (the order does not matter: strategies sort by id). */
  memberIds: string[];
  attributes?: Record<string, unknown>;
}

/** What Dealflow needs from the app's directory. Methods may be sync or async. */
export interface Directory {
  getRep(id: string): Awaitable<Rep | null>;
  getTeam(id: string): Awaitable<Team | null>;
  /** Every rep (used by skill/territory matching without a team, and by handover). */
  listReps(): Awaitable<Rep[]>;
}
