import { createEngine, createOutboxRelay, createWorker, defineBlueprint, systemClock } from '@dealflow/core';
import type { Clock, Engine, OutboxMessage, OutboxRelay, SalesRulesInput, Storage, Worker } from '@dealflow/core';
import { createMemoryCatalog } from '@dealflow/commerce';
import { createQuotaBook, quotaBlueprint } from '@dealflow/forecast';
import type { QuotaBook } from '@dealflow/forecast';
import { loadAllSalesRules, setupFullCycle } from '@dealflow/templates';
import type { FullCycle } from '@dealflow/templates';
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
  const cycle = setupFullCycle({
    storage: options.storage,
    clock,
    directory: options.people.directory,
    rules: deskRules(),
  });
  // quotas are records too, kept by a second engine on the same store (setupFullCycle takes no extra blueprints)
  const quotaEngine: Engine = createEngine({ storage: options.storage, clock, blueprints: [defineBlueprint(quotaBlueprint)] });
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
