#!/usr/bin/env node
// The `dealflow` command. It runs the built CLI (dist/cli.js); this file exists before any build, so
// installing the workspace links the command without a warning. In a clone of the repository,
// `pnpm build` first, or run the sources with `pnpm dealflow …` from the repository root.
try {
  await import('../dist/cli.js');
} catch (error) {
  if (error?.code !== 'ERR_MODULE_NOT_FOUND' || !String(error.message).includes('dist')) throw error;
  process.stderr.write('dealflow: the CLI is not built (dist/cli.js is missing). Run `pnpm build` in the repository, or `pnpm dealflow …` to run it from source.\n');
  process.exitCode = 1;
}
