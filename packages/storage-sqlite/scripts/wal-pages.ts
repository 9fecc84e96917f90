/**
 * WAL pages written per engine transition on the SQLite store (the bench's two-stage ping-pong,
 * 8 concurrent lanes), counted from the WAL file with checkpoints off, per table/index (dbstat).
 *
 * Run from the repo root:
 *   node --import tsx --conditions=dealflow-source packages/storage-sqlite/scripts/wal-pages.ts [--group N] [--page 4096]
 * `--group 1` commits each transaction alone; `--page 4096` uses 4 KiB pages (a file from release 1).
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { createEngine, type BlueprintInput } from '@dealflow/core';
import { createSqliteStorage, type SqliteDatabase } from '../src/index.js';

const arg = (name: string): string | undefined => {
  const i = process.argv.indexOf(`--${name}`);
  return i < 0 ? undefined : process.argv[i + 1];
};
const pingPong: BlueprintInput = {
  id: 'pingpong', version: 1, recordType: 'item', initialStage: 'a', fields: { title: { type: 'string' } },
  stages: [
    { id: 'a', kind: 'open', deadline: { within: 'PT1H', onBreach: 'late' } },
    { id: 'b', kind: 'open', deadline: { within: 'PT1H', onBreach: 'late' } },
    { id: 'done', kind: 'won' },
  ],
  transitions: [{ event: 'flip', from: 'a', to: 'b' }, { event: 'flip', from: 'b', to: 'a' }, { event: 'late', from: ['a', 'b'], to: 'done' }],
};
const LANES = 8;
const N = 2000;

const dir = mkdtempSync(join(tmpdir(), 'dealflow-wal-pages-'));
try {
  const file = join(dir, 'w.db');
  const db = new Database(file);
  db.pragma(`page_size = ${Number(arg('page') ?? 2048)}`);
  const storage = createSqliteStorage({ database: db as unknown as SqliteDatabase, maxGroupCommit: Number(arg('group') ?? 32) });
  const engine = createEngine({ storage, blueprints: [pingPong] });
  const ids: string[] = [];
  for (let i = 0; i < LANES; i++) ids.push((await engine.create('item', { fields: { title: `r${i}` } })).record.id);
  const run = (total: number) => Promise.all(ids.map(async (id) => {
    for (let i = 0; i < total / LANES; i++) if (!(await engine.send(id, 'flip')).ok) throw new Error('flip rejected');
  }));
  await run(N); // warm up: tables and indexes grow past one page per record
  db.pragma('wal_checkpoint(TRUNCATE)');
  db.pragma('wal_autocheckpoint = 0');
  await run(N);
  const pageSize = db.pragma('page_size', { simple: true }) as number;
  const wal = readFileSync(`${file}-wal`);
  const owner = new Map<number, string>();
  for (const r of db.prepare('SELECT name, pageno FROM dbstat').all() as { name: string; pageno: number }[]) owner.set(r.pageno, r.name);
  const byName = new Map<string, number>();
  let frames = 0;
  for (let off = 32; off + 24 + pageSize <= wal.length; off += 24 + pageSize, frames++) {
    const name = owner.get(wal.readUInt32BE(off)) ?? '(free)';
    byName.set(name, (byName.get(name) ?? 0) + 1);
  }
  console.log([...byName].sort((a, b) => b[1] - a[1]).map(([k, c]) => `${k} ${(c / N).toFixed(2)}`).join(', '));
  console.log(JSON.stringify({ page_size: pageSize, wal_pages_per_transition: +(frames / N).toFixed(2), wal_kib_per_transition: +((frames * (pageSize + 24)) / N / 1024).toFixed(1) }));
  await storage.close();
} finally {
  rmSync(dir, { recursive: true, force: true });
}
