import { describeError } from '../errors.js';
import type { CliIO } from '../io.js';
import { formatValidation, validateBlueprintFile } from '../validate.js';
import type { ValidationReport } from '../validate.js';

/**
 * `dealflow validate <files...> [--json]`: exit 1 when any file has an error. A file that cannot
 * be read is one line on stderr; the other files are still checked.
 */
export async function validateCommand(files: string[], opts: { json?: boolean; verbose?: boolean }, io: CliIO): Promise<number> {
  const reports: ValidationReport[] = [];
  let failed = false;
  for (const f of files) {
    try {
      const r = await validateBlueprintFile(f, { cwd: io.cwd ?? process.cwd() });
      reports.push(r);
      if (!r.valid) failed = true;
      if (!opts.json) io.stdout.write(formatValidation(r));
    } catch (e) {
      failed = true;
      io.stderr.write(`dealflow: ${describeError(e, opts.verbose ?? false)}\n`);
    }
  }
  if (opts.json) io.stdout.write(`${JSON.stringify(files.length === 1 ? (reports[0] ?? null) : reports, null, 2)}\n`);
  return failed ? 1 : 0;
}
