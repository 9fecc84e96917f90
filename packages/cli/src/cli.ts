#!/usr/bin/env node
// Entry of the published `dealflow` bin (built to dist/cli.js).
import { run } from './index.js';

const code = await run(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr });
process.exitCode = code;
