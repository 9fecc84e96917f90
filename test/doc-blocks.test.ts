import { describe, expect, it } from 'vitest';
import { blockFileName, extractBlocks } from './support/doc-blocks.js';

const fence = '```';
const page = (...parts: string[]) => parts.join('\n');

describe('doc blocks (the docs-as-tests extractor)', () => {
  it('takes each ts block with its line, and leaves other languages out', () => {
    const blocks = extractBlocks(page('# T', `${fence}ts`, 'const a = 1', fence, `${fence}sh`, 'pnpm test', fence, `${fence}typescript`, 'const b = 2', fence), 'docs/t.md');
    expect(blocks.map((b) => [b.line, b.code.trim(), b.ts])).toEqual([
      [2, 'const a = 1', true],
      [8, 'const b = 2', true],
    ]);
  });

  it('joins a `continued` block to the block before it: one program, named by the first block', () => {
    const blocks = extractBlocks(page(`${fence}ts`, 'const a = 1', fence, 'prose', `${fence}ts continued`, 'console.log(a)', fence), 'docs/t.md');
    expect(blocks).toHaveLength(1);
    expect(blocks[0]!.line).toBe(1);
    expect(blocks[0]!.code).toContain('const a = 1');
    expect(blocks[0]!.code).toContain('// docs/t.md:5 (continued)\nconsole.log(a)');
  });

  it('refuses a `continued` block with nothing to continue', () => {
    expect(() => extractBlocks(page(`${fence}ts continued`, 'x', fence), 'docs/t.md')).toThrow(/docs\/t\.md:1/);
  });

  it('names `file=` blocks, of any language, beside the page\'s other blocks', () => {
    const blocks = extractBlocks(page(`${fence}json file=deal.json`, '{ "id": "deal" }', fence, `${fence}ts file=engine.ts`, 'export const x = 1', fence, `${fence}ts`, "import { x } from './engine.js'", fence), 'docs/embedding.md');
    expect(blocks.map((b) => [b.name, b.ts])).toEqual([
      ['deal.json', false],
      ['engine.ts', true],
      [undefined, true],
    ]);
    expect(blocks.map((b) => blockFileName('/repo', b))).toEqual(['docs-embedding.md/deal.json', 'docs-embedding.md/engine.ts', 'docs-embedding.md/L7.ts']);
  });

  it('marks blocks that import vitest or the conformance suite as tests', () => {
    const [b] = extractBlocks(page(`${fence}ts`, "import { it } from 'vitest'", fence), 'docs/t.md');
    expect(b!.test).toBe(true);
    expect(blockFileName('/repo', b!)).toBe('docs-t.md/L1.test.ts');
  });
});
