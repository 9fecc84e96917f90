import type { BlueprintInput, HistoryEvent, OutboxMessage, StoredRecord, TaskRow, TimerRecord } from '@dealflow/core';

/** A fixed base time for fixtures (UTC, with milliseconds). */
export const BASE_TIME = '2026-01-05T09:00:00.000Z';

/**
 * `BASE_TIME` shifted by `ms` milliseconds, as an ISO string.
 *
 * @example
 * ```ts
 * at(60_000) // '2026-01-05T09:01:00.000Z'
 * ```
 */
export function at(ms: number): string {
  return new Date(Date.parse(BASE_TIME) + ms).toISOString();
}

/**
 * A valid `StoredRecord` (version 1) with the given overrides.
 *
 * @example
 * ```ts
 * await tx.insertRecord(makeRecord({ tenantId: 't1', id: 'deal-1', stage: 'qualified' }))
 * ```
 */
export function makeRecord(overrides: Partial<StoredRecord> & { id: string; tenantId: string }): StoredRecord {
  return {
    type: 'deal',
    blueprintId: 'sales',
    blueprintVersion: 1,
    stage: 'new',
    version: 1,
    fields: {},
    ownerId: null,
    teamId: null,
    meta: {},
    stageEnteredAt: BASE_TIME,
    createdAt: BASE_TIME,
    updatedAt: BASE_TIME,
    ...overrides,
  };
}

/**
 * A history event for `recordId` at position `seq`.
 *
 * @example
 * ```ts
 * await tx.appendHistory([makeHistoryEvent({ tenantId: 't1', recordId: 'deal-1', seq: 1 })])
 * ```
 */
export function makeHistoryEvent(
  overrides: Partial<HistoryEvent> & { tenantId: string; recordId: string; seq: number },
): HistoryEvent {
  return {
    id: `${overrides.tenantId}:${overrides.recordId}:${overrides.seq}`,
    at: BASE_TIME,
    kind: overrides.seq === 1 ? 'created' : 'transition',
    actorId: 'rep-1',
    data: {},
    ...overrides,
  };
}

/**
 * A pending timer with the given overrides.
 *
 * @example
 * ```ts
 * await tx.scheduleTimers([makeTimer({ tenantId: 't1', id: 'tm-1', recordId: 'deal-1', dueAt: at(1000) })])
 * ```
 */
export function makeTimer(
  overrides: Partial<TimerRecord> & { tenantId: string; id: string; recordId: string },
): TimerRecord {
  return {
    kind: 'breach',
    key: null,
    dueAt: BASE_TIME,
    event: 'deadline.breach',
    payload: {},
    stage: 'new',
    recordVersion: 1,
    status: 'pending',
    leaseOwner: null,
    leaseUntil: null,
    attempts: 0,
    createdAt: BASE_TIME,
    finishedAt: null,
    outcome: null,
    ...overrides,
  };
}

/**
 * A task-index row with the given overrides (an open task of `deal` owned by `ann`, due at `BASE_TIME`).
 *
 * @example
 * ```ts
 * await tx.replaceTasks('deal-1', [makeTaskRow({ tenantId: 't1', id: 'call', recordId: 'deal-1' })])
 * ```
 */
export function makeTaskRow(overrides: Partial<TaskRow> & { tenantId: string; id: string; recordId: string }): TaskRow {
  return { recordType: 'deal', kind: 'task', title: 'Call', ownerId: 'ann', teamId: 'north', status: 'open', dueAt: BASE_TIME, ...overrides };
}

/**
 * An outbox message with the given overrides.
 *
 * @example
 * ```ts
 * await tx.appendOutbox([makeOutboxMessage({ tenantId: 't1', id: 'h-1' })])
 * ```
 */
export function makeOutboxMessage(overrides: Partial<OutboxMessage> & { tenantId: string; id: string }): OutboxMessage {
  return {
    recordId: null,
    type: 'dealflow.transition',
    payload: {},
    createdAt: BASE_TIME,
    ...overrides,
  };
}

