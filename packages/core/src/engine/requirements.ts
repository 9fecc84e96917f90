import { DealflowError } from '@dealflow/logic';
import type { StageSpec } from '../blueprint/schema.js';

/** Checklist ticks, note and attachment references supplied with an event. */
export interface SuppliedRequirements {
  checklist?: string[];
  note?: string;
  attachments?: string[];
}

/**
 * What a stage asks for besides fields (guidance's `requirements`), or in a rejection the part of
 * it that was not supplied (`Rejection.missingRequirements`).
 */
export interface StageRequirements {
  /** Checklist items to tick (in a rejection: those not ticked). */
  checklist: Array<{
    /** The item's id: what the event's `checklist` takes. */
    id: string;
    /** What to check, for people. */
    label: string;
  }>;
  /** Whether a note must be sent with the event (in a rejection: and none was). */
  note: boolean;
  /** How many attachment references must be sent (in a rejection: how many more). */
  attachments: number;
}

/** What a stage asks for that was not supplied. */
export type MissingRequirements = StageRequirements;

const LIMITS = { items: 50, note: 10_000, attachments: 20, reference: 2000 };

function strings(v: unknown, what: string, max: number, maxLength: number): string[] {
  if (!Array.isArray(v) || v.length > max || v.some((x) => typeof x !== 'string' || x.length === 0 || x.length > maxLength)) {
    throw new DealflowError('INPUT_INVALID', `send: ${what} must be a list of at most ${max} non-empty strings of at most ${maxLength} characters`, { problems: [{ path: `$.${what}`, message: 'invalid list' }] });
  }
  return v as string[];
}

/** The requirements supplied with an event, checked for shape and size; undefined when none. */
export function suppliedOf(event: { checklist?: unknown; note?: unknown; attachments?: unknown }): SuppliedRequirements | undefined {
  if (event.checklist === undefined && event.note === undefined && event.attachments === undefined) return undefined;
  const out: SuppliedRequirements = {};
  if (event.checklist !== undefined) out.checklist = strings(event.checklist, 'checklist', LIMITS.items, 100);
  if (event.note !== undefined) {
    if (typeof event.note !== 'string' || event.note.length > LIMITS.note) throw new DealflowError('INPUT_INVALID', `send: note must be a string of at most ${LIMITS.note} characters`, { problems: [{ path: '$.note', message: 'invalid note' }] });
    out.note = event.note;
  }
  if (event.attachments !== undefined) out.attachments = strings(event.attachments, 'attachments', LIMITS.attachments, LIMITS.reference);
  return out;
}

/**
 * What entering `stage` asks for (its `requirements`) that `supplied` lacks, or null when all is
 * there. Ticking an item the stage does not list fails with `INPUT_INVALID` naming it.
 */
export function missingRequirements(recordId: string, stage: StageSpec, supplied: SuppliedRequirements | undefined): MissingRequirements | null {
  const req = stage.requirements;
  if (!req) return null;
  const ticked = new Set(supplied?.checklist ?? []);
  for (const id of ticked) {
    if (!req.checklist?.some((c) => c.id === id)) {
      throw new DealflowError('INPUT_INVALID', `record '${recordId}': stage '${stage.id}' has no checklist item '${id}'`, { problems: [{ path: '$.checklist', message: `unknown item '${id}'`, value: id }] });
    }
  }
  const checklist = (req.checklist ?? []).filter((c) => !ticked.has(c.id));
  const note = req.note === true && (supplied?.note ?? '').trim() === '';
  const attachments = Math.max(0, (req.attachments ?? 0) - new Set(supplied?.attachments ?? []).size);
  return checklist.length === 0 && !note && attachments === 0 ? null : { checklist, note, attachments };
}

/** "tick Scope agreed, add a note and 1 attachment" */
export function describeMissing(m: MissingRequirements): string {
  const parts: string[] = [];
  if (m.checklist.length > 0) parts.push(`tick ${m.checklist.map((c) => `'${c.label}'`).join(', ')}`);
  if (m.note) parts.push('add a note');
  if (m.attachments > 0) parts.push(`attach ${m.attachments} more document(s)`);
  return parts.join(', ');
}
