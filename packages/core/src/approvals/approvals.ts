import type { Problem } from '@dealflow/logic';
import type { StoredRecord } from '../storage/types.js';
import type { Directory } from '../directory/types.js';
import { managerChain } from '../directory/memory.js';
import { compileInto, throwProblems, truthy, zodProblems } from '../assignment/rules.js';
import type { CompiledRule, RuleCompiler } from '../assignment/rules.js';
import { ruleData } from '../assignment/context.js';
import { approvalsConfigSchema } from './schema.js';
import type { ApprovalRule } from './schema.js';

/** Compiled approval rules. */
export interface Approvals {
  /** The parsed approval rules, in order. */
  readonly rules: readonly ApprovalRule[];
  /** The first rule requiring approval for firing `event` on the record now, or null. */
  required(record: StoredRecord, event: { type: string; fields?: Record<string, unknown>; data?: Record<string, unknown> }, actor: unknown, now: string): ApprovalRule | null;
  /** Who may decide, for a rule and a record: rep ids and/or a role. */
  approversFor(rule: ApprovalRule, record: StoredRecord): Promise<{
    /** Rep ids who may decide (empty for a role rule). */
    ids: string[];
    /** The role whose reps may decide, or null. */
    role: string | null;
  }>;
}

/**
 * Compiles approval rules: `{ id, event, when, approver }`.
 *
 * @example
 * ```ts
 * createApprovals([{ id: 'big-discount', event: 'win', when: { '>': [{ var: 'fields.discount' }, 20] }, approver: 'manager' }], compiler, directory)
 * ```
 */
export function createApprovals(config: unknown, compiler: RuleCompiler, directory: Directory, path = '$.approvals'): Approvals {
  const parsed = approvalsConfigSchema.safeParse(config ?? []);
  if (!parsed.success) throwProblems('approval rules', zodProblems(parsed.error, path));
  const rules = parsed.data as ApprovalRule[];
  const problems: Problem[] = [];
  const whens: Array<CompiledRule | null> = rules.map((r, i) => (r.when === undefined ? null : compileInto(compiler, r.when, `${path}[${i}].when`, problems)));
  throwProblems('approval rules', problems);
  return {
    rules,
    required(record, event, actor, now) {
      for (let i = 0; i < rules.length; i++) {
        const r = rules[i]!;
        if (r.event !== event.type || (r.types && !r.types.includes(record.type))) continue;
        const when = whens[i];
        if (!when) return r;
        const merged = { ...record, fields: { ...record.fields, ...(event.fields ?? {}) } };
        const data = { ...ruleData(merged, now, actor), event: { type: event.type, data: event.data ?? {} } };
        if (truthy(when(data))) return r;
      }
      return null;
    },
    async approversFor(rule, record) {
      const a = rule.approver;
      if (typeof a === 'object' && 'role' in a) return { ids: [], role: a.role };
      if (typeof a === 'object') return { ids: [a.rep], role: null };
      if (a === 'owner') return { ids: record.ownerId ? [record.ownerId] : [], role: null };
      if (a === 'teamManager') {
        const team = record.teamId ? await directory.getTeam(record.teamId) : null;
        return { ids: team?.managerId ? [team.managerId] : [], role: null };
      }
      const chain = await managerChain(directory, record.ownerId);
      const id = a === 'manager' ? chain[0] : chain[1];
      return { ids: id ? [id] : [], role: null };
    },
  };
}
