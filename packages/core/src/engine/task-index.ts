import type { Blueprint } from '../blueprint/define.js';
import type { StorageTx, StoredRecord, TaskRow } from '../storage/types.js';
import type { Task } from './context.js';

/**
 * The rows a record has in the store's task index (the rep's agenda): each task of
 * `meta.tasks` (owned by its owner, else the record's), and each set date field the blueprint
 * shows on the agenda (`agenda: "Next contact"`) while the record is in an open stage. A date
 * without a time counts at 12:00 UTC, so it falls on its own day in every time zone from UTC−11
 * to UTC+11.
 *
 * @example
 * ```ts
 * taskRowsOf(bp, record) // [{ id: 'evt_1:task:0', kind: 'task', title: 'Call back', ownerId: 'ann', status: 'open', dueAt: '…' }, …]
 * ```
 */
export function taskRowsOf(bp: Blueprint, r: StoredRecord): TaskRow[] {
  const rows: TaskRow[] = [];
  const tasks = r.meta.tasks;
  if (Array.isArray(tasks)) {
    for (const t of tasks as Task[]) {
      rows.push({
        tenantId: r.tenantId, id: t.id, recordId: r.id, recordType: r.type, kind: 'task', title: t.title,
        ownerId: t.ownerId ?? r.ownerId, teamId: r.teamId, status: t.status === 'done' ? 'done' : 'open', dueAt: t.dueAt ?? null,
      });
    }
  }
  if (!bp.isFinal(r.stage)) {
    for (const name of agendaFields(bp)) {
      const v = r.fields[name];
      if (typeof v !== 'string' || v.length === 0) continue;
      rows.push({
        tenantId: r.tenantId, id: `field:${name}`, recordId: r.id, recordType: r.type, kind: 'date', title: bp.fields[name]!.agenda!,
        ownerId: r.ownerId, teamId: r.teamId, status: 'open', dueAt: v.length === 10 ? `${v}T12:00:00.000Z` : v,
      });
    }
  }
  return rows;
}

const agendaCache = new WeakMap<Blueprint, string[]>();

/** The date fields a blueprint shows on the agenda. */
function agendaFields(bp: Blueprint): string[] {
  let names = agendaCache.get(bp);
  if (!names) {
    names = Object.entries(bp.fields).filter(([, f]) => f.agenda !== undefined).map(([n]) => n);
    agendaCache.set(bp, names);
  }
  return names;
}

/** Whether a blueprint shows date fields on the agenda (its records' moves may change their task rows). */
export function hasAgendaFields(bp: Blueprint): boolean {
  return agendaFields(bp).length > 0;
}

/** Whether a change cannot have changed the record's task rows (nothing they are made of changed). */
function sameRows(bp: Blueprint, before: StoredRecord, after: StoredRecord): boolean {
  if (before.meta.tasks !== after.meta.tasks || before.ownerId !== after.ownerId || before.teamId !== after.teamId) return false;
  const fields = agendaFields(bp);
  if (fields.length === 0) return true;
  if (bp.isFinal(before.stage) !== bp.isFinal(after.stage)) return false;
  for (const f of fields) if (before.fields[f] !== after.fields[f]) return false;
  return true;
}

/**
 * Keeps the store's task index in step with a change of a record: replaces the record's rows
 * when what they are made of changed (tasks, owner, team, agenda dates, open/final). A change
 * that touches none of these costs nothing.
 */
export async function syncTaskIndex(tx: StorageTx, bp: Blueprint, before: StoredRecord | null, after: StoredRecord): Promise<void> {
  if (before !== null && sameRows(bp, before, after)) return;
  const rows = taskRowsOf(bp, after);
  if (before === null && rows.length === 0) return;
  if (before !== null && JSON.stringify(taskRowsOf(bp, before)) === JSON.stringify(rows)) return;
  await tx.replaceTasks(after.id, rows);
}
