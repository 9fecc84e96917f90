import { defineConfig } from 'vitest/config';

// One workspace-wide config. The `dealflow-source` export condition makes every
// `@dealflow/*` import resolve to the package's TypeScript source, so tests need no build.
export default defineConfig({
  resolve: { conditions: ['dealflow-source'] },
  ssr: { resolve: { conditions: ['dealflow-source'] } },
  test: {
    include: ['packages/*/test/**/*.test.ts', 'test/**/*.test.ts', 'examples/*/test/**/*.test.ts'],
    // the docs' blocks are written there by test/docs.test.ts, which runs them itself
    exclude: ['**/node_modules/**', 'test/.docs-run/**'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
