import { z } from 'zod';

const duration = z.string().regex(/^P(?!$)(\d+Y)?(\d+M)?(\d+W)?(\d+D)?(T(?=\d)(\d+H)?(\d+M)?(\d+(\.\d+)?S)?)?$/, 'must be an ISO-8601 duration such as P7D');

/** The `pool` section of the engine rules (public pool, 公海). */
export const poolConfigSchema = z
  .object({
    /** Record types the pool rules apply to (default: all). */
    types: z.array(z.string().min(1)).optional(),
    /** Most claims per rep per period. */
    claimLimit: z.object({
      /** Claims allowed per rep in one period (0: none). */
      max: z.number().int().min(0),
      /** The period the claims are counted in (calendar day, week or month in `timeZone`). */
      period: z.enum(['day', 'week', 'month']),
    }).strict().optional(),
    /** An owned record with no activity for this long returns to its pool. */
    returnAfter: duration.optional(),
    /** A rep may not re-claim a record returned from them for this long. */
    cooldown: duration.optional(),
    /** Business calendar id for `returnAfter` and `cooldown`. */
    calendar: z.string().optional(),
    /** Pool for records that never had one (default: the record's team, else `general`). */
    defaultPool: z.string().min(1).optional(),
    /** Time zone of claim periods (default UTC). */
    timeZone: z.string().optional(),
  })
  .strict();

/** The `pool` section of the engine rules after parsing (see {@link poolConfigSchema}). */
export type PoolConfig = z.infer<typeof poolConfigSchema>;

/** What `record.meta.pool` holds while a record is (or was last) in a pool. */
export interface PoolState {
  /** The pool the record is (or was last) in. */
  poolId: string;
  /** When it entered the pool. */
  since: string;
  /** Why: `assignment`, `returned`, `no_follow_up`, `handover`, `escalation`. */
  reason: string;
  /** Rep it was returned from, if any. */
  returnedFrom?: string | null;
  /** Rep id → ISO time until which that rep may not claim it. */
  cooldown?: Record<string, string>;
}
