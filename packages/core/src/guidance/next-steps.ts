import { DealflowError, truthy } from '@dealflow/logic';
import type { Blueprint } from '../blueprint/define.js';
import type { RuleData } from '../blueprint/machine.js';
import type { StageKind } from '../blueprint/schema.js';
import type { Actor } from '../engine/context.js';
import type { Engine } from '../create-engine.js';
import { isSet } from '../engine/fields.js';
import { recordView } from '../blueprint/record-view.js';
import { describeMissing } from '../engine/requirements.js';
import type { StageRequirements } from '../engine/requirements.js';
import type { LinkBlocker, LinkRules } from '../links/rules.js';
import type { StoredRecord } from '../storage/types.js';

/** One transition the record could take from its stage, as a rep sees it. */
export interface NextTransition {
  /** Event to send (`engine.send(id, event)`). */
  event: string;
  /** The transition's label (else the event name). */
  label: string;
  /** The target stage id. */
  to: string;
  /** The target stage's label (else its id). */
  toLabel: string;
  /** The target stage's kind (`open`, or final: `won`, `lost`, `closed`). */
  toKind: StageKind;
  /** Fields that must be set first (transition `requires` + the target stage's required fields), not yet set. */
  missingFields: Array<{
    /** The field name. */
    field: string;
    /** The field's label (else its name). */
    label: string;
  }>;
  /** What the target stage asks for besides fields (checklist, note, attachments), supplied with the event; null when nothing. */
  requirements: StageRequirements | null;
  /** False when the guard is false on the current data (`null`: no guard). */
  guardPasses: boolean | null;
  /** False when the actor may not fire it (`allow` rule). */
  allowed: boolean;
  /** Linked records that block it (cross-record rules). */
  blockedBy: LinkBlocker[];
  /** Fired by the stage's deadline, not by a rep. */
  automatic: boolean;
  /** Everything holds: sending it now would be accepted (approvals aside). */
  ready: boolean;
}

/** An open task of the record. */
export interface GuidanceTask {
  /** The task id (in the record's `meta.tasks`). */
  id: string;
  /** The task's text. */
  title: string;
  /** Who the task is for, or null when the task names nobody. */
  ownerId: string | null;
  /** When it is due (ISO UTC), or null. */
  dueAt: string | null;
  /** True when `dueAt` is at or before now. */
  overdue: boolean;
}

/** What a rep must do now on a record: the blueprint view for a newcomer. */
export interface Guidance {
  /** The record's id. */
  recordId: string;
  /** The record's type (`deal`, `lead`…). */
  type: string;
  /** The stage the record is in. */
  stage: {
    /** Stage id. */
    id: string;
    /** Stage label (else its id). */
    label: string;
    /** Stage kind (`open`, `won`, `lost`, `closed`). */
    kind: StageKind;
    /** The stage's description from the blueprint, or null. */
    description: string | null;
    /** When the record entered it (ISO UTC). */
    enteredAt: string;
  };
  /** The running deadline of this stage, if any. */
  deadline: {
    /** The breach time (ISO UTC). */
    dueAt: string;
    /** Milliseconds until the breach (negative once passed). */
    msLeft: number;
    /** True once the breach time has passed. */
    overdue: boolean;
    /** The event the deadline sends on breach. */
    onBreach: string;
  } | null;
  /** The record's open tasks. */
  openTasks: GuidanceTask[];
  /** A transition waiting for approval, if any. */
  pendingApproval: {
    /** The event waiting for approval. */
    event: string;
    /** Who may approve it. */
    approverIds: string[];
  } | null;
  /** Transitions from the current stage, the ready ones first. */
  transitions: NextTransition[];
  /** Plain-language next steps, most urgent first. */
  todo: string[];
  /** True when the record is in a final stage (won, lost, closed): nothing is left to do. */
  final: boolean;
}

