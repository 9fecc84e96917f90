import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createManualClock } from '@dealflow/core';
import { startDesk } from '../src/main.js';
import type { RunningDesk } from '../src/main.js';

// The server refuses what the page hides: sign-in, permissions, plain-word refusals, the public
// form's limits, pool, import, handover and the what-if, through HTTP (Fastify's inject).
describe('sales desk API', () => {
  let desk: RunningDesk;
  const cookies = new Map<string, string>();
  const clock = createManualClock('2026-03-02T01:30:00.000Z'); // Monday 09:30 in Shanghai

  beforeAll(async () => {
    desk = await startDesk({ port: 0, dataDir: mkdtempSync(join(tmpdir(), 'sales-desk-api-')), clock, seed: false, leadFormPerMinute: 3, log: () => undefined });
    for (const id of ['ana', 'bob', 'max']) {
      const res = await desk.app.inject({ method: 'POST', url: '/api/signin', payload: { id, password: 'desk' } });
      expect(res.statusCode).toBe(200);
      cookies.set(id, res.cookies.find((c) => c.name === 'desk_session')!.value);
    }
  });
  afterAll(async () => {
    await desk?.close();
  });

  const as = async (user: string | null, method: 'GET' | 'POST' | 'PATCH', url: string, payload?: unknown, headers: Record<string, string> = {}) => {
    const res = await desk.app.inject({ method, url, ...(payload === undefined ? {} : { payload: payload as string }), headers, ...(user ? { cookies: { desk_session: cookies.get(user)! } } : {}) });
    return { status: res.statusCode, body: res.body ? (JSON.parse(res.body) as Record<string, any>) : {} }; // eslint-disable-line @typescript-eslint/no-explicit-any
  };
  const lead = (email: string, extra: Record<string, string> = {}) => ({ name: 'Li Wei', email, company: 'Zeta', region: 'east', productInterest: 'crm', ...extra });

  it('asks for a sign-in, and refuses a wrong password', async () => {
    expect((await as(null, 'GET', '/api/agenda')).status).toBe(401);
    const wrong = await as(null, 'POST', '/api/signin', { id: 'ana', password: 'nope' });
    expect(wrong).toMatchObject({ status: 401, body: { code: 'UNAUTHENTICATED' } });
    expect((await as(null, 'POST', '/api/signin', { id: 'nobody', password: 'desk' })).status).toBe(401);
    const forged = await desk.app.inject({ method: 'GET', url: '/api/me', cookies: { desk_session: 'max' } }); // unsigned
    expect(forged.statusCode).toBe(401);
    expect((await as('ana', 'GET', '/api/me')).body).toMatchObject({ id: 'ana', roles: ['rep'], manager: false });
  });

  it('web-to-lead: validated, routed on create, duplicates answered kindly, rate-limited', async () => {
    expect((await as(null, 'POST', '/public/leads', { name: 'X', email: 'not an e-mail' })).status).toBe(400);
    const made = await as(null, 'POST', '/public/leads', lead('li.wei@zeta.cn'));
    expect(made.status).toBe(201);
    expect((await desk.desk.engine.get(made.body.reference, { actor: desk.desk.engine.system }))!.ownerId).toBe('ana');
    const again = await as(null, 'POST', '/public/leads', lead('Li.Wei@Zeta.cn'));
    expect(again.body).toMatchObject({ ok: true, duplicate: true });
    expect(await desk.desk.engine.query({ type: 'lead' }, { actor: desk.desk.engine.system })).toHaveLength(1);
    const limited = await as(null, 'POST', '/public/leads', lead('other@zeta.cn')); // the 4th this minute (3 allowed)
    expect(limited.status).toBe(429);
    expect(await desk.desk.engine.query({ type: 'lead' }, { actor: desk.desk.engine.system })).toHaveLength(1);
  });

  it('a rep neither sees nor changes another rep’s record; a refused move is said in plain words, nothing written', async () => {
    const { record } = await desk.desk.engine.create('lead', { fields: { name: 'Wang Fang', email: 'wang@omega.cn', source: 'phone', region: 'east', productInterest: 'crm' }, ownerId: 'ana' }, { actor: { id: 'ana', roles: ['rep'] } });
    expect(record.ownerId).toBe('ana');
    expect((await as('bob', 'GET', `/api/records/${record.id}`)).status).toBe(404);
    expect((await as('bob', 'PATCH', `/api/records/${record.id}/fields`, { fields: { company: 'Omega' } })).status).toBe(404);
    expect((await as('bob', 'POST', `/api/records/${record.id}/events`, { event: 'contact', fields: { contactedVia: 'call' } })).status).toBe(404);
    expect((await as('max', 'GET', `/api/records/${record.id}`)).status).toBe(200);
    // drag and drop onto a stage it cannot reach, then onto the next stage without its field
    const far = await as('ana', 'POST', `/api/records/${record.id}/events`, { to: 'converted' });
    expect(far).toMatchObject({ status: 422, body: { reason: 'no_transition', said: { en: 'It cannot go to Converted from New.', zh: '不能从「新线索」直接进入「已转化」。' } } });
    const short = await as('ana', 'POST', `/api/records/${record.id}/events`, { to: 'contacted' });
    expect(short).toMatchObject({ status: 422, body: { reason: 'required_fields', missing: [{ field: 'contactedVia', label: { en: 'First contact via', zh: '首次联系方式' } }] } });
    expect((await desk.desk.engine.get(record.id, { actor: desk.desk.engine.system }))!.version).toBe(record.version);
    const moved = await as('ana', 'POST', `/api/records/${record.id}/events`, { to: 'contacted', fields: { contactedVia: 'call' } });
    expect(moved).toMatchObject({ status: 200, body: { ok: true, stage: 'contacted' } });
    // a bad value is refused whole
    const bad = await as('ana', 'PATCH', `/api/records/${record.id}/fields`, { fields: { region: 'mars' } });
    expect(bad.status).toBe(400);
    expect((await desk.desk.engine.get(record.id, { actor: desk.desk.engine.system }))!.fields.region).toBe('east');
  });

  it('only a manager approves: the rep’s page hides it and the server refuses it', async () => {
    const { record: deal } = await desk.desk.engine.create('deal', { fields: { title: 'Omega – CRM', amount: 20000, region: 'east' }, ownerId: 'ana' }, { actor: { id: 'ana', roles: ['rep'] } });
    await as('ana', 'POST', `/api/records/${deal.id}/items`, { product: 'crm-seat', quantity: 10, discountPercent: 30 });
    await as('ana', 'POST', `/api/records/${deal.id}/events`, { event: 'propose', fields: { decisionMaker: 'Ms Qian' } });
    const quoteId = ((await desk.desk.engine.get(deal.id, { actor: desk.desk.engine.system }))!.meta.links as Record<string, string[]>).quote![0]!;
    const held = await as('ana', 'POST', `/api/records/${quoteId}/events`, { event: 'send', fields: { validUntil: '2026-03-31' } });
    expect(held).toMatchObject({ status: 202, body: { reason: 'approval_pending' } });
    expect((await as('ana', 'GET', `/api/records/${quoteId}`)).body.can.approve).toBe(false);
    const before = (await desk.desk.engine.get(quoteId, { actor: desk.desk.engine.system }))!;
    const refused = await as('ana', 'POST', `/api/records/${quoteId}/approve`, {});
    expect(refused).toMatchObject({ status: 403, body: { code: 'FORBIDDEN' } });
    expect((await desk.desk.engine.get(quoteId, { actor: desk.desk.engine.system }))!.version).toBe(before.version);
    expect((await as('max', 'GET', `/api/records/${quoteId}`)).body.can.approve).toBe(true);
    expect((await as('max', 'GET', '/api/agenda')).body.approvals.map((r: { id: string }) => r.id)).toContain(quoteId);
    const ok = await as('max', 'POST', `/api/records/${quoteId}/approve`, {});
    expect(ok.body).toEqual({ stage: 'sent' });
  });

  it('the public pool: a released lead is claimed by another rep; the rep who let it go waits out the cool-down', async () => {
    const { record } = await desk.desk.engine.create('lead', { fields: { name: 'Zhao Lei', email: 'zhao@sigma.cn', source: 'event', region: 'east', productInterest: 'crm' }, ownerId: 'ana' }, { actor: { id: 'ana', roles: ['rep'] } });
    expect((await as('ana', 'POST', `/api/records/${record.id}/events`, { event: 'release' })).body.stage).toBe('pool');
    expect((await as('bob', 'GET', '/api/pool')).body.records.map((r: { id: string }) => r.id)).toContain(record.id);
    const back = await as('ana', 'POST', `/api/records/${record.id}/claim`);
    expect(back.status).toBe(403);
    expect(back.body.said.en).toBe('You may not do this.');
    expect((await as('bob', 'POST', `/api/records/${record.id}/claim`)).body).toEqual({ ownerId: 'bob' });
  });

  it('CSV import (managers only): created rows routed, refused rows reported with line and reason', async () => {
    const csv = ['Name,Company,Email,Region,Product,Need', 'Sun Li,Kappa,sun@kappa.cn,East,crm,CRM', 'Qian Yu,Lambda,qian@lambda.cn,Mars,crm,ERP', 'Zhou Bo,Mu,zhou@mu.cn,East,crm,CRM'].join('\n');
    expect((await as('ana', 'POST', '/api/import', csv, { 'content-type': 'text/csv' })).status).toBe(403);
    const res = await as('max', 'POST', '/api/import', csv, { 'content-type': 'text/csv' });
    expect(res.body).toMatchObject({ created: 2, refused: 1, refusedRows: [{ line: 3, code: 'unknown_value' }] });
    const imported = (await desk.desk.engine.query({ type: 'lead' }, { actor: desk.desk.engine.system })).filter((r) => ['sun@kappa.cn', 'zhou@mu.cn'].includes(r.fields.email as string));
    expect(imported).toHaveLength(2);
    for (const r of imported) expect(['ana', 'bob']).toContain(r.ownerId); // routed by the lead rules (east, crm: least loaded)
  });

  it('the process page: diagram, lint findings, and the what-if of a shorter deadline on today’s records', async () => {
    const p = await as('max', 'GET', '/api/process?type=lead');
    expect(p.body.svg).toContain('<svg');
    expect(Array.isArray(p.body.findings)).toBe(true);
    const contacted = (await desk.desk.engine.query({ type: 'lead' }, { actor: desk.desk.engine.system })).filter((r) => r.stage === 'contacted').length;
    const w = await as('max', 'POST', '/api/process/what-if', { type: 'lead', stage: 'contacted', within: 'P3D' });
    expect(w.body).toMatchObject({ ok: true, before: 'P14D', after: 'P3D', change: { stage: 'contacted', records: contacted, earlier: contacted } });
  });

  it('handover: the manager moves a departing rep’s open records to another rep; a rep may not', async () => {
    expect((await as('bob', 'POST', '/api/handover', { from: 'ana', to: 'bob' })).status).toBe(403);
    const open = (await desk.desk.engine.query({ ownerId: 'ana' }, { actor: desk.desk.engine.system })).filter((r) => !desk.desk.engine.blueprint(r.blueprintId).stages.get(r.stage)?.kind || desk.desk.engine.blueprint(r.blueprintId).stages.get(r.stage)?.kind === 'open');
    expect(open.length).toBeGreaterThan(0);
    expect((await as('max', 'POST', '/api/handover', { from: 'ana', to: 'bob' })).status).toBe(200);
    for (const r of open) expect((await desk.desk.engine.get(r.id, { actor: desk.desk.engine.system }))!.ownerId).toBe('bob');
  });
});
