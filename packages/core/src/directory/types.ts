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
  /** The rep's id: what records' `ownerId` and actors' `id` hold. */
  id: string;
  /** Display name. */
  name?: string;
  /** Teams the rep belongs to. */
  teamIds?: string[];
  /** The rep's manager (a rep id), for escalation and permission rules. */
  managerId?: string | null;
  /** Sales region, for territory assignment rules (`actor.region` in permission rules). */
  region?: string | null;
  /**
   * Tenants the rep may act in: a call for any other tenant is refused with `FORBIDDEN`.
   * Omitted = the engine's default tenant only (`createEngine({ tenantId })`).
   */
  tenantIds?: string[];
  /** Roles used by permission rules, e.g. `['rep']`, `['manager']`, `['admin']` (`system` is reserved). */
  roles?: string[];
  /** Skills and territory: `{ products: ['GTX Pro'], language: ['en','de'] }`. Arrays match any. */
  attributes?: Record<string, unknown>;
  /** Inactive reps never receive records. Default true. */
  active?: boolean;
  /** Caps on open records and new assignments (omitted: no cap). */
  capacity?: RepCapacity;
  /** Weight for weighted least-loaded assignment (load / weight). Default 1. */
  weight?: number;
  /**
   * When the rep can receive records from rotations (round robin, least loaded): working hours in
   * the rep's time zone, and periods away (holiday, sick leave). Outside them the rep is skipped
   * and keeps their place in the rotation. Omitted = always available.
   */
  availability?: RepAvailability;
}

/** A rep's availability windows (see {@link Rep.availability}). */
export interface RepAvailability {
  /** IANA time zone of `workingHours`, e.g. `Asia/Shanghai`. */
  timeZone: string;
  /** Hours per weekday, e.g. `{ mon: [['09:00','18:00']] }`; days not listed are off. Omitted = every hour. */
  workingHours?: Partial<Record<'mon' | 'tue' | 'wed' | 'thu' | 'fri' | 'sat' | 'sun', Array<[string, string]>>>;
  /** Periods away, ISO instants `[from, to)`. */
  away?: Array<{
    /** First instant away (ISO 8601, inclusive). */
    from: string;
    /** First instant back (ISO 8601, exclusive). */
    to: string;
  }>;
}

/** A team (or regional pool). */
export interface Team {
  /** The team's id: what records' `teamId` and reps' `teamIds` hold. */
  id: string;
  /** Display name. */
  name?: string;
  /** The team's manager (a rep id): the `manager` escalation target of its records. */
  managerId?: string | null;
  /** The team's region, for territory rules. */
  region?: string | null;
  /** Member rep ids (the order does not matter: strategies sort by id). */
  memberIds: string[];
  /** Free attributes for assignment and permission rules (e.g. `{ products: ['GTX Pro'] }`). */
  attributes?: Record<string, unknown>;
}

/** What Dealflow needs from the app's directory. Methods may be sync or async. */
export interface Directory {
  /** The rep with this id, or `null` when unknown (an unknown actor is refused once permissions are on). */
  getRep(id: string): Awaitable<Rep | null>;
  /** The team with this id, or `null` when unknown. */
  getTeam(id: string): Awaitable<Team | null>;
  /** Every rep (used by skill/territory matching without a team, and by handover). */
  listReps(): Awaitable<Rep[]>;
}