/**
 * A support-ticket blueprint for engine-level store tests (worker, outbox, multi-process): one hour
 * in `open`, then the breach timer moves the ticket to `escalated`. A fresh object per call.
 *
 * @example
 * ```ts
 * const engine = createEngine({ storage, blueprints: [ticketBlueprint()] })
 * ```
 */
export function ticketBlueprint(): BlueprintInput {
  return {
    id: 'ticket',
    version: 1,
    recordType: 'ticket',
    initialStage: 'open',
    fields: { title: { type: 'string' } },
    stages: [
      { id: 'open', kind: 'open', deadline: { within: 'PT1H', onBreach: 'breach' } },
      { id: 'escalated', kind: 'open' },
      { id: 'working', kind: 'open' },
      { id: 'closed', kind: 'won' },
    ],
    transitions: [
      { event: 'breach', from: 'open', to: 'escalated' },
      { event: 'work', from: ['open', 'working', 'escalated'], to: 'working' },
      { event: 'close', from: '*', to: 'closed' },
    ],
  };
}

/**
 * A deal blueprint with typed fields for engine-level store tests of a record's daily life: product
 * lines with computed totals and amount, an agenda date (`nextContact`), a reminder 3 days before
 * `closeDate` and an `overdue` event the day after it (in `qualified`), a 2-day deadline in
 * `qualified`, a follow-up task on qualifying, and a won stage whose invoice address stays
 * editable while its lines do not. A fresh object per call.
 *
 * @example
 * ```ts
 * const engine = createEngine({ storage, blueprints: [dailyDealBlueprint()] })
 * ```
 */
export function dailyDealBlueprint(): BlueprintInput {
  return {
    id: 'daily-deal',
    version: 1,
    recordType: 'deal',
    initialStage: 'new',
    fields: {
      name: { type: 'text', required: true },
      region: { type: 'picklist', values: ['north', 'south'] },
      email: { type: 'email' },
      invoiceAddress: { type: 'text' },
      nextContact: { type: 'date', agenda: 'Next contact' },
      closeDate: { type: 'date' },
      lines: {
        type: 'list',
        item: {
          product: { type: 'text', required: true },
          quantity: { type: 'number', min: 0, required: true },
          unitPrice: { type: 'money', currency: 'EUR', required: true },
          discount: { type: 'number', min: 0, max: 1, default: 0 },
          total: { type: 'money', currency: 'EUR', computed: { '*': [{ var: 'item.quantity' }, { var: 'item.unitPrice' }, { '-': [1, { var: 'item.discount' }] }] } },
        },
      },
      amount: { type: 'money', currency: 'EUR', computed: { reduce: [{ var: 'fields.lines' }, { '+': [{ var: 'accumulator' }, { var: 'current.total' }] }, 0] } },
    },
    stages: [
      { id: 'new', kind: 'open' },
      { id: 'qualified', kind: 'open', deadline: { within: 'P2D', onBreach: 'stale' } },
      { id: 'won', kind: 'won', editable: ['invoiceAddress', 'email'] },
      { id: 'lost', kind: 'lost' },
    ],
    transitions: [
      { event: 'qualify', from: 'new', to: 'qualified', actions: [{ type: 'task', title: 'Follow up', due: 'P1D' }] },
      { event: 'stale', from: 'qualified', to: 'qualified' },
      { event: 'win', from: 'qualified', to: 'won', guard: { '>': [{ var: 'fields.amount' }, 0] } },
      { event: 'lose', from: '*', to: 'lost' },
      { event: 'overdue', from: 'qualified', to: 'qualified', actions: [{ type: 'notify', to: 'manager', message: 'Close date passed' }] },
    ],
    dateTimers: [
      { id: 'close-soon', field: 'closeDate', before: 'P3D', message: 'Close date in 3 days' },
      { id: 'close-passed', field: 'closeDate', after: 'P1D', send: 'overdue', stages: ['qualified'] },
    ],
  };
}
