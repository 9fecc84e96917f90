import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { isDealflowError } from '@dealflow/core';
import type { Blueprint, Engine, StoredRecord } from '@dealflow/core';
import type { ForecastPanel } from './forecast.js';

const PAGE = readFileSync(new URL('./page.html', import.meta.url), 'utf8');

/** What the server needs. */
export interface BoardContext {
  engine: Engine;
  blueprint: Blueprint;
  /** The forecast panel (computed once). */
  forecast: () => ForecastPanel;
}

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' });
  res.end(text);
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  let text = '';
  for await (const chunk of req) {
    text += chunk;
    if (text.length > 100_000) throw Object.assign(new Error('body too large'), { status: 413 });
  }
  try {
    return text ? JSON.parse(text) : {};
  } catch {
    throw Object.assign(new Error('body is not JSON'), { status: 400 });
  }
}

/** The card of a deal: fields, deadline state and the moves its stage allows. */
async function card(ctx: BoardContext, r: StoredRecord, now: number) {
  const bp = ctx.blueprint;
  const stage = bp.stages.get(r.stage);
  let deadline: { dueAt: string; breached: boolean; msLeft: number } | null = null;
  if (stage?.deadline) {
    const timers = await ctx.engine.timers(r.id);
    const breach = timers.filter((t) => t.kind === 'breach' && t.stage === r.stage && t.createdAt >= r.stageEnteredAt).pop();
    if (breach) deadline = { dueAt: breach.dueAt, breached: breach.status === 'done' || Date.parse(breach.dueAt) <= now, msLeft: Date.parse(breach.dueAt) - now };
  }
  const actions = bp.isFinal(r.stage)
    ? []
    : bp.transitions
        .filter((t) => t.event !== stage?.deadline?.onBreach && (t.from === '*' || (Array.isArray(t.from) ? t.from.includes(r.stage) : t.from === r.stage)))
        .map((t) => ({ event: t.event, label: t.label ?? t.event, to: t.to }));
  return { id: r.id, stage: r.stage, ownerId: r.ownerId, fields: r.fields, version: r.version, stageEnteredAt: r.stageEnteredAt, deadline, actions };
}

/** Routes of the JSON API and the page. */
export function createBoardServer(ctx: BoardContext): Server {
  const { engine, blueprint } = ctx;
  return createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    try {
      if (req.method === 'GET' && url.pathname === '/') {
        res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
        res.end(PAGE);
        return;
      }
      if (req.method === 'GET' && url.pathname === '/api/board') {
        const now = Date.now();
        const records = await engine.query({ blueprintId: blueprint.id });
        const deals = [];
        for (const r of records) deals.push(await card(ctx, r, now));
        const weighted = records
          .filter((r) => !blueprint.isFinal(r.stage))
          .reduce((a, r) => a + Number(r.fields.amount ?? 0) * (blueprint.stages.get(r.stage)?.probability ?? 0), 0);
        send(res, 200, {
          now: new Date(now).toISOString(),
          stages: blueprint.spec.stages.map((s) => ({ id: s.id, label: s.label ?? s.id, kind: s.kind, probability: s.probability ?? null, deadline: s.deadline?.within ?? null })),
          fields: Object.fromEntries(Object.entries(blueprint.fields).map(([k, f]) => [k, { label: f.label ?? k, type: f.type }])),
          deals,
          weightedPipeline: weighted,
        });
        return;
      }
      const m = /^\/api\/deals\/([^/]+)\/(events|history)$/.exec(url.pathname);
      if (m) {
        const id = decodeURIComponent(m[1]!);
        const record = await engine.get(id);
        if (!record) return send(res, 404, { error: `no deal '${id}'` });
        if (m[2] === 'history' && req.method === 'GET') {
          const history = await engine.history(id);
          return send(res, 200, history.map((h) => ({ at: h.at, kind: h.kind, event: h.event ?? null, from: h.from ?? null, to: h.to ?? null, actorId: h.actorId ?? null, fields: (h.data.input as Record<string, unknown> | undefined) ?? null })));
        }
        if (m[2] === 'events' && req.method === 'POST') {
          const body = (await readJson(req)) as { event?: unknown; fields?: unknown; actor?: unknown };
          if (typeof body.event !== 'string') return send(res, 400, { error: "body needs 'event' (a string)" });
          const fields = body.fields && typeof body.fields === 'object' ? (body.fields as Record<string, unknown>) : undefined;
          const actor = typeof body.actor === 'string' && body.actor ? body.actor : record.ownerId ?? 'board-user';
          const result = await engine.send(id, fields ? { type: body.event, fields } : body.event, { actor: { id: actor, roles: ['rep'] } });
          if (!result.ok) return send(res, 422, { ok: false, rejection: result.rejection });
          return send(res, 200, { ok: true, deal: await card(ctx, result.record, Date.now()) });
        }
      }
      if (req.method === 'GET' && url.pathname === '/api/forecast') {
        const f = ctx.forecast();
        return send(res, 200, { asOf: f.asOf, points: f.points, svg: f.svg });
      }
      send(res, 404, { error: `no route ${req.method} ${url.pathname}` });
    } catch (e) {
      const status = (e as { status?: number }).status ?? (isDealflowError(e, 'INPUT_INVALID') ? 400 : 500);
      send(res, status, { error: (e as Error).message });
    }
  });
}

/** Starts listening; resolves with the URL. */
export function listen(server: Server, port: number, host = '127.0.0.1'): Promise<string> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve(`http://${host}:${(server.address() as AddressInfo).port}`));
  });
}
