/**
 * Import and export on the memory store, SQLite and PostgreSQL: a CSV with a mapping file becomes
 * records with past stages and a report of refused rows by line; an import killed mid-way (SIGKILL
 * on SQLite and PostgreSQL; a thrown crash on the memory store, which a process kill would empty)
 * resumes without duplicates; export → restore gives the same records and history.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { PassThrough } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { createEngine, createMemoryStorage, replay } from '../packages/core/src/index.js';
import type { Storage } from '../packages/core/src/index.js';
import { exportRecords, importRecords, readLedger, restoreRecords } from '../packages/bulk/src/index.js';
import { badReason, leadBlueprint, leadsCsv, mapping } from './support/bulk-fixture.js';
import { storeKinds } from './support/stores.js';

const here = dirname(fileURLToPath(import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'dealflow-import-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const T = 'default';

function csvFile(name: string, n: number): string {
  const path = join(dir, name);
  writeFileSync(path, leadsCsv(n));
  return path;
}

/** Every record of the tenant, by id. */
async function all(storage: Storage): Promise<Map<string, Awaited<ReturnType<Storage['getRecord']>>>> {
  return new Map((await storage.queryRecords(T, {})).map((r) => [r.id, r]));
}

const expectedGood = (n: number) => Array.from({ length: n }, (_, i) => i).filter((i) => badReason(i) === null);

