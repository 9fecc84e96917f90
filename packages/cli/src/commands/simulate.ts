import { SingleBar, Presets } from 'cli-progress';
import type { SalesRulesInput } from '@dealflow/core';
import { inputError } from '../errors.js';
import type { CliIO } from '../io.js';
import { readText } from '../load.js';
import { parseJsonText } from '../json-locate.js';
import { simulate } from '../simulate/simulate.js';
import type { SimulateOptions, SimulationReport } from '../simulate/simulate.js';
import { compareSimulations, formatDiff, formatSimulation } from '../simulate/format.js';
import { blueprintFromFile } from './blueprint.js';
import { resolve } from 'node:path';

/** Options of `dealflow simulate`. */
export interface SimulateCommandOptions {
  records: string;
  days: string;
  seed: string;
  policy?: string;
  rules?: string;
  dwell?: string;
  json?: boolean;
  progress?: boolean;
}

function int(name: string, value: string, min: number): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < min) throw inputError(`--${name} must be a whole number ≥ ${min}, got '${value}'`);
  return n;
}

async function readRules(path: string, cwd: string): Promise<SalesRulesInput> {
  const text = await readText(resolve(cwd, path), 'rules file');
  const parsed = parseJsonText(text);
  if (!parsed.ok) throw inputError(`${path}:${parsed.line}:${parsed.column}: invalid JSON: ${parsed.message}`);
  return parsed.value as SalesRulesInput;
}

/** `dealflow simulate <blueprint> --records N --days D --seed S [--policy other.json]`. */
export async function simulateCommand(file: string, opts: SimulateCommandOptions, io: CliIO): Promise<number> {
  const cwd = io.cwd ?? process.cwd();
  const base = await blueprintFromFile(file, cwd);
  const policy = opts.policy ? await blueprintFromFile(opts.policy, cwd) : undefined;
  const rules = opts.rules ? await readRules(opts.rules, cwd) : undefined;
  const common: SimulateOptions = {
    records: int('records', opts.records, 0),
    days: int('days', opts.days, 1),
    seed: int('seed', opts.seed, 0),
    ...(opts.dwell ? { meanDwell: opts.dwell } : {}),
    ...(rules ? { rules } : {}),
  };
  const showBar = opts.progress !== false && io.stderr.isTTY === true && !opts.json;
  const run = async (label: string, bp: typeof base): Promise<SimulationReport> => {
    if (!showBar) return simulate(bp, common);
    const bar = new SingleBar(
      { format: `${label} [{bar}] {percentage}% | day {day}/${common.days}`, stream: io.stderr as NodeJS.WritableStream, hideCursor: true },
      Presets.shades_classic,
    );
    bar.start(100, 0, { day: 0 });
    try {
      return await simulate(bp, {
        ...common,
        onProgress: (done, total) => bar.update(Math.round((done / total) * 100), { day: Math.ceil((done / total) * (common.days ?? 0)) }),
      });
    } finally {
      bar.stop();
    }
  };
  const a = await run(file, base);
  const b = policy ? await run(opts.policy!, policy) : undefined;
  if (opts.json) {
    io.stdout.write(`${JSON.stringify(b ? { base: a, policy: b, diff: compareSimulations(a, b) } : a, null, 2)}\n`);
    return 0;
  }
  io.stdout.write(formatSimulation(a));
  if (b) {
    io.stdout.write(`\n${formatSimulation(b)}\n`);
    io.stdout.write(formatDiff(compareSimulations(a, b), file, opts.policy!));
  }
  return 0;
}
