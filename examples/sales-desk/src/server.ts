import { fileURLToPath } from 'node:url';
import Fastify from 'fastify';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fastifyCookie from '@fastify/cookie';
import fastifyRateLimit from '@fastify/rate-limit';
import fastifyStatic from '@fastify/static';
import { DealflowError, isDealflowError, linksOf } from '@dealflow/core';
import type { Actor, Blueprint, StoredRecord } from '@dealflow/core';
import { priceLines } from '@dealflow/commerce';
import { createInstalments, recordPayment } from '@dealflow/templates';
import type { Desk } from './desk.js';
import { catalog } from './desk.js';
import { actorFor, hasRole, verifyPassword, WEB_FORM_ACTOR } from './users.js';
import type { DeskUser } from './users.js';
import { bilingual, explainError, explainRejection, fieldLabel, stageLabel } from './texts.js';
import { managerView } from './manager.js';
import { processView, whatIfDeadline } from './process.js';
import { importLeads } from './intake.js';

const PUBLIC_DIR = fileURLToPath(new URL('./public/', import.meta.url));
const SESSION = 'desk_session';
/** The board's record type and the types a rep's pages list. */
const WORK_TYPES = ['lead', 'deal', 'quote', 'contract', 'order', 'payment_plan', 'instalment'];
/** Blueprints the process page shows (ids). */
const PROCESS_IDS = ['lead', 'deal', 'quote', 'contract', 'order', 'payment-plan', 'instalment'];

declare module 'fastify' {
  interface FastifyRequest {
    user: DeskUser | null;
  }
}

/** Options of {@link createServer}. */
export interface CreateServerOptions {
  desk: Desk;
  /** Secret that signs session cookies (keep it across restarts to keep sessions). */
  secret: string;
  /** Web-to-lead submissions per client address and minute (default 5). */
  leadFormPerMinute?: number;
  /** Fastify's logger (default off). */
  logger?: boolean;
}

const idParams = { type: 'object', required: ['id'], properties: { id: { type: 'string', minLength: 1, maxLength: 200 } } } as const;
const fieldsObject = { type: 'object', maxProperties: 50, additionalProperties: true } as const;

/** The timer-only events of a blueprint (fired by deadlines, never offered as a button). */
function timerEvents(bp: Blueprint): Set<string> {
  return new Set(bp.spec.stages.flatMap((s) => (s.deadline?.onBreach ? [s.deadline.onBreach] : [])));
}

/** The fields of a blueprint as the page shows them. */
function fieldsOf(bp: Blueprint) {
  return Object.entries(bp.spec.fields).map(([id, f]) => ({
    id,
    label: bilingual(f.label, id),
    type: f.type,
    values: 'values' in f ? f.values : undefined,
    computed: 'computed' in f && f.computed !== undefined,
  }));
}

/** The checklist items a history event's move ticked (kept in its data by the engine), by their labels. */
function tickedLabels(bp: Blueprint, stage: string, data: unknown) {
  const ids = (data as { requirements?: { checklist?: unknown } } | undefined)?.requirements?.checklist;
  if (!Array.isArray(ids)) return [];
  const items = bp.stages.get(stage)?.requirements?.checklist ?? [];
  return ids.map((id) => bilingual(items.find((c) => c.id === id)?.label, String(id)));
}

/** A record as cards and lists show it. */
function card(desk: Desk, r: StoredRecord) {
  const bp = desk.engine.blueprint(r.blueprintId);
  const title = (r.fields.title ?? r.fields.name ?? r.fields.reference ?? r.id) as string;
  return { id: r.id, type: r.type, title, stage: r.stage, stageLabel: stageLabel(bp, r.stage), ownerId: r.ownerId, amount: (r.fields.amount ?? r.fields.budget ?? null) as number | null, stageEnteredAt: r.stageEnteredAt };
}

/**
 * Builds the Fastify app: sign-in with a signed session cookie, the JSON API (every action
 * through the engine, with the signed-in user as actor), server-sent events fed by the outbox
 * relay, the public web-to-lead form, and the static page.
 */
