import { DealflowError } from '@dealflow/core';

/**
 * Parses RFC-4180 CSV text into rows of strings: fields separated by commas, records by CRLF or
 * LF, fields optionally in double quotes (a quote inside is doubled; quoted fields may hold commas
 * and line breaks). A trailing line break does not make an empty row.
 * Throws `DealflowError('DATA_INVALID')` naming the line and column of malformed quoting.
 *
 * @example
 * ```ts
 * parseCsv('a,b\r\n"x, y","say ""hi"""\n') // [['a','b'], ['x, y', 'say "hi"']]
 * ```
 */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let i = 0;
  let line = 1;
  let col = 1;
  const n = text.length;
  let fieldStarted = false;
  const fail = (message: string): never => {
    throw new DealflowError('DATA_INVALID', `CSV line ${line}, column ${col}: ${message}`, {
      problems: [{ path: `line ${line}, column ${col}`, message, code: 'csv_syntax' }],
      details: { line, column: col },
    });
  };
  while (i < n) {
    const ch = text[i] as string;
    if (ch === '"' && !fieldStarted) {
      // quoted field
      fieldStarted = true;
      i++;
      for (;;) {
        if (i >= n) fail('unterminated quoted field');
        const c = text[i] as string;
        if (c === '"') {
          if (text[i + 1] === '"') {
            field += '"';
            i += 2;
            continue;
          }
          i++;
          break;
        }
        if (c === '\n') line++;
        field += c;
        i++;
      }
      const after = text[i];
      if (after !== undefined && after !== ',' && after !== '\n' && after !== '\r') {
        fail(`unexpected character ${JSON.stringify(after)} after a closing quote`);
      }
      continue;
    }
    if (ch === ',') {
      row.push(field);
      field = '';
      fieldStarted = false;
      col++;
      i++;
      continue;
    }
    if (ch === '\r' || ch === '\n') {
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
      fieldStarted = false;
      i += ch === '\r' && text[i + 1] === '\n' ? 2 : 1;
      line++;
      col = 1;
      continue;
    }
    if (ch === '"') fail('a quote inside an unquoted field');
    field += ch;
    fieldStarted = true;
    i++;
  }
  if (fieldStarted || row.length > 0) {
    row.push(field);
    rows.push(row);
  }
  return rows;
}
