import { z } from 'zod';
import { DealflowError, truthy } from '@dealflow/logic';
import type { Problem, RuleFn } from '@dealflow/logic';
import type { EnginePlugin } from '../engine/plugins.js';
import { createCoreRuleEngine } from '../rules.js';
import type { CoreRuleEngine } from '../rules.js';
import type { OutboxMessage, StorageTx, StoredRecord } from '../storage/types.js';
import { followLinks, writeLinkedChange } from './links.js';
import { recordView } from '../blueprint/record-view.js';
import type { RecordView } from '../blueprint/record-view.js';

const linkPath = z.union([z.string().min(1), z.array(z.string().min(1)).min(1)]);
const names = z.union([z.string().min(1), z.array(z.string().min(1)).min(1)]);

/** Which linked records a rule looks at, and which of them count. */
const linkedSelector = z
  .object({
    /**
     * Link name or chain of link names from the record (`'contract'`, `['contract', 'plan', 'instalments']`).
     * Omitted in a cascade target: the record itself.
     */
    via: linkPath.optional(),
    /** Only linked records in one of these stages count. */
    stages: z.array(z.string().min(1)).min(1).optional(),
    /** Only linked records of this type count. */
    type: z.string().min(1).optional(),
    /** JSON-logic over the linked record `{ id, type, stage, ownerId, teamId, fields, pendingApproval }`. */
    where: z.unknown().optional(),
  })
  .strict();

/** A cross-record block: an event is refused while some linked record matches. */
export const linkBlockSchema = z
  .object({
    /** The rule's id, unique among the blocks; named in the refusal (`LinkBlocker.ruleId`). */
    id: z.string().min(1),
    /** Record type the rule applies to (e.g. `deal`). */
    recordType: z.string().min(1),
    /** Event(s) refused. */
    events: names,
    /** Refused while at least one linked record matches this selector. */
    while: linkedSelector,
    /** Reason shown to the rep (the message also names the blocking record and its stage). */
    message: z.string().min(1),
  })
  .strict();

const cascadeAction = z.discriminatedUnion('type', [
  /** Marks every open task of the linked record done. */
  z
    .object({
      /** `'closeTasks'`: mark the linked record's open tasks done. */
      type: z.literal('closeTasks'),
    })
    .strict(),
  /** Adds a task for the linked record's owner. */
  z
    .object({
      /** `'task'`: add a task. */
      type: z.literal('task'),
      /** The task's title, as the owner sees it in the agenda. */
      title: z.string().min(1),
    })
    .strict(),
  /** Notifies the linked record's owner (outbox `dealflow.notify`, `to` = that owner). */
  z
    .object({
      /** `'notify'`: write a notification to the outbox. */
      type: z.literal('notify'),
      /** The notification's text. */
      message: z.string().min(1),
      /** The channel your outbox handler delivers on (e.g. `'email'`); omitted: your handler's default. */
      channel: z.string().min(1).optional(),
    })
    .strict(),
]);

/** A cascade: when a record enters a stage, act on its linked records. */
export const linkCascadeSchema = z
  .object({
    /** The rule's id, unique among the cascades; named in the history of the records it acts on. */
    id: z.string().min(1),
    /** Record type whose stage entry triggers the cascade (e.g. `contract`). */
    recordType: z.string().min(1),
    /** Stage(s) whose entry triggers the cascade. */
    enters: names,
    /** The linked records acted on. */
    target: linkedSelector,
    /** What to do on each target record, in order. */
    actions: z.array(cascadeAction).min(1),
  })
  .strict();

/** Cross-record rules: blocks and cascades. */
export const linkRulesSchema = z
  .object({
    /** Events refused while a linked record matches. */
    blocks: z.array(linkBlockSchema).default([]),
    /** Actions on linked records when a record enters a stage. */
    cascades: z.array(linkCascadeSchema).default([]),
  })
  .strict();

/**
 * Cross-record rules as you write them (JSON or code): `{ blocks?, cascades? }`, validated by
 * {@link linkRulesSchema}.
 *
 * @example
 * ```ts
 * const input: LinkRulesInput = {
 *   blocks: [{ id: 'open-invoice', recordType: 'deal', events: 'win', while: { via: 'invoices', stages: ['overdue'] }, message: 'An invoice is overdue' }],
 * };
 * ```
 */
export type LinkRulesInput = z.input<typeof linkRulesSchema>;
/** One block after validation: an event of `recordType` refused while a linked record matches `while`. */
export type LinkBlockRule = z.output<typeof linkBlockSchema>;
/** One cascade after validation: on entering a stage of `recordType`, `actions` run on the `target` records. */
export type LinkCascadeRule = z.output<typeof linkCascadeSchema>;