/** Options of {@link nextSteps}. */
export interface NextStepsOptions {
  /** Who is looking (for `allow` rules; default: the record's owner with no roles). */
  actor?: Actor;
  /** Cross-record rules, to report what blocks a transition. */
  linkRules?: LinkRules;
  /** The tenant of the record (default: the engine's tenant). */
  tenantId?: string;
}

const labelOf = (bp: Blueprint, stage: string): string => bp.stages.get(stage)?.label ?? stage;

function fromStages(bp: Blueprint, from: string | string[]): string[] {
  if (from === '*') return bp.spec.stages.filter((s) => !bp.isFinal(s.id)).map((s) => s.id);
  return typeof from === 'string' ? [from] : from;
}

/**
 * What the rep must do now on a record: missing required fields for each next stage, open tasks,
 * time left on the stage deadline, and the allowed transitions with their labels. Writes nothing.
 *
 * @example
 * ```ts
 * const g = await nextSteps(engine, deal.id, { actor: { id: 'ana' } }) // ana's roles come from the directory
 * for (const line of g.todo) console.log('-', line)
 * // - Fill in Budget (budget) to move to "Proposal / 方案报价"
 * ```
 */
export async function nextSteps(engine: Engine, recordId: string, options: NextStepsOptions = {}): Promise<Guidance> {
  const tenant = options.tenantId ?? engine.tenantId;
  return engine.storage.transaction(tenant, async (tx) => {
    const record: StoredRecord | null = await tx.getRecord(recordId);
    if (!record) throw new DealflowError('NOT_FOUND', `nextSteps: record '${recordId}' not found in tenant '${tenant}'`, { details: { recordId } });
    const bp = engine.blueprint(record.blueprintId, record.blueprintVersion);
    const now = engine.clock.now();
    const at = now.toISOString();
    const stage = bp.stages.get(record.stage);
    // the actor as the engine sees it (roles from the directory), so `allow` answers as a send would
    const actor: Actor = options.actor ? await engine.resolveActor(options.actor, { tenantId: tenant }) : { id: record.ownerId ?? 'system', roles: [], team: record.teamId };
    const data: RuleData = { fields: record.fields, record: recordView(record), actor, event: { type: '', data: {} }, now: at };
    const final = bp.isFinal(record.stage);
    const fieldLabel = (f: string) => bp.fields[f]?.label ?? f;

    const transitions: NextTransition[] = [];
    if (!final) {
      for (let i = 0; i < bp.transitions.length; i++) {
        const t = bp.transitions[i]!;
        if (!fromStages(bp, t.from).includes(record.stage)) continue;
        const ev = { ...data, event: { type: t.event, data: {} } };
        const guard = bp.rules.get(`$.transitions[${i}].guard`);
        const allow = bp.rules.get(`$.transitions[${i}].allow`);
        const guardPasses = guard ? truthy(guard(ev)) : null;
        const allowed = allow ? truthy(allow(ev)) : true;
        const need = new Set<string>(t.requires ?? []);
        if (t.to !== record.stage) for (const f of bp.requiredIn(t.to)) need.add(f);
        const missingFields = [...need].filter((f) => !isSet(record.fields[f])).map((f) => ({ field: f, label: fieldLabel(f) }));
        const blockedBy = options.linkRules ? await options.linkRules.blockersOf(tx, record, t.event) : [];
        const automatic = stage?.deadline?.onBreach === t.event;
        const req = t.to !== record.stage ? bp.stages.get(t.to)?.requirements : undefined;
        const requirements = req ? { checklist: req.checklist ?? [], note: req.note === true, attachments: req.attachments ?? 0 } : null;
        transitions.push({
          event: t.event,
          label: t.label ?? t.event,
          to: t.to,
          toLabel: labelOf(bp, t.to),
          toKind: bp.stages.get(t.to)?.kind ?? 'open',
          missingFields,
          requirements,
          guardPasses,
          allowed,
          blockedBy,
          automatic,
          ready: !automatic && guardPasses !== false && allowed && missingFields.length === 0 && blockedBy.length === 0,
        });
      }
      // ready first, process-fired last; forward moves before giving up (lost / closed)
      const back = (t: NextTransition) => Number(t.toKind === 'lost' || t.toKind === 'closed');
      transitions.sort((a, b) => Number(b.ready) - Number(a.ready) || Number(a.automatic) - Number(b.automatic) || back(a) - back(b));
    }

    let deadline: Guidance['deadline'] = null;
    if (stage?.deadline && !final) {
      const timers = await tx.listTimers(record.id, { status: ['pending', 'claimed'] });
      const breach = timers.filter((t) => t.kind === 'breach' && t.stage === record.stage).sort((a, b) => a.dueAt.localeCompare(b.dueAt))[0];
      if (breach) {
        const msLeft = new Date(breach.dueAt).getTime() - now.getTime();
        deadline = { dueAt: breach.dueAt, msLeft, overdue: msLeft <= 0, onBreach: stage.deadline.onBreach };
      }
    }

    const openTasks: GuidanceTask[] = (Array.isArray(record.meta.tasks) ? (record.meta.tasks as Array<Record<string, unknown>>) : [])
      .filter((t) => t.status === 'open')
      .map((t) => {
        const dueAt = typeof t.dueAt === 'string' ? t.dueAt : null;
        return { id: String(t.id), title: String(t.title), ownerId: typeof t.ownerId === 'string' ? t.ownerId : null, dueAt, overdue: dueAt !== null && dueAt <= at };
      });

    const pa = record.meta.pendingApproval as { event?: string; approverIds?: string[] } | undefined;
    const pendingApproval = pa && typeof pa.event === 'string' ? { event: pa.event, approverIds: pa.approverIds ?? [] } : null;

    const todo: string[] = [];
    if (pendingApproval) todo.push(`Wait for approval of "${pendingApproval.event}"${pendingApproval.approverIds.length ? ` by ${pendingApproval.approverIds.join(', ')}` : ''}`);
    for (const t of openTasks.filter((x) => x.overdue)) todo.push(`Overdue task: ${t.title}`);
    if (deadline?.overdue) todo.push(`The deadline of "${labelOf(bp, record.stage)}" has passed (${deadline.dueAt})`);
    for (const t of openTasks.filter((x) => !x.overdue)) todo.push(`Task: ${t.title}${t.dueAt ? ` (due ${t.dueAt})` : ''}`);
    for (const t of transitions) {
      if (t.automatic || !t.allowed) continue;
      if (t.blockedBy.length > 0) {
        const b = t.blockedBy[0]!;
        todo.push(`"${t.label}" is blocked: ${b.message} (${b.type} ${b.recordId} is in ${b.stage})`);
      } else if (t.missingFields.length > 0) {
        todo.push(`Fill in ${t.missingFields.map((f) => (f.label === f.field ? f.field : `${f.label} (${f.field})`)).join(', ')} to move to "${t.toLabel}"`);
      } else if (t.guardPasses === false) {
        todo.push(`"${t.label}" is not possible yet: its condition does not hold`);
      } else if (t.requirements) {
        todo.push(`To "${t.label}" → "${t.toLabel}": ${describeMissing(t.requirements)}`);
      } else {
        todo.push(`Ready: "${t.label}" → "${t.toLabel}"`);
      }
    }
    if (deadline && !deadline.overdue) todo.push(`Time left in "${labelOf(bp, record.stage)}": ${Math.ceil(deadline.msLeft / 3_600_000)} h (until ${deadline.dueAt})`);

    return {
      recordId: record.id,
      type: record.type,
      stage: { id: record.stage, label: labelOf(bp, record.stage), kind: stage?.kind ?? 'open', description: stage?.description ?? null, enteredAt: record.stageEnteredAt },
      deadline,
      openTasks,
      pendingApproval,
      transitions,
      todo,
      final,
    };
  });
}
