import { Command, CommanderError, Option } from 'commander';
import { describeError } from './errors.js';
import { processFileArgument } from './process.js';
import type { CliIO } from './io.js';
import { validateCommand } from './commands/validate.js';
import { diagramCommand, DIAGRAM_FORMATS } from './commands/diagram.js';
import { simulateCommand } from './commands/simulate.js';
import { migrateCommand } from './commands/migrate.js';
import { forecastCommand } from './commands/forecast.js';
import { exportCommand, importCommand } from './commands/bulk.js';
import { initCommand } from './commands/init.js';

/** The version printed by `dealflow --version`. */
export const CLI_VERSION = '0.1.0';

/**
 * Runs the `dealflow` command line with `argv` (without `node` and the script name), writing to
 * the given streams. Returns the exit code: 0 on success, 1 on problems or bad input. Bad input
 * (missing file, invalid JSON, unreadable CSV, unreachable database) is one line on stderr,
 * with the stack only under `--verbose`.
 *
 * @example
 * ```ts
 * import { run } from '@dealflow/cli'
 * const code = await run(['validate', 'deal.json', '--json'], { stdout: process.stdout, stderr: process.stderr })
 * process.exitCode = code
 * ```
 */
export async function run(argv: readonly string[], io: CliIO): Promise<number> {
  const verbose = argv.includes('--verbose');
  let code = 0;
  const program = new Command('dealflow')
    .description('Dealflow: validate, draw, simulate and forecast sales processes.')
    .version(CLI_VERSION)
    .option('--verbose', 'print stack traces of errors')
    .exitOverride()
    .configureOutput({
      writeOut: (s) => io.stdout.write(s),
      writeErr: (s) => io.stderr.write(s),
    })
    .showHelpAfterError('(run dealflow --help for usage)');

  program
    .command('init')
    .description('create a process folder: dealflow.config.json, a blueprint, a scenario, a test, and the editor setting for completion')
    .argument('[dir]', 'the folder to create', 'dealflow')
    .option('--force', 'overwrite files that exist')
    .action(async (dir: string, opts: { force?: boolean }) => {
      code = await initCommand(dir, opts, io);
    });

  program
    .command('validate')
    .description('check a process file (dealflow.config.json/.ts) or blueprint files: every check createEngine runs, every problem with file, line, JSON path, value and hint')
    .argument('[files...]', 'process or blueprint files (.json or .ts); default: dealflow.config.json here')
    .option('--json', 'machine-readable output')
    .action(async (files: string[], opts: { json?: boolean }) => {
      code = await validateCommand(files.length > 0 ? files : [await processFileArgument(undefined, io.cwd ?? process.cwd())], { ...opts, verbose }, io);
    });

  program
    .command('diagram')
    .description('draw a blueprint (with the process\'s allow rules, approvals and escalations) as a Mermaid state diagram, an SVG, or the XState config the Stately editor imports')
    .argument('[file]', 'process or blueprint file; default: dealflow.config.json here')
    .option('-b, --blueprint <id>', 'which blueprint of a process file (default: the first)')
    .addOption(new Option('-f, --format <format>', 'output format').choices([...DIAGRAM_FORMATS]).default('mermaid'))
    .option('-o, --out <file>', 'write to a file instead of stdout')
    .action(async (file: string | undefined, opts: { format: string; out?: string; blueprint?: string }) => {
      code = await diagramCommand(file, opts, io);
    });

  program
    .command('simulate')
    .description('drive generated records through a process with a moving clock: stages, breaches, escalations, and which rule rejected how often')
    .argument('[file]', 'process or blueprint file; default: dealflow.config.json here')
    .option('-b, --blueprint <id>', 'which blueprint of a process file (default: the first)')
    .option('--scenario <file>', 'scenario JSON: field distributions, event weights, dwell')
    .option('-n, --records <n>', 'records to generate', '1000')
    .option('-d, --days <n>', 'days to simulate', '90')
    .option('-s, --seed <n>', 'random seed', '1')
    .option('--policy <blueprint>', 'run the same seeded simulation on a changed blueprint and print the difference')
    .option('--rules <file>', 'sales rules JSON (assignment, escalations, …) instead of the process file\'s')
    .option('--dwell <duration>', 'mean time between a record\'s events (ISO duration)', 'P2D')
    .option('--json', 'machine-readable output')
    .option('--no-progress', 'no progress lines on stderr')
    .action(async (file: string | undefined, opts: Parameters<typeof simulateCommand>[1]) => {
      code = await simulateCommand(file, opts, io);
    });

  program
    .command('forecast')
    .description('pipeline reports and forecasts from a CSV export or a Dealflow database')
    .option('--csv <file>', 'pipeline CSV (columns of the CRM Sales Opportunities dataset by default)')
    .option('--db <url>', 'a Dealflow database: postgres://… or a SQLite file path')
    .option('--blueprint <file>', 'with --db: the blueprint whose stages (kinds, probabilities) the records use')
    .option('--tenant <id>', 'with --db: tenant id', 'default')
    .option('--as-of <date>', 'forecast date (default: the latest date in the data)')
    .option('--horizon <days>', 'forecast horizon in days', '90')
    .option('--svg <file>', 'write the fan chart of the weekly forecast to this SVG file')
    .option('--amount-field <name>', 'field holding the deal value', 'amount')
    .option('--json', 'machine-readable output')
    .action(async (opts: Parameters<typeof forecastCommand>[0]) => {
      code = await forecastCommand(opts, io);
    });

  program
    .command('migrate')
    .description('apply the Dealflow schema to a PostgreSQL database')
    .requiredOption('--db <url>', 'postgres://user@host:5432/db')
    .option('--schema <name>', 'schema name', 'dealflow')
    .action(async (opts: { db: string; schema?: string }) => {
      code = await migrateCommand(opts, io);
    });

  const collect = (v: string, prev: string[] = []) => [...prev, v];
  program
    .command('import')
    .description('import CSV or JSON Lines into records of a blueprint (mapping file, refused-rows report, resumable), or --restore a dealflow export')
    .argument('<file>', 'source file (.csv, .jsonl)')
    .requiredOption('--db <url>', 'a Dealflow database: postgres://… (migrated) or a SQLite file path (created when missing)')
    .option('--schema <name>', 'PostgreSQL schema')
    .option('--blueprint <file>', 'blueprint file (repeat for several)', collect)
    .option('--mapping <file>', 'column mapping JSON (see docs/bulk.md)')
    .option('--rules <file>', 'engine sales rules JSON (assignment, duplicates, …)')
    .option('--import-id <id>', 'names the import in the ledger: the same id resumes (default: the file name)')
    .option('--tenant <id>', 'tenant id', 'default')
    .option('--report <file>', 'refused rows with line numbers and reasons (.csv, else JSON Lines)')
    .addOption(new Option('--format <format>', 'source format (default: from the extension)').choices(['csv', 'jsonl']))
    .option('--delimiter <char>', 'CSV delimiter')
    .option('--concurrency <n>', 'windows of rows committing at once, 1…8 (default 4; 1: one after another)')
    .option('--restore', 'the file is a dealflow export (export --what dealflow): restore it exactly')
    .option('--no-progress', 'no progress bar or lines')
    .option('--json', 'machine-readable summary')
    .action(async (file: string, opts: Parameters<typeof importCommand>[1]) => {
      code = await importCommand(file, opts, io);
    });

  program
    .command('export')
    .description('export records, history or activities as CSV or JSON Lines, streamed, filtered by query')
    .requiredOption('--db <url>', 'a Dealflow database: postgres://… or a SQLite file path')
    .option('--schema <name>', 'PostgreSQL schema')
    .option('--tenant <id>', 'tenant id', 'default')
    .addOption(new Option('--what <what>', 'what to export').choices(['records', 'history', 'activities', 'dealflow']).default('records'))
    .addOption(new Option('--format <format>', 'output format').choices(['jsonl', 'csv']).default('jsonl'))
    .option('-o, --out <file>', 'write to a file instead of stdout')
    .option('--type <type>', 'records of this type')
    .option('--stage <stage>', 'records in this stage (repeat for several)', collect)
    .option('--owner <rep>', "records of this owner ('none': unowned)")
    .option('--updated-from <time>', 'records updated at or after')
    .option('--updated-to <time>', 'records updated before')
    .option('--field <name=value>', 'records whose field equals the value (repeat)', collect)
    .action(async (opts: Parameters<typeof exportCommand>[0]) => {
      code = await exportCommand(opts, io);
    });

  try {
    await program.parseAsync([...argv], { from: 'user' });
    return code;
  } catch (e) {
    if (e instanceof CommanderError) {
      // help and version exit 0; usage errors were already printed by commander
      return e.exitCode === 0 ? 0 : 1;
    }
    io.stderr.write(`dealflow: ${describeError(e, verbose)}\n`);
    return 1;
  }
}