for (const kind of await storeKinds('test/bulk-import.test.ts')) {
  describe(`import and export on ${kind.name}`, () => {
    it('imports a CSV through the mapping: typed values, owners by e-mail, dates in the zone, past stages, refused rows by line', async () => {
      const { storage, drop } = await kind.open();
      try {
        const engine = createEngine({ storage, blueprints: [leadBlueprint()] });
        const n = 120;
        const report = join(dir, `refused-${kind.name}.csv`);
        const seen: number[] = [];
        const summary = await importRecords({ engine, source: csvFile(`a-${kind.name}.csv`, n), mapping, importId: 'first', report, window: 50, onProgress: (p) => seen.push(p.line) });
        const good = expectedGood(n);
        expect(summary).toMatchObject({ created: good.length, refused: n - good.length, skipped: 0, line: n + 1, resumed: false });
        expect(seen.at(-1)).toBe(n + 1);
        const records = await all(storage);
        expect(records.size).toBe(good.length);
        const r13 = records.get('L13')!; // row 13: Contacted, owner ann by e-mail, Referral → referral
        expect(r13).toMatchObject({ ownerId: 'ann', stage: 'contacted', fields: { name: 'Lead 13', amount: 1013, source: 'referral' } });
        // 2025-03-14 09:30 in Berlin (CET, +01:00)
        expect(r13.createdAt).toBe('2025-03-14T08:30:00.000Z');
        expect(records.has('L5')).toBe(false); // Carrier pigeon: not a mapped source
        expect(records.get('L2')).toMatchObject({ ownerId: 'bob' }); // BOB@example.com: e-mail case ignored
        expect(records.get('L0')!.ownerId).toBeNull(); // no owner, no assignment rules: unowned
        expect(records.get('L0')!.fields.name).toBe('Lead 0, "quoted"');
        const won = records.get('L7')!; // Won: created, contacted, qualified, won on 08.06.2025 (a date in Berlin)
        expect(won).toMatchObject({ stage: 'won', fields: { closeDate: '2025-06-08' } });
        const history = await storage.listHistory(T, 'L7');
        expect(history.map((e) => e.to)).toEqual(['new', 'contacted', 'qualified', 'won']);
        expect(history.map((e) => e.at)).toEqual(['2025-03-08T08:30:00.000Z', '2025-04-08T08:00:00.000Z', '2025-05-08T09:00:00.000Z', '2025-06-07T22:00:00.000Z']);
        expect(replay(history)).toEqual(won);
        // the report: one line per refused row, with its source line and reason
        const lines = readFileSync(report, 'utf8').trim().split('\n');
        expect(lines[0]).toBe('line,code,column,reason');
        const refusedLines = lines.slice(1).map((l) => Number(l.split(',')[0]));
        expect(refusedLines).toEqual(Array.from({ length: n }, (_, i) => i).filter((i) => badReason(i) !== null).map((i) => i + 2));
        expect(lines.find((l) => l.startsWith('5,'))).toMatch(/^5,unknown_owner,Owner,.*nobody@example.com/); // row 3 is on line 5
        // running the same import again does nothing
        const again = await importRecords({ engine, source: csvFile(`a2-${kind.name}.csv`, n), mapping, importId: 'first' });
        expect(again).toMatchObject({ created: good.length, rows: 0, resumed: true });
        expect((await all(storage)).size).toBe(good.length);
      } finally {
        await drop();
      }
    });

    it('duplicates: report refuses them, skip counts them, both leave the stored record alone', async () => {
      const { storage, drop } = await kind.open();
      try {
        const engine = createEngine({ storage, blueprints: [leadBlueprint()] });
        const file = csvFile(`d-${kind.name}.csv`, 10);
        await importRecords({ engine, source: file, mapping, importId: 'one' });
        const skip = await importRecords({ engine, source: file, mapping: { ...mapping, duplicates: 'skip' }, importId: 'two' });
        expect(skip).toMatchObject({ created: 0, skipped: expectedGood(10).length, refused: 10 - expectedGood(10).length });
        const rep = join(dir, `dup-${kind.name}.jsonl`);
        const report = await importRecords({ engine, source: file, mapping, importId: 'three', report: rep });
        expect(report).toMatchObject({ created: 0, refused: 10 });
        const entries = readFileSync(rep, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { line: number; code: string });
        expect(entries.filter((e) => e.code === 'DUPLICATE').map((e) => e.line)).toEqual(expectedGood(10).map((i) => i + 2));
        expect((await all(storage)).size).toBe(expectedGood(10).length);
      } finally {
        await drop();
      }
    });

    it('resumes an import that died mid-way, without duplicates, with each refused row reported once', async () => {
      const { storage, location, reopen, drop } = await kind.open();
      try {
        const n = 1500;
        const source = csvFile(`crash-${kind.name}.csv`, n);
        const report = join(dir, `crash-${kind.name}.csv.report.csv`);
        if (kind.name === 'memory') {
          // a process kill would take the memory store with it: crash by throwing after a few windows
          const engine = createEngine({ storage, blueprints: [leadBlueprint()] });
          let windows = 0;
          await expect(importRecords({
            engine, source, mapping, importId: 'crash-test', window: 40, batchSize: 20, report,
            onProgress: () => { if (++windows === 5) throw new Error('crash'); },
          })).rejects.toThrow('crash');
        } else {
          await storage.close();
          const child = spawn(process.execPath, ['--import', 'tsx', '--conditions=dealflow-source', join(here, 'support', 'import-child.ts'), kind.name, location, source, report], { stdio: ['ignore', 'pipe', 'pipe'] });
          let out = '';
          let err = '';
          child.stderr.on('data', (d: Buffer) => { err += d.toString(); });
          const exited = new Promise<number | null>((res) => child.on('exit', (code) => res(code)));
          await new Promise<void>((res, rej) => {
            child.stdout.on('data', (d: Buffer) => {
              out += d.toString();
              if ((out.match(/committed/g) ?? []).length >= 3) {
                child.kill('SIGKILL');
                res();
              }
            });
            void exited.then(() => rej(new Error(`child ended before it was killed: ${out} ${err}`)));
          });
          await exited;
          expect(out).not.toContain('done');
        }
        const store = kind.name === 'memory' ? storage : reopen();
        const before = await readLedger(store, T, 'crash-test');
        expect(before.line).toBeGreaterThan(1);
        expect(before.line).toBeLessThan(n + 1);
        expect((await all(store)).size).toBe(before.created);
        const engine = createEngine({ storage: store, blueprints: [leadBlueprint()] });
        const summary = await importRecords({ engine, source, mapping, importId: 'crash-test', window: 40, batchSize: 20, report });
        const good = expectedGood(n);
        expect(summary).toMatchObject({ resumed: true, created: good.length, refused: n - good.length, skipped: 0, line: n + 1 });
        const records = await all(store);
        expect([...records.keys()].sort()).toEqual(good.map((i) => `L${i}`).sort());
        for (const id of ['L1', 'L777', 'L1498']) expect((await store.listHistory(T, id)).filter((e) => e.kind === 'created')).toHaveLength(1);
        const reported = readFileSync(report, 'utf8').trim().split('\n').slice(1).map((l) => Number(l.split(',')[0]));
        expect(reported).toEqual(Array.from({ length: n }, (_, i) => i).filter((i) => badReason(i) !== null).map((i) => i + 2));
      } finally {
        await drop();
      }
    });

    it('export → restore round-trips records and history exactly; exports filter by query, as CSV too', async () => {
      const { storage, drop } = await kind.open();
      const target = createMemoryStorage();
      try {
        const engine = createEngine({ storage, blueprints: [leadBlueprint()] });
        await importRecords({ engine, source: csvFile(`x-${kind.name}.csv`, 60), mapping, importId: 'src' });
        const first = [...(await all(storage)).keys()].sort()[0]!;
        await engine.send(first, 'lose');
        const chunks: string[] = [];
        const out = new PassThrough();
        out.on('data', (d: Buffer) => chunks.push(d.toString()));
        const done = await exportRecords({ storage, tenantId: T, out, what: 'dealflow', pageSize: 7 });
        out.end();
        expect(done.records).toBe(expectedGood(60).length);
        const file = join(dir, `export-${kind.name}.jsonl`);
        writeFileSync(file, chunks.join(''));
        const restored = await restoreRecords({ storage: target, tenantId: T, source: file, importId: 'back', batchSize: 9 });
        expect(restored).toMatchObject({ restored: done.records, refused: 0 });
        for (const [id, r] of await all(storage)) {
          expect(await target.getRecord(T, id)).toEqual(r);
          expect(await target.listHistory(T, id)).toEqual(await storage.listHistory(T, id));
        }
        // filtered CSV export of records: header and one row per won lead
        const csv: string[] = [];
        const csvOut = new PassThrough();
        csvOut.on('data', (d: Buffer) => csv.push(d.toString()));
        const won = await exportRecords({ storage, tenantId: T, out: csvOut, format: 'csv', query: { stage: 'won' }, pageSize: 4 });
        csvOut.end();
        const rows = csv.join('').trim().split('\n');
        expect(rows[0]).toBe('id,type,blueprintId,blueprintVersion,stage,version,ownerId,teamId,stageEnteredAt,createdAt,updatedAt,amount,closeDate,email,name,source');
        expect(rows.length - 1).toBe(won.records);
        expect(won.records).toBe((await storage.queryRecords(T, { stage: 'won' })).length);
        expect(rows.slice(1).every((r) => r.split(',')[4] === 'won')).toBe(true);
      } finally {
        await target.close();
        await drop();
      }
    });
  });
}
