import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createManualClock } from '@dealflow/core';
import { postgresTestTarget, uniqueSchemaName } from '@dealflow/storage-testkit';
import { startDesk } from '../src/main.js';
import type { RunningDesk, StartDeskOptions } from '../src/main.js';

const DAY = 86_400_000;

/** Where the suite runs: the SQLite file store, and PostgreSQL (DEALFLOW_PG_URL) when it answers (required in CI). */
const stores: Array<{ name: string; options: () => Partial<StartDeskOptions>; cleanup?: () => Promise<void> }> = [{ name: 'SQLite file', options: () => ({}) }];
const pgTarget = await postgresTestTarget({
  label: 'examples/sales-desk/test/api.test.ts',
  probe: async (url) => {
    const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3000 });
    try {
      await client.connect();
      await client.query('SELECT 1');
    } finally {
      await client.end().catch(() => undefined);
    }
  },
});
if (pgTarget.reachable) {
  const schema = uniqueSchemaName('sales_desk_api');
  stores.push({
    name: 'PostgreSQL',
    options: () => ({ databaseUrl: pgTarget.url, schema }),
    cleanup: async () => {
      const client = new pg.Client({ connectionString: pgTarget.url });
      await client.connect();
      await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      await client.end();
    },
  });
}

// The server refuses what the page hides: sign-in, permissions, plain-word refusals, the public
// form's limits, pool, import, handover, the what-if, the checklist, reassignment and badges,
// through HTTP (Fastify's inject), on each store.
describe.each(stores)('sales desk API on $name', (store) => {
  let desk: RunningDesk;
  const cookies = new Map<string, string>();
  const clock = createManualClock('2026-03-02T01:30:00.000Z'); // Monday 09:30 in Shanghai

  const dataDir = mkdtempSync(join(tmpdir(), 'sales-desk-api-'));
  const start = () => startDesk({ port: 0, dataDir, clock, seed: false, leadFormPerMinute: 3, log: () => undefined, ...store.options() });
  beforeAll(async () => {
    desk = await start();
    for (const id of ['ana', 'bob', 'max']) {
      const res = await desk.app.inject({ method: 'POST', url: '/api/signin', payload: { id, password: 'desk' } });
      expect(res.statusCode).toBe(200);
      cookies.set(id, res.cookies.find((c) => c.name === 'desk_session')!.value);
    }
  });
  afterAll(async () => {
    await desk?.close();
    await store.cleanup?.();
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
  it('the contract’s signing checklist: the move is refused naming what is not ticked, nothing written; ticked, it passes and the history keeps the ticks', async () => {
    const sys = { actor: desk.desk.engine.system };
    const { record } = await desk.desk.engine.create('contract', { fields: { title: 'Omega – CRM contract', amount: 30000 }, ownerId: 'ana' }, { actor: { id: 'ana' } });
    expect((await as('ana', 'POST', `/api/records/${record.id}/events`, { event: 'submit', fields: { terms: 'net 30' } })).status).toBe(200);
    expect((await as('max', 'POST', `/api/records/${record.id}/events`, { event: 'approve' })).status).toBe(200);
    const page = await as('ana', 'GET', `/api/records/${record.id}`);
    expect(page.body.transitions.find((t: { event: string }) => t.event === 'sign').checklist).toEqual([
      { id: 'seal', label: { en: 'Company seal on both copies', zh: '双方已加盖公章' } },
      { id: 'original', label: { en: 'Signed original received', zh: '已收回签字原件' } },
    ]);
    const version = (await desk.desk.engine.get(record.id, sys))!.version;
    const none = await as('ana', 'POST', `/api/records/${record.id}/events`, { event: 'sign', fields: { signedOn: '2026-03-03' } });
    expect(none).toMatchObject({ status: 422, body: { reason: 'requirements', said: { en: 'Tick Company seal on both copies, Signed original received on the checklist first to move it to Signed – in execution.' }, unticked: [{ id: 'seal' }, { id: 'original' }] } });
    const half = await as('ana', 'POST', `/api/records/${record.id}/events`, { event: 'sign', fields: { signedOn: '2026-03-03' }, checklist: ['seal'] });
    expect(half).toMatchObject({ status: 422, body: { reason: 'requirements', said: { zh: '进入「已签订（执行中）」前请先勾选检查项：已收回签字原件。' }, unticked: [{ id: 'original' }] } });
    const bogus = await as('ana', 'POST', `/api/records/${record.id}/events`, { event: 'sign', fields: { signedOn: '2026-03-03' }, checklist: ['seal', 'original', 'stamp'] });
    expect(bogus.status).toBe(400);
    expect(bogus.body.said.en).toContain("no checklist item 'stamp'");
    expect((await desk.desk.engine.get(record.id, sys))!).toMatchObject({ version, stage: 'approved' });
    // bob may not tick someone else's checklist: the move is refused whole
    expect((await as('bob', 'POST', `/api/records/${record.id}/events`, { event: 'sign', fields: { signedOn: '2026-03-03' }, checklist: ['seal', 'original'] })).status).toBe(404);
    const signed = await as('ana', 'POST', `/api/records/${record.id}/events`, { event: 'sign', fields: { signedOn: '2026-03-03' }, checklist: ['original', 'seal'] });
    expect(signed).toMatchObject({ status: 200, body: { ok: true, stage: 'signed' } });
    const history = (await as('ana', 'GET', `/api/records/${record.id}`)).body.history as Array<{ event: string | null; ticked: unknown[] }>;
    expect(history.find((h) => h.event === 'sign')!.ticked).toEqual([{ en: 'Signed original received', zh: '已收回签字原件' }, { en: 'Company seal on both copies', zh: '双方已加盖公章' }]);
  });

  it('a restart keeps the records, their history and the signed-in sessions', async () => {
    const sys = () => ({ actor: desk.desk.engine.system });
    const before = await desk.desk.engine.query({}, sys());
    expect(before.length).toBeGreaterThan(0);
    const history = await desk.desk.engine.history(before[0]!.id, sys());
    await desk.close();
    desk = await start();
    expect((await desk.desk.engine.query({}, sys())).map((r) => [r.id, r.version, r.stage, r.ownerId])).toEqual(before.map((r) => [r.id, r.version, r.stage, r.ownerId]));
    expect(await desk.desk.engine.history(before[0]!.id, sys())).toEqual(history);
    expect((await as('ana', 'GET', '/api/me')).body).toMatchObject({ id: 'ana' }); // the cookie signed before the restart
  });

  it('reassignment by hand: a manager may, a rep may not; the new owner sees it, the old one no longer does', async () => {
    const { record } = await desk.desk.engine.create('deal', { fields: { title: 'Rho – ERP', amount: 40000, region: 'east' }, ownerId: 'ana' }, { actor: { id: 'ana' } });
    expect((await as('ana', 'GET', `/api/records/${record.id}`)).body.can.assign).toBe(false);
    expect((await as('max', 'GET', `/api/records/${record.id}`)).body.can.assign).toBe(true);
    expect((await as('ana', 'POST', `/api/records/${record.id}/assign`, { to: 'bob' })).status).toBe(403);
    expect((await desk.desk.engine.get(record.id, { actor: desk.desk.engine.system }))!.ownerId).toBe('ana');
    expect((await as('max', 'POST', `/api/records/${record.id}/assign`, { to: 'nobody' })).status).toBe(400);
    expect((await as('max', 'POST', `/api/records/${record.id}/assign`, { to: 'bob' })).body).toEqual({ ownerId: 'bob' });
    expect((await as('bob', 'GET', `/api/records/${record.id}`)).status).toBe(200);
    expect((await as('ana', 'GET', `/api/records/${record.id}`)).status).toBe(404);
  });

  // last: it moves the clock on four days
  it('badges and streaks: three calls a day for five working days earn the streak badge, once; the manager’s page counts the running streak', async () => {
    const { record } = await desk.desk.engine.create('deal', { fields: { title: 'Tau – CRM', amount: 10000, region: 'east' }, ownerId: 'ana' }, { actor: { id: 'ana' } });
    const anaOf = async () => ((await as('max', 'GET', '/api/manager')).body.motivation.reps as Array<{ id: string; streak: number; callsThisWeek: number; badges: Array<{ rule: string }> }>).find((r) => r.id === 'ana')!;
    expect((await as('ana', 'GET', '/api/manager')).status).toBe(403);
    for (let day = 1; day <= 5; day++) {
      for (let call = 0; call < 3; call++) expect((await as('ana', 'POST', `/api/records/${record.id}/activities`, { type: 'call', subject: `day ${day} call ${call + 1}` })).status).toBe(200);
      const ana = await anaOf();
      expect(ana.streak).toBe(day);
      expect(ana.callsThisWeek).toBe(3 * day);
      expect(ana.badges.filter((b) => b.rule === 'call-streak')).toHaveLength(day === 5 ? 1 : 0);
      if (day < 5) clock.advance(DAY); // Monday … Friday in Shanghai
    }
    expect((await anaOf()).badges.filter((b) => b.rule === 'call-streak')).toHaveLength(1); // awarded once
    expect((await as('max', 'GET', '/api/manager')).body.motivation.reps.find((r: { id: string }) => r.id === 'bob').streak).toBe(0);
  });
});
