import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, test } from 'vitest';
import * as core from '../src/index.js';

/**
 * Runs the ```ts snippets of docs/assignment.md and docs/escalation.md in order, in one scope per
 * page; a line `expr // → value` is checked to give `value` (JSON). The pages are TypeScript (test/docs.test.ts
 * type-checks each block): their types are stripped before they run here.
 */
const docs = fileURLToPath(new URL('../../../docs/', import.meta.url));
const AsyncFunction = Object.getPrototypeOf(async () => {}).constructor as new (...args: string[]) => (...a: unknown[]) => Promise<void>;

function program(markdown: string): { code: string; checks: number } {
  const blocks = [...markdown.matchAll(/```ts[^\n]*\n([\s\S]*?)```/g)].map((m) => m[1]!);
  let checks = 0;
  const lines: string[] = [];
  for (const block of blocks) {
    for (const raw of block.split('\n')) {
      const imp = raw.match(/^import \{([^}]*)\} from '@dealflow\/core'/);
      if (imp) { lines.push(`const {${imp[1]}} = __core;`); continue; }
      const check = raw.match(/^;?(.*?)\s*\/\/ → (.+)$/);
      if (check) {
        checks++;
        lines.push(`await __check(${checks}, ${JSON.stringify(check[1]!.trim())}, async () => (${check[1]}), ${JSON.stringify(check[2]!.trim())});`);
        continue;
      }
      lines.push(raw);
    }
  }
  const js = ts.transpileModule(lines.join('\n'), { compilerOptions: { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ESNext } }).outputText;
  return { code: js.replace(/^export \{\};?$/m, ''), checks };
}

describe.each(['assignment.md', 'escalation.md'])('docs/%s snippets', (page) => {
  test('run and give the values the page shows', async () => {
    const { code, checks } = program(readFileSync(docs + page, 'utf8'));
    expect(checks).toBeGreaterThan(5);
    let ran = 0;
    const check = async (n: number, expr: string, fn: () => Promise<unknown>, expected: string) => {
      const got = await fn();
      expect(got, `check #${n}: ${expr}`).toEqual(JSON.parse(expected));
      ran++;
    };
    await new AsyncFunction('__core', '__check', code)(core, check);
    expect(ran).toBe(checks);
  });
});
