import { createEngine, createOutboxRelay, createWorker, defineBlueprint, systemClock } from '@dealflow/core';
import type { BlueprintInput, Clock, Engine, OutboxMessage, OutboxRelay, SalesRulesInput, StageSpec, Storage, Worker } from '@dealflow/core';
import { createMemoryCatalog } from '@dealflow/commerce';
import { badgeBlueprint, createMotivation, createQuotaBook, quotaBlueprint } from '@dealflow/forecast';
import type { Motivation, MotivationRule, QuotaBook } from '@dealflow/forecast';
import { loadAllSalesRules, loadTemplates, setupFullCycle, workweekCalendar } from '@dealflow/templates';
import type { FullCycle } from '@dealflow/templates';
import { stagesOf } from './stages.js';
import type { DeskDirectory } from './users.js';

const role = (r: string) => ({ in: [r, { var: 'actor.roles' }] });
const MANAGES = { or: [role('manager'), role('admin')] };
const OWNS = { '==': [{ var: 'actor.id' }, { var: 'record.ownerId' }] };
const FINANCE = { and: [role('finance'), { in: [{ var: 'record.type' }, ['instalment', 'payment_plan', 'order', 'contract']] }] };

/**
 * Who may do what (the engine's sales `permissions`): a rep works their own records and may read
 * and claim the public pool's ownerless ones; managers and admins everything; finance the
 * receivables side. The page asks `engine.can` to hide what these refuse.
 */
export const DESK_PERMISSIONS: NonNullable<SalesRulesInput['permissions']> = {
  // people create what they work on; the web form's intake account creates leads, nothing else
  create: { or: [MANAGES, role('rep'), role('finance'), { and: [role('intake'), { '==': [{ var: 'record.type' }, 'lead'] }] }] },
  read: { or: [MANAGES, OWNS, FINANCE, { '!': { var: 'record.ownerId' } }] },
  edit: { or: [MANAGES, OWNS, FINANCE] },
  transitions: { '*': { or: [MANAGES, OWNS, FINANCE] } },
  activity: { or: [MANAGES, OWNS, FINANCE] },
  claim: role('rep'),
  distribute: MANAGES,
  assign: MANAGES,
  approve: MANAGES,
  handover: MANAGES,
};

/** The desk's sales rules: every template's preset (routing, escalation, pool, duplicates, approvals) plus {@link DESK_PERMISSIONS}. */
export function deskRules(): SalesRulesInput {
  return { ...loadAllSalesRules(), permissions: DESK_PERMISSIONS };
}

/**
 * The checklist a contract's signing asks for (the `signed` stage's `requirements`): the rep ticks
 * the items on the record page and the engine takes the ticks with the `sign` event, refusing the
 * move while one is missing.
 *
 * @example
 * ```ts
 * await engine.send(contractId, { type: 'sign', fields: { signedOn: '2026-03-03' }, checklist: SIGNING_CHECKLIST.map((c) => c.id) }, { actor })
 * ```
 */
export const SIGNING_CHECKLIST: NonNullable<NonNullable<StageSpec['requirements']>['checklist']> = [
  { id: 'seal', label: 'Company seal on both copies / 双方已加盖公章' },
  { id: 'original', label: 'Signed original received / 已收回签字原件' },
];

/**
 * The desk's blueprints: every template (`loadTemplates`, fresh copies meant to be changed), the
 * contract's signing given {@link SIGNING_CHECKLIST}.
 *
 * @example
 * ```ts
 * createEngine({ storage, blueprints: deskBlueprints(), rules: deskRules(), directory })
 * ```
 */
export function deskBlueprints(): BlueprintInput[] {
  return loadTemplates().map((bp) => {
    if (bp.id !== 'contract') return bp;
    const stages = (bp.stages as StageSpec[]).map((s) => (s.id === 'signed' ? { ...s, requirements: { checklist: SIGNING_CHECKLIST } } : s));
    return { ...bp, stages } as BlueprintInput;
  });
}

/**
 * The call-streak badge: three calls a day on five consecutive working days (the page's running
 * streaks count towards it).
 *
 * @example
 * ```ts
 * runningStreaks(events, { metric: CALL_STREAK.metric, perDay: CALL_STREAK.perDay, asOf: new Date() })
 * ```
 */
export const CALL_STREAK = { id: 'call-streak', badge: '5-day call streak / 连续5天通话', kind: 'streak', metric: 'activity.call', perDay: 3, days: 5 } as const satisfies MotivationRule;
/**
 * The badges reps earn (`createMotivation` rules of `@dealflow/forecast`, read from the engine's
 * history): {@link CALL_STREAK}, a first win, a first ¥100k deal.
 *
 * @example
 * ```ts
 * const motivation = createMotivation({ engine, rules: DESK_BADGES, stages, calendar: workweekCalendar() })
 * ```
 */
