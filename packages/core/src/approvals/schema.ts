import { z } from 'zod';
import { targetSchema } from '../escalation/schema.js';

/** One approval rule: firing `event` while `when` holds needs `approver`'s decision. */
export const approvalRuleSchema = z
  .object({
    id: z.string().min(1),
    description: z.string().optional(),
    /** The transition event that needs approval. */
    event: z.string().min(1),
    types: z.array(z.string().min(1)).optional(),
    /** JSON-logic over `{record, fields, actor, now, event}`; absent = always. */
    when: z.unknown().optional(),
    /** Who decides: the owner's `manager`/`director`, a named rep, or any rep with a role. */
    approver: z.union([targetSchema, z.object({ role: z.string().min(1) }).strict()]),
  })
  .strict();

export const approvalsConfigSchema = z.array(approvalRuleSchema);

export type ApprovalRule = z.infer<typeof approvalRuleSchema>;

/** A pending approval, kept in `record.meta.pendingApproval`. */
export interface PendingApproval {
  id: string;
  ruleId: string;
  event: string;
  /** Field values and data the held event carried. */
  fields?: Record<string, unknown>;
  data?: Record<string, unknown>;
  requestedBy: string;
  requestedAt: string;
  /** Rep ids allowed to decide (empty with `role`). */
  approverIds: string[];
  approverRole: string | null;
}