export async function createServer(options: CreateServerOptions): Promise<FastifyInstance> {
  const { desk } = options;
  const { engine, people } = desk;
  const app = Fastify({ logger: options.logger ?? false, bodyLimit: 2 * 1024 * 1024, forceCloseConnections: true });
  await app.register(fastifyCookie, { secret: options.secret });
  await app.register(fastifyRateLimit, { global: false });
  await app.register(fastifyStatic, { root: PUBLIC_DIR, index: ['index.html'] });
  app.addContentTypeParser('text/csv', { parseAs: 'string' }, (_req, body, done) => done(null, body));
  app.decorateRequest('user', null);

  app.addHook('onRequest', async (req) => {
    const raw = req.cookies[SESSION];
    if (!raw) return;
    const un = req.unsignCookie(raw);
    req.user = un.valid && un.value ? (people.byId.get(un.value) ?? null) : null;
  });
  const signedIn = async (req: FastifyRequest, reply: FastifyReply) => {
    if (!req.user) return reply.code(401).send({ code: 'UNAUTHENTICATED', said: { en: 'Please sign in.', zh: '请先登录。' } });
  };
  const me = (req: FastifyRequest): { user: DeskUser; actor: Actor } => ({ user: req.user!, actor: actorFor(req.user!) });
  const fail = (reply: FastifyReply, e: unknown) => {
    const { code, said, status } = explainError(e);
    return reply.code(status).send({ code, said });
  };
  const api = async (reply: FastifyReply, fn: () => Promise<unknown>) => {
    try {
      return await fn();
    } catch (e) {
      return fail(reply, e);
    }
  };
  const readable = async (id: string, actor: Actor) => {
    const r = await engine.getFor(id, { actor });
    if (!r) throw new DealflowError('NOT_FOUND', `record '${id}' not found or not readable by '${actor.id}'`);
    return r;
  };
  const notFound = (reply: FastifyReply) => reply.code(404).send({ code: 'NOT_FOUND', said: { en: 'No such record (or you may not see it).', zh: '记录不存在或无权查看。' } });

  // ── sign-in
  app.post('/api/signin', {
    schema: { body: { type: 'object', required: ['id', 'password'], additionalProperties: false, properties: { id: { type: 'string', minLength: 1, maxLength: 100 }, password: { type: 'string', minLength: 1, maxLength: 200 } } } },
    config: { rateLimit: { max: 20, timeWindow: '1 minute' } },
  }, async (req, reply) => {
    const { id, password } = req.body as { id: string; password: string };
    const user = people.byId.get(id);
    if (!verifyPassword(user, password)) return reply.code(401).send({ code: 'UNAUTHENTICATED', said: { en: 'Wrong user or password.', zh: '用户名或密码错误。' } });
    reply.setCookie(SESSION, user!.id, { signed: true, httpOnly: true, sameSite: 'lax', path: '/', maxAge: 12 * 3600 });
    return { id: user!.id };
  });
  app.post('/api/signout', async (_req, reply) => {
    reply.clearCookie(SESSION, { path: '/' });
    return { ok: true };
  });
  app.get('/api/people', async () => ({ users: people.users.map((u) => ({ id: u.id, name: u.name, roles: u.roles })) }));
  app.get('/api/me', { preHandler: signedIn }, async (req) => {
    const { user } = me(req);
    return { id: user.id, name: user.name, roles: user.roles, manager: hasRole(user, 'manager', 'admin'), now: desk.clock.now().toISOString() };
  });

  // ── live: server-sent events fed by the outbox relay
  app.get('/api/live', { preHandler: signedIn }, (req, reply) => {
    reply.hijack();
    const res = reply.raw;
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
    res.write(`retry: 500\nevent: hello\ndata: ${JSON.stringify({ now: desk.clock.now().toISOString() })}\n\n`);
    const off = desk.subscribe((e) => res.write(`data: ${JSON.stringify({ ...e, now: desk.clock.now().toISOString() })}\n\n`));
    const ping = setInterval(() => res.write(`: ping\n\n`), 15_000);
    req.raw.on('close', () => {
      off();
      clearInterval(ping);
    });
  });

  // ── the board
  app.get('/api/board', { preHandler: signedIn, schema: { querystring: { type: 'object', properties: { type: { type: 'string', enum: WORK_TYPES } } } } }, async (req) => {
    const { actor } = me(req);
    const type = (req.query as { type?: string }).type ?? 'deal';
    const bp = engine.blueprint(type);
    const records = await engine.queryFor({ type }, { actor });
    const deadlines = new Map<string, string>();
    for (const r of records.filter((x) => !bp.stages.get(x.stage)?.kind || bp.stages.get(x.stage)?.kind === 'open')) {
      const t = (await engine.timers(r.id, { status: ['pending', 'claimed'], actor })).find((x) => x.kind === 'breach');
      if (t) deadlines.set(r.id, t.dueAt);
    }
    return {
      now: desk.clock.now().toISOString(),
      type,
      name: bilingual(bp.spec.name),
      stages: bp.spec.stages.map((s) => ({ id: s.id, label: bilingual(s.label, s.id), kind: s.kind ?? 'open' })),
      cards: records.map((r) => ({ ...card(desk, r), dueAt: deadlines.get(r.id) ?? null })),
    };
  });

  // ── one record
  app.get('/api/records/:id', { preHandler: signedIn, schema: { params: idParams } }, async (req, reply) => {
    const { user, actor } = me(req);
    const { id } = req.params as { id: string };
    const r = await engine.getFor(id, { actor });
    if (!r) return notFound(reply);
    const bp = engine.blueprint(r.blueprintId);
    const guide = await desk.guide(id, actor);
    const timerOnly = timerEvents(bp);
    const transitions = [];
    for (const t of guide.transitions) {
      if (timerOnly.has(t.event) || !t.allowed) continue;
      if (!(await engine.can('transition', id, { actor, event: t.event }))) continue;
      // fields the transition's own `set` actions fill are not asked for (nextSteps lists them as missing)
      const setByActions = new Set(bp.spec.transitions.filter((x) => x.event === t.event).flatMap((x) => (x.actions ?? []).flatMap((a) => (a.type === 'set' && 'field' in a ? [a.field as string] : []))));
      const missing = t.missingFields.filter((m) => !setByActions.has(m.field));
      const checklist = (t.requirements?.checklist ?? []).map((c) => ({ id: c.id, label: bilingual(c.label, c.id) }));
      transitions.push({ event: t.event, label: bilingual(t.label), to: t.to, toLabel: bilingual(t.toLabel), missing: missing.map((m) => ({ field: m.field, label: bilingual(m.label) })), checklist, guardPasses: t.guardPasses, blocked: t.blockedBy?.length ? true : false });
    }
    const history = await engine.history(id, { actor });
    const linkMap = linksOf(r);
    const links = [];
    for (const [name, ids] of Object.entries(linkMap)) {
      for (const lid of ids) {
        const lr = await engine.getFor(lid, { actor });
        if (lr) links.push({ name, ...card(desk, lr) });
      }
    }
    const pending = guide.pendingApproval;
    return {
      now: desk.clock.now().toISOString(),
      record: { id: r.id, type: r.type, stage: r.stage, ownerId: r.ownerId, version: r.version, fields: r.fields, createdAt: r.createdAt },
      title: card(desk, r).title,
      blueprint: { id: bp.id, name: bilingual(bp.spec.name), fields: fieldsOf(bp) },
      stageLabel: stageLabel(bp, r.stage),
      stageDescription: bilingual(bp.stages.get(r.stage)?.description ?? ''),
      deadline: guide.deadline,
      transitions,
      todo: guide.todo,
      tasks: guide.openTasks,
      pendingApproval: pending ? { event: pending.event, approverIds: pending.approverIds } : null,
      can: {
        edit: await engine.can('edit', id, { actor }),
        activity: await engine.can('activity', id, { actor }),
        approve: pending !== null && (await engine.can('approve', id, { actor })),
        assign: await engine.can('assign', id, { actor }),
        claim: r.ownerId === null && hasRole(user, 'rep') && (await engine.can('claim', id, { actor })),
        items: 'items' in bp.spec.fields && (await engine.can('edit', id, { actor })),
        instalments: r.type === 'payment_plan' && r.stage === 'planning' && (await engine.can('edit', id, { actor })),
        payment: r.type === 'instalment' && (r.stage === 'due' || r.stage === 'overdue') && (await engine.can('edit', id, { actor })),
      },
      links,
      reps: people.users.filter((u) => u.roles.includes('rep')).map((u) => ({ id: u.id, name: bilingual(u.name) })),
      products: 'items' in bp.spec.fields ? (await catalog.listProducts()).map((p) => ({ id: p.id, name: bilingual(p.name) })) : [],
      history: history.map((h) => ({ seq: h.seq, at: h.at, kind: h.kind, event: h.event ?? null, from: h.from ? stageLabel(bp, h.from) : null, to: h.to ? stageLabel(bp, h.to) : null, actorId: h.actorId ?? null, data: h.data, ticked: h.to ? tickedLabels(bp, h.to, h.data) : [] })),
    };
  });

  // inline field edits
  app.patch('/api/records/:id/fields', { preHandler: signedIn, schema: { params: idParams, body: { type: 'object', required: ['fields'], additionalProperties: false, properties: { fields: fieldsObject } } } }, async (req, reply) =>
    api(reply, async () => {
      const { actor } = me(req);
      const { id } = req.params as { id: string };
      await readable(id, actor);
      const { record, changed } = await engine.update(id, { fields: (req.body as { fields: Record<string, unknown> }).fields }, { actor });
      return { version: record.version, changed };
    }));

  // a move (button or drag and drop): by event, or by target stage
  app.post('/api/records/:id/events', {
    preHandler: signedIn,
    schema: { params: idParams, body: { type: 'object', additionalProperties: false, properties: { event: { type: 'string', minLength: 1, maxLength: 100 }, to: { type: 'string', minLength: 1, maxLength: 100 }, fields: fieldsObject, checklist: { type: 'array', maxItems: 50, uniqueItems: true, items: { type: 'string', minLength: 1, maxLength: 100 } } } } },
  }, async (req, reply) =>
    api(reply, async () => {
      const { actor } = me(req);
      const { id } = req.params as { id: string };
      const body = req.body as { event?: string; to?: string; fields?: Record<string, unknown>; checklist?: string[] };
      const r = await engine.getFor(id, { actor });
      if (!r) return notFound(reply);
      const bp = engine.blueprint(r.blueprintId);
      const timerOnly = timerEvents(bp);
      const event = body.event ?? bp.spec.transitions.find((t) => t.to === body.to && !timerOnly.has(t.event) && (t.from === '*' || t.from === r.stage || (Array.isArray(t.from) && t.from.includes(r.stage))))?.event;
      if (!event) {
        const rejection = { reason: 'no_transition' as const, recordId: id, event: '', stage: r.stage, to: body.to ?? '', missingFields: [], actorId: actor.id, message: '' };
        return reply.code(422).send({ code: 'REJECTED', reason: 'no_transition', said: explainRejection(bp, rejection), missing: [] });
      }
      // the checklist ticks go with the move: the engine checks them against the target stage's requirements
      const result = await engine.send(id, { type: event, ...(body.fields ? { fields: body.fields } : {}), ...(body.checklist ? { checklist: body.checklist } : {}) }, { actor });
      if (!result.ok) {
        const rj = result.rejection;
        const status = rj.reason === 'approval_pending' ? 202 : rj.reason === 'forbidden' ? 403 : 422;
        const unticked = (rj.missingRequirements?.checklist ?? []).map((c) => ({ id: c.id, label: bilingual(c.label, c.id) }));
        return reply.code(status).send({ code: 'REJECTED', reason: rj.reason, said: explainRejection(bp, rj), missing: rj.missingFields.map((f) => ({ field: f, label: fieldLabel(bp, f) })), unticked, event });
      }
      return { ok: true, stage: result.record.stage, stageLabel: stageLabel(bp, result.record.stage) };
    }));

  app.post('/api/records/:id/activities', {
    preHandler: signedIn,
    schema: { params: idParams, body: { type: 'object', required: ['type'], additionalProperties: false, properties: { type: { type: 'string', enum: ['call', 'email', 'meeting', 'visit', 'note'] }, subject: { type: 'string', maxLength: 200 }, note: { type: 'string', maxLength: 4000 }, outcome: { type: 'string', maxLength: 200 } } } },
  }, async (req, reply) =>
    api(reply, async () => {
      const { actor } = me(req);
      const { id } = req.params as { id: string };
      await readable(id, actor);
      const body = req.body as { type: 'call'; subject?: string; note?: string; outcome?: string };
      const { activity } = await engine.logActivity(id, body, { actor });
      return { activity };
    }));

  app.post('/api/records/:id/tasks', {
    preHandler: signedIn,
    schema: { params: idParams, body: { type: 'object', required: ['title', 'dueAt'], additionalProperties: false, properties: { title: { type: 'string', minLength: 1, maxLength: 200 }, dueAt: { type: 'string', minLength: 10, maxLength: 40 } } } },
  }, async (req, reply) =>
    api(reply, async () => {
      const { actor } = me(req);
      const { id } = req.params as { id: string };
      await readable(id, actor);
      const body = req.body as { title: string; dueAt: string };
      const dueAt = new Date(body.dueAt);
      if (Number.isNaN(dueAt.getTime())) return reply.code(400).send({ code: 'INPUT_INVALID', said: { en: 'Give a due date.', zh: '请填写到期时间。' } });
      return engine.addTask(id, { title: body.title, dueAt: dueAt.toISOString() }, { actor }).then((r) => ({ taskId: r.taskId }));
    }));

  app.post('/api/records/:id/tasks/:taskId/done', { preHandler: signedIn, schema: { params: { type: 'object', required: ['id', 'taskId'], properties: { id: { type: 'string', maxLength: 200 }, taskId: { type: 'string', maxLength: 200 } } } } }, async (req, reply) =>
    api(reply, async () => {
      const { actor } = me(req);
      const { id, taskId } = req.params as { id: string; taskId: string };
      await readable(id, actor);
      await engine.completeTask(id, taskId, { actor });
      return { ok: true };
    }));

  // a line item priced from the catalogue
  app.post('/api/records/:id/items', {
    preHandler: signedIn,
    schema: { params: idParams, body: { type: 'object', required: ['product', 'quantity'], additionalProperties: false, properties: { product: { type: 'string', minLength: 1, maxLength: 100 }, quantity: { type: 'integer', minimum: 1, maximum: 100000 }, discountPercent: { type: 'number', minimum: 0, maximum: 100 } } } },
  }, async (req, reply) =>
    api(reply, async () => {
      const { actor } = me(req);
      const { id } = req.params as { id: string };
      const r = await readable(id, actor);
      const body = req.body as { product: string; quantity: number; discountPercent?: number };
      const priced = await priceLines(catalog, [{ product: body.product, quantity: body.quantity, discountPercent: body.discountPercent ?? 0 }], { currency: 'CNY' });
      const lines = priced.lines.map(({ lineTotal: _t, lineTotalMinor: _m, ...line }) => line);
      const items = [...((r.fields.items as unknown[] | undefined) ?? []), ...lines];
      const { record } = await engine.update(id, { fields: { items } }, { actor, expectedVersion: r.version });
      return { items: record.fields.items, itemsTotal: record.fields.itemsTotal };
    }));

  // approvals
  for (const verb of ['approve', 'reject'] as const) {
    app.post(`/api/records/:id/${verb}`, { preHandler: signedIn, schema: { params: idParams, body: { type: 'object', additionalProperties: false, properties: { note: { type: 'string', maxLength: 1000 } } } } }, async (req, reply) =>
      api(reply, async () => {
        const { actor } = me(req);
        const { id } = req.params as { id: string };
        await readable(id, actor);
        const note = (req.body as { note?: string } | undefined)?.note;
        await engine[verb](id, { actor, ...(note ? { note } : {}) });
        // approve's result is the record as the decision left it; the approved move fires right after
        return { stage: (await engine.get(id, { actor }))!.stage };
      }));
  }

  // the public pool
  app.get('/api/pool', { preHandler: signedIn }, async (req) => {
    const { actor } = me(req);
    const pooled = (await Promise.all(['lead', 'deal'].map((type) => engine.queryFor({ type }, { actor })))).flat().filter((r) => r.ownerId === null && r.stage !== 'disqualified');
    return { now: desk.clock.now().toISOString(), records: pooled.map((r) => card(desk, r)) };
  });
  app.post('/api/records/:id/claim', { preHandler: signedIn, schema: { params: idParams } }, async (req, reply) =>
    api(reply, async () => {
      const { actor } = me(req);
      const { id } = req.params as { id: string };
      const r = await engine.claim(id, { actor });
      return { ownerId: r.record.ownerId };
    }));

  // reassignment by hand (managers: the engine's `assign` permission)
  app.post('/api/records/:id/assign', {
    preHandler: signedIn,
    schema: { params: idParams, body: { type: 'object', required: ['to'], additionalProperties: false, properties: { to: { type: 'string', minLength: 1, maxLength: 100 } } } },
  }, async (req, reply) =>
    api(reply, async () => {
      const { actor } = me(req);
      const { id } = req.params as { id: string };
      await readable(id, actor);
      const r = await engine.assign(id, { to: (req.body as { to: string }).to }, { actor });
      return { ownerId: r.record.ownerId };
    }));

  // quote to cash: instalments of a payment plan, payments of an instalment
  app.post('/api/records/:id/instalments', {
    preHandler: signedIn,
    schema: { params: idParams, body: { type: 'object', required: ['count', 'firstDue'], additionalProperties: false, properties: { count: { type: 'integer', minimum: 1, maximum: 24 }, firstDue: { type: 'string', pattern: '^\\d{4}-\\d{2}-\\d{2}$' } } } },
  }, async (req, reply) =>
    api(reply, async () => {
      const { actor } = me(req);
      const { id } = req.params as { id: string };
      const plan = await readable(id, actor);
      if (!(await engine.can('edit', id, { actor }))) return reply.code(403).send({ code: 'FORBIDDEN', said: { en: 'You may not do this.', zh: '您无权执行此操作。' } });
      const body = req.body as { count: number; firstDue: string };
      const made = await createInstalments({ engine, links: desk.links }, id, { count: body.count, firstDue: body.firstDue, every: 'P1M' }, { actor, ownerId: plan.ownerId });
      return { instalments: made.instalments.map((i) => card(desk, i)) };
    }));
  app.post('/api/records/:id/payments', {
    preHandler: signedIn,
    schema: { params: idParams, body: { type: 'object', required: ['amount', 'paidOn'], additionalProperties: false, properties: { amount: { type: 'number', exclusiveMinimum: 0 }, paidOn: { type: 'string', pattern: '^\\d{4}-\\d{2}-\\d{2}$' }, reference: { type: 'string', maxLength: 100 } } } },
  }, async (req, reply) =>
    api(reply, async () => {
      const { actor } = me(req);
      const { id } = req.params as { id: string };
      await readable(id, actor);
      const r = await recordPayment(engine, id, req.body as { amount: number; paidOn: string; reference?: string }, { actor });
      return { stage: r.record.stage, paid: r.paid };
    }));

  // the rep's day
  app.get('/api/agenda', { preHandler: signedIn }, async (req) => {
    const { actor } = me(req);
    const now = desk.clock.now();
    const day = await engine.agenda(actor, now, { timeZone: 'Asia/Shanghai' });
    const titled = async <T extends { recordId: string }>(rows: T[]) => Promise.all(rows.map(async (row) => {
      const r = await engine.getFor(row.recordId, { actor });
      return { ...row, recordTitle: r ? card(desk, r).title : row.recordId, stageLabel: r ? stageLabel(engine.blueprint(r.blueprintId), r.stage) : null };
    }));
    const mine = (await Promise.all(WORK_TYPES.map((type) => engine.queryFor({ type, ownerId: actor.id }, { actor })))).flat().filter((r) => engine.blueprint(r.blueprintId).stages.get(r.stage)?.kind === undefined || engine.blueprint(r.blueprintId).stages.get(r.stage)?.kind === 'open');
    const approvals = hasRole(req.user!, 'manager', 'admin')
      ? (await Promise.all(WORK_TYPES.map((type) => engine.queryFor({ type }, { actor })))).flat().filter((r) => r.meta.pendingApproval)
      : [];
    return {
      now: now.toISOString(),
      day: day.day,
      overdue: await titled(day.overdue),
      dueToday: await titled(day.dueToday),
      dates: await titled(day.dates),
      deadlines: await titled(day.deadlines),
      open: mine.map((r) => card(desk, r)),
      approvals: approvals.map((r) => card(desk, r)),
    };
  });

  // the manager's view
  app.get('/api/manager', { preHandler: signedIn }, async (req, reply) => {
    const { user, actor } = me(req);
    if (!hasRole(user, 'manager', 'admin')) return reply.code(403).send({ code: 'FORBIDDEN', said: { en: 'For managers.', zh: '仅限主管。' } });
    return managerView(desk, actor);
  });
  app.post('/api/handover', {
    preHandler: signedIn,
    schema: { body: { type: 'object', required: ['from', 'to'], additionalProperties: false, properties: { from: { type: 'string', minLength: 1, maxLength: 100 }, to: { type: 'string', minLength: 1, maxLength: 100 } } } },
  }, async (req, reply) =>
    api(reply, async () => {
      const { actor } = me(req);
      const { from, to } = req.body as { from: string; to: string };
      const target = to === 'pool' ? { pool: true as const } : { to };
      const r = await engine.handover(from, target, { actor });
      return { batchId: r.batchId, moved: (r as unknown as { moved?: unknown[] }).moved?.length ?? null, result: r };
    }));

  // the process
  app.get('/api/process', { preHandler: signedIn, schema: { querystring: { type: 'object', properties: { type: { type: 'string', enum: PROCESS_IDS } } } } }, async (req) =>
    processView(desk, (req.query as { type?: string }).type ?? 'deal'));
  app.post('/api/process/what-if', {
    preHandler: signedIn,
    schema: { body: { type: 'object', required: ['type', 'stage', 'within'], additionalProperties: false, properties: { type: { type: 'string', enum: PROCESS_IDS }, stage: { type: 'string', maxLength: 100 }, within: { type: 'string', pattern: '^P(?:\\d+D)?(?:T(?:\\d+H)?(?:\\d+M)?)?$', maxLength: 20 } } } },
  }, async (req, reply) =>
    api(reply, async () => {
      const body = req.body as { type: string; stage: string; within: string };
      return whatIfDeadline(desk, body.type, body.stage, body.within);
    }));

  // lead intake: CSV import (managers and admins)
  app.post('/api/import', { preHandler: signedIn, schema: { querystring: { type: 'object', properties: { name: { type: 'string', maxLength: 200 } } } } }, async (req, reply) =>
    api(reply, async () => {
      const { user, actor } = me(req);
      if (!hasRole(user, 'manager', 'admin')) return reply.code(403).send({ code: 'FORBIDDEN', said: { en: 'Imports are for managers.', zh: '仅主管可导入。' } });
      if (typeof req.body !== 'string' || req.body.length === 0) return reply.code(400).send({ code: 'INPUT_INVALID', said: { en: 'Send a CSV file.', zh: '请上传CSV文件。' } });
      return importLeads(desk, req.body, actor);
    }));

  // lead intake: the public web-to-lead form (no sign-in; rate-limited; duplicate guard; routed on create)
  app.post('/public/leads', {
    config: { rateLimit: { max: options.leadFormPerMinute ?? 5, timeWindow: '1 minute' } },
    schema: {
      body: {
        type: 'object', required: ['name', 'email'], additionalProperties: false,
        properties: {
          name: { type: 'string', minLength: 1, maxLength: 100 }, email: { type: 'string', minLength: 3, maxLength: 200, pattern: '^[^@\\s]+@[^@\\s]+$' }, phone: { type: 'string', maxLength: 40 },
          company: { type: 'string', maxLength: 200 }, region: { type: 'string', enum: ['north', 'east', 'south', 'west', 'overseas'] }, productInterest: { type: 'string', maxLength: 100 }, need: { type: 'string', maxLength: 2000 },
        },
      },
    },
  }, async (req, reply) => {
    const body = req.body as Record<string, string>;
    try {
      const { record } = await engine.create('lead', { fields: { ...body, source: 'web_form', sourceDetail: 'sales-desk web form' } }, { actor: WEB_FORM_ACTOR });
      return reply.code(201).send({ ok: true, reference: record.id, said: { en: 'Thank you! A sales rep will contact you within one working day.', zh: '感谢！销售将在一个工作日内联系您。' } });
    } catch (e) {
      if (isDealflowError(e, 'DUPLICATE')) return reply.code(200).send({ ok: true, duplicate: true, said: { en: 'Thank you! We already have your request; your rep will be in touch.', zh: '感谢！我们已收到您的需求，销售会尽快联系您。' } });
      return fail(reply, e);
    }
  });

  return app;
}
