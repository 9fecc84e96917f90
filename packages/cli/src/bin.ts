#!/usr/bin/env node
// Workspace entry (`pnpm --filter @dealflow/cli dealflow …`): pnpm runs scripts in the package
// folder, so relative paths are resolved from where the command was typed (INIT_CWD).
import { run } from './index.js';

const code = await run(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr, cwd: process.env.INIT_CWD ?? process.cwd() });
process.exitCode = code;
