export { createApprovals } from './approvals.js';
export type { Approvals } from './approvals.js';
export { approvalsConfigSchema, approvalRuleSchema } from './schema.js';
export type { ApprovalRule, PendingApproval } from './schema.js';
