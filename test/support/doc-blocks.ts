/** The TypeScript blocks of the Markdown docs, for the docs-as-tests suite (test/docs.test.ts). */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';

/** One fenced ```ts block, or a block of any language named with `file=` (```json file=deal.json). */
export interface DocBlock {
  /** The Markdown file, relative to the repository root. */
  file: string;
  /** 1-based line of the opening fence (of the first block, for blocks joined by `continued`). */
  line: number;
  code: string;
  /** TypeScript (type-checked and run) rather than a named data file the other blocks read. */
  ts: boolean;
  /** The block's own file name (`file=engine.ts`): the page's other blocks import or read it by that name. */
  name?: string;
  /** The block is a vitest test file (it imports vitest, or the storage conformance suite that registers vitest tests): it runs under vitest. */
  test: boolean;
}

/** The Markdown files whose TypeScript must run: README.md, docs/*.md and each package README. */
export function docFiles(root: string): string[] {
  const files = ['README.md'];
  for (const f of readdirSync(join(root, 'docs'))) if (f.endsWith('.md')) files.push(`docs/${f}`);
  for (const p of readdirSync(join(root, 'packages'))) {
    try {
      readFileSync(join(root, 'packages', p, 'README.md'));
      files.push(`packages/${p}/README.md`);
    } catch {
      // a package without a README has no blocks
    }
  }
  return files.sort();
}

/**
 * Every ```ts / ```typescript block of a Markdown text. A block whose fence says `continued`
 * (```ts continued) goes on from the block before it, as a walk-through page does: it is joined
 * to that block (one program, run once, in page order) instead of running alone. A block whose
 * fence says `file=<name>` (```ts file=engine.ts, ```json file=deal.blueprint.json) is a file
 * of that name beside the page's other blocks, which import it as a reader's project would.
 */
export function extractBlocks(text: string, file: string): DocBlock[] {
  const out: DocBlock[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const open = /^(\s*)(`{3,})([\w-]+)(.*)$/.exec(lines[i]!);
    if (!open) continue;
    const ts = open[3] === 'ts' || open[3] === 'typescript';
    const name = /\bfile=([\w.-]+)/.exec(open[4]!)?.[1];
    if (!ts && name === undefined) {
      // another language's block: skip to its closing fence
      const close = lines.findIndex((l, k) => k > i && l.trimStart().startsWith(open[2]!));
      i = close === -1 ? lines.length : close;
      continue;
    }
    const indent = open[1]!.length;
    const fence = open[2]!;
    const body: string[] = [];
    let j = i + 1;
    for (; j < lines.length && !lines[j]!.trimStart().startsWith(fence); j++) body.push(lines[j]!.slice(Math.min(indent, lines[j]!.length - lines[j]!.trimStart().length)));
    const code = `${body.join('\n')}\n`;
    const previous = out[out.length - 1];
    if (/\bcontinued\b/.test(open[4]!)) {
      if (previous === undefined || !previous.ts) throw new Error(`${file}:${i + 1}: a \`continued\` block needs a TypeScript block before it`);
      previous.code += `// ${file}:${i + 1} (continued)\n${code}`;
      previous.test ||= isTest(code);
    } else {
      out.push({ file, line: i + 1, code, ts, ...(name === undefined ? {} : { name }), test: ts && isTest(code) });
    }
    i = j;
  }
  return out;
}

/** The block is a vitest test file: it imports vitest, or the storage conformance suite that registers vitest tests. */
function isTest(code: string): boolean {
  return /from ['"](vitest|@dealflow\/storage-testkit)['"]/.test(code);
}

/** The folder of a page's blocks, relative to the run folder: `docs-getting-started.md`. */
export function pageDir(root: string, file: string): string {
  return relative(root, join(root, file)).replace(/[\\/]/g, '-');
}

/** A block's file, relative to the run folder: `docs-getting-started.md/L42.ts`, or its own name. */
export function blockFileName(root: string, b: DocBlock): string {
  return `${pageDir(root, b.file)}/${b.name ?? `L${b.line}${b.test ? '.test' : ''}.ts`}`;
}
