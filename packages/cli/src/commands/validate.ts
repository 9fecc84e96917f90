import type { CliIO } from '../io.js';
import { formatValidation, validateBlueprintFile } from '../validate.js';

/** `dealflow validate <files...> [--json]`: exit 1 when any file has an error. */
export async function validateCommand(files: string[], opts: { json?: boolean }, io: CliIO): Promise<number> {
  const reports = [];
  for (const f of files) reports.push(await validateBlueprintFile(f, { cwd: io.cwd ?? process.cwd() }));
  if (opts.json) io.stdout.write(`${JSON.stringify(reports.length === 1 ? reports[0] : reports, null, 2)}\n`);
  else for (const r of reports) io.stdout.write(formatValidation(r));
  return reports.every((r) => r.valid) ? 0 : 1;
}
