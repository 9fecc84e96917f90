import { isDealflowError } from '@dealflow/core';
import type { Engine, LinkApi, OutboxMessage, StoredRecord } from '@dealflow/core';

/** Most `previous` hops walked from a quote version back to the one its deal created. */
const MAX_VERSIONS = 100;

/** What one follow-up did. */
export interface FollowUpOutcome {
  /** The follow-up that ran (`quote.accepted → deal`, `instalment.paid → plan`). */
  rule: string;
  /** The record the follow-up acted on (or looked at). */
  recordId: string;
  /** `sent`: the event moved the record; `skipped`: nothing to do (already moved, not all paid, …). */
  outcome: 'sent' | 'skipped';
  /** Why it was skipped. */
  reason?: string;
}

/**
 * The templates' cross-record follow-ups, driven by the outbox (so they survive crashes: delivery
 * is at least once, and each follow-up sends with an idempotency key made from the message id, so
 * its effect happens once):
 * - a quote accepted (`quote.accepted`) moves its deal from proposal to negotiation, carrying the
 *   quote's line items, total and acceptance date;
 * - an instalment paid in full (`instalment.paid`) settles its payment plan once every instalment
 *   of the plan is paid.
 */
export interface FollowUps {
  /** Handles one outbox message; null when it is not a follow-up's message. */
  handle(message: OutboxMessage): Promise<FollowUpOutcome | null>;
}

function itemsWithoutComputed(items: unknown): unknown {
  if (!Array.isArray(items)) return items;
  return items.map((it) => {
    if (!it || typeof it !== 'object') return it;
    const { lineTotal: _l, ...rest } = it as Record<string, unknown>;
    void _l;
    return rest;
  });
}

/**
 * Creates the follow-ups of an engine running the templates. Call `handle` from your outbox relay
 * handler (next to your own deliveries).
 *
 * @example
 * ```ts
 * const followUps = createFollowUps(engine, links)
 * const relay = createOutboxRelay({ storage, handler: async (m) => { await followUps.handle(m); await myWebhook(m) } })
 * relay.start()
 * ```
 */
export function createFollowUps(engine: Engine, links: LinkApi): FollowUps {
  const tenantOf = (m: OutboxMessage) => ({ tenantId: m.tenantId });
  // follow-ups are the process's own work, driven by the outbox: they read and act as the system
  const asSystem = (tenantId: string) => ({ tenantId, actor: engine.system });

  async function dealOfQuote(quote: StoredRecord, tenantId: string): Promise<StoredRecord | null> {
    let current: StoredRecord | undefined = quote;
    for (let hop = 0; current && hop < MAX_VERSIONS; hop++) {
      const [deal] = await links.linked(current.id, 'deal', asSystem(tenantId));
      if (deal) return deal;
      [current] = await links.linked(current.id, 'previous', asSystem(tenantId));
    }
    return null;
  }

  async function send(rule: string, recordId: string, type: string, fields: Record<string, unknown>, m: OutboxMessage): Promise<FollowUpOutcome> {
    try {
      // follow-ups are the process's own work, driven by the outbox: they act as the system
      const r = await engine.send(recordId, { type, fields }, { actor: engine.system, idempotencyKey: `follow-up:${m.id}`, ...tenantOf(m) });
      return r.ok ? { rule, recordId, outcome: 'sent' } : { rule, recordId, outcome: 'skipped', reason: r.rejection.message };
    } catch (e) {
      // a link rule or the sales rules refused it: recorded, not retried forever
      if (isDealflowError(e, 'REJECTED')) return { rule, recordId, outcome: 'skipped', reason: e.message };
      throw e;
    }
  }

  return {
    async handle(m) {
      if (m.type !== 'dealflow.emitted') return null;
      const p = m.payload as { recordId?: string; name?: string; data?: Record<string, unknown> };
      if (!p.recordId) return null;
      if (p.name === 'quote.accepted') {
        const rule = 'quote.accepted → deal';
        const quote = await engine.storage.getRecord(m.tenantId, p.recordId);
        const deal = quote ? await dealOfQuote(quote, m.tenantId) : null;
        if (!deal) return { rule, recordId: p.recordId, outcome: 'skipped', reason: `quote '${p.recordId}' has no deal link` };
        if (deal.stage !== 'proposal') return { rule, recordId: deal.id, outcome: 'skipped', reason: `deal '${deal.id}' is in stage '${deal.stage}', not 'proposal'` };
        const data = p.data ?? {};
        return send(rule, deal.id, 'quote_accepted', { amount: data.total, items: itemsWithoutComputed(data.items), quoteSent: data.acceptedOn }, m);
      }
      if (p.name === 'instalment.paid') {
        const rule = 'instalment.paid → plan';
        const [plan] = await links.linked(p.recordId, 'plan', asSystem(m.tenantId));
        if (!plan) return { rule, recordId: p.recordId, outcome: 'skipped', reason: `instalment '${p.recordId}' has no plan link` };
        if (plan.stage !== 'active' && plan.stage !== 'review') return { rule, recordId: plan.id, outcome: 'skipped', reason: `plan '${plan.id}' is in stage '${plan.stage}'` };
        const all = await links.linked(plan.id, 'instalments', asSystem(m.tenantId));
        const open = all.filter((i) => i.stage !== 'paid');
        if (all.length === 0 || open.length > 0) return { rule, recordId: plan.id, outcome: 'skipped', reason: `${open.length} of ${all.length} instalment(s) not paid yet` };
        return send(rule, plan.id, 'settle', {}, m);
      }
      return null;
    },
  };
}
