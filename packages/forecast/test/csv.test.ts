import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { isDealflowError, replay } from '@dealflow/core';
import { parseCsv, parsePipelineCsv } from '../src/index.js';

describe('parseCsv (RFC 4180)', () => {
  it('handles quotes, doubled quotes, commas and line breaks in fields, CRLF', () => {
    const text = 'a,b,c\r\n"x, y","say ""hi""","two\r\nlines"\r\n,,\r\n';
    expect(parseCsv(text)).toEqual([
      ['a', 'b', 'c'],
      ['x, y', 'say "hi"', 'two\r\nlines'],
      ['', '', ''],
    ]);
  });

  it('keeps a last line without a line break', () => {
    expect(parseCsv('a,b\n1,2')).toEqual([['a', 'b'], ['1', '2']]);
  });

  it('round-trips any table written with quoting', () => {
    const cell = fc.string({ maxLength: 8 });
    fc.assert(
      fc.property(fc.array(fc.array(cell, { minLength: 1, maxLength: 4 }), { minLength: 1, maxLength: 5 }), (table) => {
        const text = table.map((row) => row.map((v) => `"${v.replace(/"/g, '""')}"`).join(',')).join('\r\n');
        expect(parseCsv(text)).toEqual(table);
      }),
    );
  });

  it('names line and column of an unterminated quote and of a stray quote', () => {
    try {
      parseCsv('a,b\n1,"open\n');
      expect.unreachable();
    } catch (e) {
      expect(isDealflowError(e, 'DATA_INVALID')).toBe(true);
      expect((e as Error).message).toMatch(/line 3, column 2: unterminated/);
    }
    expect(() => parseCsv('a,b\nx,y"z\n')).toThrowError(/line 2, column 2: a quote inside an unquoted field/);
    expect(() => parseCsv('"a"b\n')).toThrowError(/line 1, column 1: unexpected character/);
  });
});

const HEADER = 'opportunity_id,sales_agent,product,account,deal_stage,engage_date,close_date,close_value\n';

describe('parsePipelineCsv', () => {
  it('maps the CRM export to records and history', () => {
    const text =
      HEADER +
      'W1,Ann,GTX Basic,Acme,Won,2017-01-02,2017-03-05,550\n' +
      'L1,Bob,MG Special,,Lost,2017-01-03,2017-02-01,0\n' +
      'E1,Ann,GTX Pro,Acme,Engaging,2017-02-10,,\n' +
      'P1,Bob,GTX Pro,,Prospecting,,,\n';
    const { records, history, stages } = parsePipelineCsv(text);
    expect(stages.map((s) => s.id)).toEqual(['prospecting', 'engaging', 'won', 'lost']);
    const w1 = records.find((r) => r.id === 'W1')!;
    expect(w1).toMatchObject({ stage: 'won', ownerId: 'Ann', createdAt: '2017-01-02T00:00:00.000Z', version: 3 });
    expect(w1.fields).toMatchObject({ product: 'GTX Basic', account: 'Acme', amount: 550 });
    const h = history.filter((e) => e.recordId === 'W1');
    expect(h.map((e) => [e.kind, e.from ?? null, e.to, e.at.slice(0, 10)])).toEqual([
      ['created', null, 'prospecting', '2017-01-02'],
      ['transition', 'prospecting', 'engaging', '2017-01-02'],
      ['transition', 'engaging', 'won', '2017-03-05'],
    ]);
    // The amount is only known from the close on.
    expect(h[2]!.data).toEqual({ changes: { stage: 'won', stageEnteredAt: '2017-03-05T00:00:00.000Z', fields: { amount: 550 } } });
    // The close date is only the close event: no field known from creation carries it.
    expect(JSON.stringify(h[0]!.data)).not.toContain('2017-03-05');
    expect(w1.fields).not.toHaveProperty('closeDate');
    // Engine-shaped history: core's replay rebuilds the record's stage, fields and owner.
    expect(replay(h)).toMatchObject({ stage: 'won', fields: w1.fields, ownerId: 'Ann', createdAt: w1.createdAt });
    expect(records.find((r) => r.id === 'L1')!.fields.account).toBeNull();
    expect(history.filter((e) => e.recordId === 'E1').map((e) => e.to)).toEqual(['prospecting', 'engaging']);
    // Undated Prospecting row: known only from the export's latest date.
    const p1 = records.find((r) => r.id === 'P1')!;
    expect(p1).toMatchObject({ stage: 'prospecting', createdAt: '2017-03-05T00:00:00.000Z' });
  });

  it('maps other column names', () => {
    const text = 'id,rep,status,start,end,value\nX,Zoe,Won,2020-01-01,2020-01-09,10\n';
    const { records } = parsePipelineCsv(text, {
      columns: { id: 'id', owner: 'rep', stage: 'status', engageDate: 'start', closeDate: 'end', amount: 'value' },
    });
    expect(records[0]).toMatchObject({ id: 'X', ownerId: 'Zoe', stage: 'won', fields: { amount: 10 } });
  });

  it('fails whole, listing every bad row by line and column', () => {
    const text =
      HEADER +
      'A,Ann,P,,Won,2017-01-02,2017-02-30,5\n' + // line 2: impossible close date (column 7)
      'B,Ann,P,,Maybe,2017-01-02,,\n' + // line 3: unknown stage (column 5)
      'A,Ann,P,,Lost,2017-01-02,2017-02-02,abc\n'; // line 4: duplicate id, bad amount
    try {
      parsePipelineCsv(text);
      expect.unreachable();
    } catch (e) {
      expect(isDealflowError(e, 'DATA_INVALID')).toBe(true);
      const problems = (e as { problems: { path: string; message: string }[] }).problems;
      expect(problems.map((p) => p.path)).toEqual([
        'line 2, column 7 (close_date)',
        'line 2, column 7 (close_date)', // …so this closed record lacks a close date
        'line 3, column 5 (deal_stage)',
        'line 4, column 1 (opportunity_id)',
        'line 4, column 8 (close_value)',
      ]);
      expect(problems[2]!.message).toMatch(/unknown stage 'Maybe' in record 'B'/);
    }
  });

  it('names a missing column', () => {
    expect(() => parsePipelineCsv('opportunity_id,deal_stage\nA,Won\n')).toThrowError(/missing column 'sales_agent'/);
  });
});
