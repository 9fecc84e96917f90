import { z } from 'zod';
import { targetSchema } from '../escalation/schema.js';

/** One approval rule: firing `event` while `when` holds needs `approver`'s decision. */
export const approvalRuleSchema = z
  .object({
    /** Rule id, named in the pending approval (`ruleId`) and its messages. */
    id: z.string().min(1),
    /** Free text for people reading the rules; not used by the engine. */
    description: z.string().optional(),
    /** The transition event that needs approval. */
    event: z.string().min(1),
    /** Only records of these record types (default: every type). */
    types: z.array(z.string().min(1)).optional(),
    /** JSON-logic over `{record, fields, actor, now, event}`; absent = always. */
    when: z.unknown().optional(),
    /** Who decides: the owner's `manager`/`director`, a named rep, or any rep with a role. */
    approver: z.union([targetSchema, z.object({
      /** Any rep with this role (in the directory or on the deciding actor) may decide. */
      role: z.string().min(1),
    }).strict()]),
  })
  .strict();

/** The `approvals` section of the engine rules: a list of `approvalRuleSchema` rules. */
export const approvalsConfigSchema = z.array(approvalRuleSchema);

/** One approval rule after parsing (see `approvalRuleSchema`). */
export type ApprovalRule = z.infer<typeof approvalRuleSchema>;

/** A pending approval, kept in `record.meta.pendingApproval`. */
export interface PendingApproval {
  /** The approval's id (`apr…`). */
  id: string;
  /** The approval rule that held the event. */
  ruleId: string;
  /** The held transition event; sent on approval. */
  event: string;
  /** Field values the held event carried (sent again on approval). */
  fields?: Record<string, unknown>;
  /** Event data the held event carried (sent again on approval). */
  data?: Record<string, unknown>;
  /** The actor who sent the event; the event is sent as them on approval, and they are notified of the decision. */
  requestedBy: string;
  /** When the event was held (ISO UTC). */
  requestedAt: string;
  /** Rep ids allowed to decide (empty with `role`). */
  approverIds: string[];
  /** With an `approver: { role }` rule: the role whose reps may decide; else null. */
  approverRole: string | null;
}
