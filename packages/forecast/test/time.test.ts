import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { funnelAt } from '../src/index.js';
import { toMs } from '../src/data/time.js';

describe('date parsing', () => {
  it('parses canonical ISO strings exactly as Date.parse does (property)', () => {
    fc.assert(
      fc.property(fc.date({ min: new Date('1970-01-01T00:00:00Z'), max: new Date('2199-12-31T23:59:59Z'), noInvalidDate: true }), (d) => {
        expect(toMs(d.toISOString(), 'x')).toBe(d.getTime());
      }),
    );
  });

  it('rejects impossible dates in canonical form', () => {
    for (const bad of ['2017-02-29T00:00:00.000Z', '2017-13-01T00:00:00.000Z', '2017-04-31T00:00:00.000Z', '2017-01-01T24:00:00.000Z']) {
      expect(() => toMs(bad, 'at')).toThrowError(/at is not a valid date/);
    }
    expect(toMs('2016-02-29T00:00:00.000Z', 'at')).toBe(Date.UTC(2016, 1, 29));
  });

  it('names the record of a bad history date', () => {
    const record = { tenantId: 't', id: 'R1', type: 'deal', blueprintId: 'b', blueprintVersion: 1, stage: 'lead', version: 1, fields: {}, ownerId: null, teamId: null, meta: {}, stageEnteredAt: '2026-01-01T00:00:00.000Z', createdAt: '2026-01-01T00:00:00.000Z', updatedAt: '2026-01-01T00:00:00.000Z' };
    const history = [{ tenantId: 't', id: 'h1', recordId: 'R1', seq: 1, at: 'soon', kind: 'created', to: 'lead', data: {} }];
    expect(() => funnelAt({ records: [record], history, stages: [{ id: 'lead', kind: 'open' }], asOf: '2026-02-01' })).toThrowError(/history event 'h1' of record 'R1'/);
  });
});
