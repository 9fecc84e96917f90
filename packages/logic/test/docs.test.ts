import { readFileSync } from 'node:fs';
import { isDeepStrictEqual } from 'node:util';
import { describe, expect, it } from 'vitest';
import * as logic from '../src/index.js';

// Runs every ```ts snippet of docs/rules.md; a line `expr // → value` must give `value`.
const markdown = readFileSync(new URL('../../../docs/rules.md', import.meta.url), 'utf8');
const snippets = [...markdown.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1] as string);

function toProgram(snippet: string): string {
  return snippet
    .split('\n')
    .filter((line) => !line.startsWith('import '))
    .map((line) => {
      const at = line.indexOf(' // → ');
      if (at === -1) return line;
      const left = line.slice(0, at);
      const right = line.slice(at + ' // → '.length);
      return `__check(${JSON.stringify(line.trim())}, () => (${left}), () => (${right}));`;
    })
    .join('\n');
}

describe('docs/rules.md snippets', () => {
  it('has snippets', () => {
    expect(snippets.length).toBeGreaterThan(5);
  });

  it.each(snippets.map((s, i) => [i, s] as const))('snippet %i runs and gives the documented values', (_i, snippet) => {
    const failures: string[] = [];
    let checks = 0;
    const check = (line: string, actual: () => unknown, expected: () => unknown): void => {
      checks++;
      const a = actual();
      const e = expected();
      if (!isDeepStrictEqual(a, e)) failures.push(`${line}\n  got ${JSON.stringify(a)}`);
    };
    const names = Object.keys(logic).join(', ');
    const run = new Function('__lib', '__check', `const { ${names} } = __lib;\n${toProgram(snippet)}`);
    run(logic, check);
    expect(failures).toEqual([]);
    if (snippet.includes(' // → ')) expect(checks).toBeGreaterThan(0);
  });
});
