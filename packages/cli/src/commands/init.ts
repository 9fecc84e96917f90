import type { CliIO } from '../io.js';
import { initProcess } from '../init/init.js';

/** `dealflow init [dir] [--force]`: writes a process folder and says what to run next. */
export async function initCommand(dir: string, opts: { force?: boolean }, io: CliIO): Promise<number> {
  const r = await initProcess(dir, { cwd: io.cwd ?? process.cwd(), ...(opts.force ? { force: true } : {}) });
  const out: string[] = [];
  for (const f of r.written) out.push(`created ${f}`);
  for (const f of r.skipped) out.push(`kept ${f} (exists; --force overwrites)`);
  const cfg = `${dir.replace(/\/$/, '')}/dealflow.config.json`;
  out.push('', 'next:', `  npm install @dealflow/core && npm install -D @dealflow/cli vitest`, `  npx dealflow validate ${cfg}`, `  npx dealflow diagram ${cfg}`, `  npx dealflow simulate ${cfg} --scenario ${dir.replace(/\/$/, '')}/scenario.json`, `  npx vitest run ${dir.replace(/\/$/, '')}`);
  io.stdout.write(`${out.join('\n')}\n`);
  return 0;
}
