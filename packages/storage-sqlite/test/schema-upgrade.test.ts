import Database from 'better-sqlite3';
import { expect, test } from 'vitest';
import { at, makeOutboxMessage, makeRecord, makeTimer } from '@dealflow/storage-testkit';
import { tempDatabaseFiles } from './temp-file.js';
import { createSqliteStorage } from '../src/index.js';
import { MIGRATIONS } from '../src/schema.js';

const T = 'tenant-a';
const file = tempDatabaseFiles('upgrade');

/** A database file as release 1 of the store left it: schema v1 with records, timers and an outbox whose newest rows were acked. */
function writeV1File(filename: string): void {
  const db = new Database(filename);
  db.pragma('journal_mode = WAL');
  db.exec(MIGRATIONS[0]!);
  db.pragma('user_version = 1');
  const r = makeRecord({ tenantId: T, id: 'd1' });
  db.prepare(`INSERT INTO records VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`).run(
    T, r.id, r.type, r.blueprintId, r.blueprintVersion, r.stage, r.version, '{}', null, null, '{}', r.stageEnteredAt, r.createdAt, r.updatedAt,
  );
  const timer = db.prepare(`INSERT INTO timers (tenant_id, id, record_id, kind, key, due_at, event, payload, stage, record_version, status,
    lease_owner, lease_until, attempts, created_at, finished_at, outcome) VALUES (?, ?, 'd1', 'breach', ?, ?, 'late', '{}', 'new', 1, ?, NULL, NULL, 0, ?, ?, ?)`);
  timer.run(T, 't-done', 'k-done', at(1000), 'done', at(0), at(2000), 'fired');
  timer.run(T, 't-cancelled', 'k-old', at(2000), 'cancelled', at(0), at(500), 'replaced');
  timer.run(T, 't-pending', 'k-live', at(3000), 'pending', at(0), null, null);
  const outbox = db.prepare('INSERT INTO outbox (tenant_id, id, record_id, type, payload, created_at) VALUES (?, ?, ?, ?, ?, ?)');
  for (const id of ['m1', 'm2', 'm3']) outbox.run(T, id, 'd1', 'dealflow.transition', '{}', at(0));
  db.prepare('DELETE FROM outbox WHERE position >= 2').run(); // a relay acked m2 and m3 (v1 acks delete; AUTOINCREMENT remembered 3)
  db.close();
}

test('a v1 database file upgrades in place to the current schema, keeping its data', async () => {
  const filename = file();
  writeV1File(filename);
  const s = createSqliteStorage({ filename });
  const db = s.database as unknown as Database.Database;
  expect(db.pragma('user_version', { simple: true })).toBe(MIGRATIONS.length);
  const indexes = (db.prepare("SELECT name FROM sqlite_schema WHERE type = 'index' AND tbl_name = 'timers' AND sql IS NOT NULL").all() as { name: string }[])
    .map((r) => r.name).sort();
  expect(indexes).toEqual(['timers_active_by_record', 'timers_by_record', 'timers_claimed_lease', 'timers_pending_due']);

  expect((await s.getRecord(T, 'd1'))?.id).toBe('d1');
  const timers = await s.transaction(T, (tx) => tx.listTimers('d1'));
  expect(timers.map((t) => [t.id, t.status])).toEqual([['t-done', 'done'], ['t-cancelled', 'cancelled'], ['t-pending', 'pending']]);
  expect((await s.transaction(T, (tx) => tx.listTimers('d1', { status: ['pending', 'claimed'] }))).map((t) => t.id)).toEqual(['t-pending']);
  // replacing by key still finds the live timer of the old file
  await s.transaction(T, (tx) => tx.scheduleTimers([makeTimer({ tenantId: T, id: 't-next', recordId: 'd1', key: 'k-live', dueAt: at(4000) })]));
  expect((await s.transaction(T, (tx) => tx.getTimer('t-pending')))?.status).toBe('cancelled');
  expect(await s.transaction(T, (tx) => tx.cancelTimers('d1'))).toBe(1);

  // outbox: the old row keeps its position, new positions continue after the acked ones (never 2 or 3 again)
  await s.transaction(T, (tx) => tx.appendOutbox([makeOutboxMessage({ tenantId: T, id: 'm4' })]));
  const messages = await s.readOutbox({ limit: 10 });
  expect(messages.map((m) => [m.id, m.position])).toEqual([['m1', 1], ['m4', 4]]);
  await s.close();

  // opening the upgraded file again changes nothing
  const again = createSqliteStorage({ filename });
  expect((again.database as unknown as Database.Database).pragma('user_version', { simple: true })).toBe(MIGRATIONS.length);
  expect((await again.readOutbox({ limit: 10 })).map((m) => m.id)).toEqual(['m1', 'm4']);
  await again.close();
});

test('outbox positions keep increasing after acks delete every message, also across a reopen', async () => {
  const filename = file();
  const s = createSqliteStorage({ filename });
  await s.transaction(T, (tx) => tx.appendOutbox(['a', 'b'].map((id) => makeOutboxMessage({ tenantId: T, id }))));
  const first = await s.readOutbox({ limit: 10 });
  await s.ackOutbox(first[1]!.position!);
  expect(await s.readOutbox({ limit: 10 })).toEqual([]);
  await s.transaction(T, (tx) => tx.appendOutbox([makeOutboxMessage({ tenantId: T, id: 'c' })]));
  const [c] = await s.readOutbox({ limit: 10 });
  expect(c!.position!).toBeGreaterThan(first[1]!.position!);
  await s.ackOutbox(c!.position!, { tenantId: T });
  await s.close();

  const reopened = createSqliteStorage({ filename });
  await reopened.transaction(T, (tx) => tx.appendOutbox([makeOutboxMessage({ tenantId: T, id: 'd' })]));
  const [d] = await reopened.readOutbox({ limit: 10 });
  expect(d!.id).toBe('d');
  expect(d!.position!).toBeGreaterThan(c!.position!);
  await reopened.close();
});

test('a new file gets 2 KiB pages; an existing file keeps its page size', async () => {
  const fresh = createSqliteStorage({ filename: file() });
  expect((fresh.database as unknown as Database.Database).pragma('page_size', { simple: true })).toBe(2048);
  await fresh.close();
  const filename = file();
  writeV1File(filename);
  const old = createSqliteStorage({ filename });
  expect((old.database as unknown as Database.Database).pragma('page_size', { simple: true })).toBe(4096);
  await old.close();
});
