import { defineConfig } from 'vitest/config';

// One workspace-wide config. The `dealflow-source` export condition makes every
// `@dealflow/*` import resolve to the package's TypeScript source, so tests need no build.
export default defineConfig({
  resolve: { conditions: ['dealflow-source'] },
  ssr: { resolve: { conditions: ['dealflow-source'] } },
  test: {
    include: ['packages/*/test/**/*.test.ts', 'test/**/*.test.ts', 'examples/*/test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
