/**
 * The store's own pool reads timestamptz as text and turns UTC text into ISO strings itself (no
 * `Date` per value). Whatever instant a row holds (microseconds, the first and last years, a session
 * in another time zone), a record read through the store carries the ISO string the driver's own
 * parser would give.
 */
import fc from 'fast-check';
import pg from 'pg';
import { afterAll, expect, it } from 'vitest';
import { createPostgresStorage, migrate } from '../src/index.js';
import { dropSchema, PG_URL, pgAvailable, uniqueSchema } from './pg-helpers.js';

const T = 'tenant-ts';

if (await pgAvailable('storage-postgres/test/timestamps.test.ts')) {
  const pool = new pg.Pool({ connectionString: PG_URL, max: 2 });
  const schema = uniqueSchema('timestamps');
  await migrate({ pool, schema });
  afterAll(async () => {
    await dropSchema(pool, schema);
    await pool.end();
  });

  /** Writes a record whose three instants are the given timestamptz texts; returns what the driver's default parser reads back. */
  const seed = async (id: string, stamps: [string, string, string]): Promise<[string, string, string]> => {
    const { rows } = await pool.query(
      `INSERT INTO "${schema}".records (tenant_id, id, type, blueprint_id, blueprint_version, stage, version, fields, owner_id, team_id, meta, stage_entered_at, created_at, updated_at)
       VALUES ($1, $2, 'lead', 'lead', 1, 'new', 1, '{}', NULL, NULL, '{}', $3::timestamptz, $4::timestamptz, $5::timestamptz)
       RETURNING stage_entered_at, created_at, updated_at`,
      [T, id, ...stamps],
    );
    const r = rows[0] as Record<string, Date>;
    return [r.stage_entered_at!.toISOString(), r.created_at!.toISOString(), r.updated_at!.toISOString()];
  };

  // instants from year 1 to 9999 with microseconds, written as UTC text or with an offset
  const instant = fc.record({
    ms: fc.integer({ min: Date.parse('0001-01-02T00:00:00Z'), max: Date.parse('9999-12-30T23:59:59Z') }),
    micros: fc.integer({ min: 0, max: 999 }),
    offsetMinutes: fc.constantFrom(0, 0, 330, -480, 60),
  }).map(({ ms, micros, offsetMinutes }) => {
    const local = new Date(ms + offsetMinutes * 60_000).toISOString().slice(0, 23);
    const sign = offsetMinutes < 0 ? '-' : '+';
    const off = Math.abs(offsetMinutes);
    return `${local}${String(micros).padStart(3, '0')}${sign}${String(Math.floor(off / 60)).padStart(2, '0')}:${String(off % 60).padStart(2, '0')}`;
  });

  for (const [label, url] of [
    ['a session in UTC', PG_URL],
    ['a session in another time zone', `${PG_URL}${PG_URL.includes('?') ? '&' : '?'}options=${encodeURIComponent('-c TimeZone=Asia/Kolkata')}`],
  ] as const) {
    it(`records read through the store carry the driver's instants (${label})`, async () => {
      const storage = createPostgresStorage({ connectionString: url, schema, max: 2 });
      try {
        let n = 0;
        await fc.assert(fc.asyncProperty(fc.tuple(instant, instant, instant), async (stamps) => {
          const id = `r-${label.length}-${n++}`;
          const expected = await seed(id, stamps);
          const got = await storage.getRecord(T, id);
          expect([got!.stageEnteredAt, got!.createdAt, got!.updatedAt]).toEqual(expected);
          const page = await storage.queryRecords(T, { limit: 1, order: 'asc', after: { createdAt: got!.createdAt, id: `${id}-` } });
          for (const r of page) expect(r.createdAt).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
        }), { numRuns: 60 });
      } finally {
        await storage.close();
      }
    });
  }
}