/** A linked record that blocks an event. */
export interface LinkBlocker {
  /** The block rule that refused the event. */
  ruleId: string;
  /** The rule's message, for the rep. */
  message: string;
  /** The linked record that blocks. */
  recordId: string;
  /** Its record type. */
  type: string;
  /** Its current stage. */
  stage: string;
}

/** The view of a linked record that `where` rules read. */
export interface LinkedView extends RecordView {
  /** True while the record waits for an approval (sales rules `approvals`). */
  pendingApproval: boolean;
}

/** A linked record as link rules see it: the one record view every rule sees, plus `pendingApproval`. */
function viewOf(r: StoredRecord): LinkedView {
  const pending = r.meta.pendingApproval !== undefined && r.meta.pendingApproval !== null;
  return { ...recordView(r), pendingApproval: pending };
}

interface CompiledSelector {
  via: string[] | null;
  stages: Set<string> | null;
  type: string | null;
  where: RuleFn | null;
}

/** Compiled cross-record rules, with an engine plugin that enforces them. */
export interface LinkRules {
  /** The validated block rules. */
  readonly blocks: readonly LinkBlockRule[];
  /** The validated cascade rules. */
  readonly cascades: readonly LinkCascadeRule[];
  /** Add to `createEngine({ plugins: [rules.plugin] })`. */
  readonly plugin: EnginePlugin;
  /** The linked records that currently block `event` on `record` (empty: not blocked). */
  blockersOf(tx: Pick<StorageTx, 'getRecord'>, record: StoredRecord, event: string): Promise<LinkBlocker[]>;
}

const list = (v: string | string[]): string[] => (typeof v === 'string' ? [v] : v);

/**
 * Compiles cross-record rules (validated with zod and `@dealflow/logic`; `RULE_INVALID` names the
 * bad path). Blocks refuse an event with `DealflowError('REJECTED')` naming the blocking record;
 * cascades act on linked records in the same transaction (each change is a `link-rule` history
 * event on that record, replayable).
 *
 * @example
 * ```ts
 * const links = createLinkRules({
 *   blocks: [{ id: 'approval-first', recordType: 'deal', events: 'win', while: { via: 'contract', stages: ['pending_approval'] }, message: 'the contract is waiting for approval' }],
 *   cascades: [{ id: 'customer-lost', recordType: 'customer', enters: 'lost', target: { via: 'deal' }, actions: [{ type: 'closeTasks' }] }],
 * })
 * const engine = createEngine({ storage, blueprints, plugins: [links.plugin] })
 * ```
 */