export const DESK_BADGES: MotivationRule[] = [
  CALL_STREAK,
  { id: 'first-win', badge: 'First win / 首次赢单', kind: 'first', metric: 'deal.won', over: 0 },
  { id: 'big-deal', badge: 'First ¥100k deal / 首个十万大单', kind: 'first', metric: 'deal.won', over: 100_000 },
];

/** The product catalogue line items are priced from (CNY list prices). */
export const catalog = createMemoryCatalog({
  products: [
    { id: 'crm-seat', name: 'CRM seat / 席位', family: 'software' },
    { id: 'erp-module', name: 'ERP module / ERP模块', family: 'software' },
    { id: 'onboarding', name: 'Onboarding / 实施服务', family: 'service' },
  ],
  priceBooks: [{ id: 'list', prices: { 'crm-seat': { CNY: 1200 }, 'erp-module': { CNY: 8000 }, onboarding: { CNY: 15000 } } }],
});

/** A change anyone watching should see: from the outbox, in commit order. */
export interface LiveEvent {
  type: string;
  recordId: string | null;
  at: string;
  /** Who made the change (pages skip their own, which they show already). */
  actorId?: string | null;
  /** Extra data of desk events (import progress). */
  data?: Record<string, unknown>;
}

/** Options of {@link createDesk}. */
export interface CreateDeskOptions {
  storage: Storage;
  people: DeskDirectory;
  clock?: Clock;
  /** Outbox relay and deadline worker poll interval (ms, default 250). */
  pollMs?: number;
}

/** The running desk: the engine with every template, the quota book, and the live feed. */
export interface Desk extends FullCycle {
  people: DeskDirectory;
  quotas: QuotaBook;
  /** Badges and activity leaderboards over the engine's history ({@link DESK_BADGES}). */
  motivation: Motivation;
  clock: Clock;
  relay: OutboxRelay;
  worker: Worker;
  /** Subscribes to live events; returns the unsubscribe function. */
  subscribe(listener: (e: LiveEvent) => void): () => void;
  /** Sends an event of the desk itself (not from the outbox) to every subscriber. */
  announce(e: LiveEvent): void;
  start(): void;
  /** Stops the relay and the worker after the work in flight. */
  stop(): Promise<void>;
}

/**
 * Builds the desk on a store: every template blueprint with its preset sales rules plus the
 * desk's permissions, the directory's people, the outbox relay (follow-ups, then the live feed)
 * and the deadline worker.
 */
export function createDesk(options: CreateDeskOptions): Desk {
  const clock = options.clock ?? systemClock;
  const pollMs = options.pollMs ?? 250;
  // every template (the desk's copies, with the contract's checklist), links, follow-ups, guidance
  const cycle: FullCycle = setupFullCycle({ storage: options.storage, clock, directory: options.people.directory, rules: deskRules(), blueprints: deskBlueprints() });
  const { engine } = cycle;
  // quotas and badges are records too, kept by a second engine on the same store (the sales engine knows only the templates)
  const quotaEngine: Engine = createEngine({ storage: options.storage, clock, blueprints: [defineBlueprint(quotaBlueprint), defineBlueprint(badgeBlueprint)] });
  const motivation = createMotivation({ engine: quotaEngine, rules: DESK_BADGES, stages: stagesOf(engine.blueprint('deal')), calendar: workweekCalendar() });
  const listeners = new Set<(e: LiveEvent) => void>();
  const announce = (e: LiveEvent) => {
    for (const l of listeners) l(e);
  };
  const publish = (m: OutboxMessage) => announce({ type: m.type, recordId: m.recordId, at: m.createdAt, actorId: typeof m.payload.actorId === 'string' ? m.payload.actorId : null });
  const relay = createOutboxRelay({
    storage: options.storage,
    pollMs,
    handler: async (m) => {
      await cycle.followUps.handle(m);
      publish(m);
    },
    onError: (e) => console.error('outbox relay:', e),
  });
  const worker = createWorker({ engine: cycle.engine, pollMs, onError: (e) => console.error('deadline worker:', e) });
  return {
    ...cycle,
    people: options.people,
    quotas: createQuotaBook({ engine: quotaEngine }),
    motivation,
    clock,
    relay,
    worker,
    announce,
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    start() {
      relay.start();
      worker.start();
    },
    async stop() {
      await Promise.all([relay.stop(), worker.stop()]);
      listeners.clear();
    },
  };
}