export function createLinkRules(input: LinkRulesInput, options: { ruleEngine?: CoreRuleEngine } = {}): LinkRules {
  const parsed = linkRulesSchema.safeParse(input);
  if (!parsed.success) {
    const problems: Problem[] = parsed.error.issues.map((i) => ({ path: `$${i.path.map((k) => (typeof k === 'number' ? `[${k}]` : `.${String(k)}`)).join('')}`, message: i.message, code: i.code }));
    throw new DealflowError('RULE_INVALID', `link rules: ${problems[0]!.path} ${problems[0]!.message}`, { problems });
  }
  const config = parsed.data;
  const engine = options.ruleEngine ?? createCoreRuleEngine();
  const problems: Problem[] = [];
  const compileSel = (s: z.output<typeof linkedSelector>, path: string): CompiledSelector => {
    let where: RuleFn | null = null;
    if (s.where !== undefined) {
      const p = engine.validate(s.where);
      if (p.length > 0) problems.push(...p.map((x) => ({ ...x, path: `${path}.where${x.path.slice(1)}` })));
      else where = engine.compile(s.where);
    }
    if (s.via === undefined && path.startsWith('$.blocks')) problems.push({ path: `${path}.via`, message: 'a block needs the link path (via) to the records that block', code: 'missing_via' });
    return { via: s.via === undefined ? null : typeof s.via === 'string' ? s.via.split('.') : s.via, stages: s.stages ? new Set(s.stages) : null, type: s.type ?? null, where };
  };
  const blocks = config.blocks.map((b, i) => ({ rule: b, events: new Set(list(b.events)), sel: compileSel(b.while, `$.blocks[${i}].while`) }));
  const cascades = config.cascades.map((c, i) => ({ rule: c, enters: new Set(list(c.enters)), sel: compileSel(c.target, `$.cascades[${i}].target`) }));
  const ids = new Set<string>();
  [...config.blocks, ...config.cascades].forEach((r) => {
    if (ids.has(r.id)) problems.push({ path: '$', message: `link rule id '${r.id}' is used twice`, code: 'duplicate_rule' });
    ids.add(r.id);
  });
  if (problems.length > 0) throw new DealflowError('RULE_INVALID', `link rules: ${problems[0]!.path} ${problems[0]!.message}`, { problems });

  const matches = (sel: CompiledSelector, r: StoredRecord): boolean =>
    (sel.stages === null || sel.stages.has(r.stage)) && (sel.type === null || sel.type === r.type) && (sel.where === null || truthy(sel.where(viewOf(r))));

  async function blockersOf(tx: Pick<StorageTx, 'getRecord'>, record: StoredRecord, event: string): Promise<LinkBlocker[]> {
    const out: LinkBlocker[] = [];
    for (const b of blocks) {
      if (b.rule.recordType !== record.type || !b.events.has(event)) continue;
      for (const r of await followLinks(tx, record, b.sel.via ?? [])) {
        if (matches(b.sel, r)) out.push({ ruleId: b.rule.id, message: b.rule.message, recordId: r.id, type: r.type, stage: r.stage });
      }
    }
    return out;
  }

  let seq = 0;
  const plugin: EnginePlugin = {
    name: 'dealflow.links',
    async beforeCommit({ before, after, events, tx, write, writeEffects }) {
      const hist = events[0];
      if (before === null || !hist || hist.kind !== 'transition' || typeof hist.event !== 'string') return;
      const blockers = await blockersOf(tx, before, hist.event);
      if (blockers.length > 0) {
        const b = blockers[0]!;
        throw new DealflowError('REJECTED', `record '${before.id}': event '${hist.event}' is blocked by link rule '${b.ruleId}': ${b.message} (${b.type} '${b.recordId}' is in stage '${b.stage}')`, {
          details: { recordId: before.id, event: hist.event, stage: before.stage, blockers },
        });
      }
      if (after.stage === before.stage) return;
      const outbox: OutboxMessage[] = [];
      const applied: Array<{ rule: string; recordId: string; actions: string[] }> = [];
      for (const c of cascades) {
        if (c.rule.recordType !== after.type || !c.enters.has(after.stage)) continue;
        // a chain that leads back to the record itself acts on the record being written
        const targets = c.sel.via === null ? [after] : (await followLinks(tx, after, c.sel.via)).map((r) => (r.id === after.id ? after : r));
        for (const target of targets) {
          if (!matches(c.sel, target)) continue;
          const self = target === after;
          const next: StoredRecord = self ? after : { ...target, meta: { ...target.meta } };
          const tasksBefore = JSON.stringify(target.meta.tasks);
          const done: string[] = [];
          for (const a of c.rule.actions) {
            if (a.type === 'closeTasks') {
              const tasks = Array.isArray(next.meta.tasks) ? (next.meta.tasks as Array<Record<string, unknown>>) : [];
              let closed = 0;
              next.meta.tasks = tasks.map((t) => {
                if (t.status !== 'open') return t;
                closed++;
                return { ...t, status: 'done', completedAt: after.updatedAt, completedBy: `link:${c.rule.id}` };
              });
              done.push(`closeTasks:${closed}`);
            } else if (a.type === 'task') {
              const tasks = Array.isArray(next.meta.tasks) ? (next.meta.tasks as unknown[]) : [];
              next.meta.tasks = [...tasks, { id: `${hist.id}:link:${c.rule.id}:${target.id}`, title: a.title, ownerId: target.ownerId, dueAt: null, createdAt: after.updatedAt, status: 'open', event: `link:${c.rule.id}` }];
              done.push('task');
            } else {
              outbox.push({
                tenantId: tx.tenantId,
                id: `${hist.id}:link:${outbox.length + 1}`,
                recordId: target.id,
                type: 'dealflow.notify',
                payload: { recordId: target.id, to: target.ownerId, channel: a.channel ?? null, message: a.message, data: { rule: c.rule.id, source: { id: after.id, type: after.type, stage: after.stage } } },
                createdAt: after.updatedAt,
              });
              done.push('notify');
            }
          }
          const changed = JSON.stringify(next.meta.tasks) !== tasksBefore;
          if (changed && !self) {
            await writeLinkedChange(write, target, next, 'link-rule', { rule: c.rule.id, source: { id: after.id, type: after.type, event: hist.event, historyId: hist.id } }, after.updatedAt, hist.actorId ?? null, () => `${hist.id}:link:${++seq}`);
          }
          applied.push({ rule: c.rule.id, recordId: target.id, actions: done });
        }
      }
      if (applied.length > 0) hist.data.linkRules = applied;
      // (the notifications are effects of this change: the engine's writer writes them in its transaction)
      if (outbox.length > 0) await writeEffects({ outbox });
    },
  };
  return { blocks: config.blocks, cascades: config.cascades, plugin, blockersOf };
}
