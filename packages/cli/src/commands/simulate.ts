import { resolve } from 'node:path';
import type { SalesRulesInput } from '@dealflow/core';
import { inputError } from '../errors.js';
import type { CliIO } from '../io.js';
import { readText } from '../load.js';
import { parseJsonText } from '../json-locate.js';
import { createProgress } from '../progress.js';
import { simulate } from '../simulate/simulate.js';
import type { SimulateOptions, SimulationReport } from '../simulate/simulate.js';
import { parseScenario } from '../simulate/scenario.js';
import type { Scenario } from '../simulate/scenario.js';
import { compareSimulations, formatDiff, formatSimulation } from '../simulate/format.js';
import { pickBlueprint, processFromFile } from './process.js';
import type { ProcessForCommand } from './process.js';

/** Options of `dealflow simulate`. */
export interface SimulateCommandOptions {
  records: string;
  days: string;
  seed: string;
  policy?: string;
  rules?: string;
  scenario?: string;
  blueprint?: string;
  dwell?: string;
  json?: boolean;
  progress?: boolean;
}

function int(name: string, value: string, min: number): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < min) throw inputError(`--${name} must be a whole number ≥ ${min}, got '${value}'`);
  return n;
}

async function readJson(path: string, cwd: string, what: string): Promise<unknown> {
  const text = await readText(resolve(cwd, path), what, path);
  const parsed = parseJsonText(text);
  if (!parsed.ok) throw inputError(`${path}:${parsed.line}:${parsed.column}: invalid JSON: ${parsed.message}`);
  return parsed.value;
}

/** `dealflow simulate [file] --records N --days D --seed S [--scenario s.json] [--policy other.json]`. */
export async function simulateCommand(file: string | undefined, opts: SimulateCommandOptions, io: CliIO): Promise<number> {
  const cwd = io.cwd ?? process.cwd();
  const proc = await processFromFile(file, cwd);
  const base = pickBlueprint(proc, opts.blueprint);
  let policyProc: ProcessForCommand | undefined;
  if (opts.policy) policyProc = await processFromFile(opts.policy, cwd);
  const policy = policyProc ? pickBlueprint(policyProc, opts.blueprint ?? base.id) : undefined;
  const rules = opts.rules ? ((await readJson(opts.rules, cwd, 'rules file')) as SalesRulesInput) : proc.rules;
  let scenario: Scenario | undefined;
  if (opts.scenario) {
    const known = { fields: new Set(Object.keys(base.fields)), events: new Set(base.spec.transitions.map((t) => t.event)) };
    try {
      scenario = parseScenario(await readJson(opts.scenario, cwd, 'scenario'), known);
    } catch (e) {
      throw inputError(`${opts.scenario}: ${(e as Error).message}`, { file: opts.scenario }, e);
    }
  }
  const common: SimulateOptions = {
    records: int('records', opts.records, 0),
    days: int('days', opts.days, 1),
    seed: int('seed', opts.seed, 0),
    ...(opts.dwell ? { meanDwell: opts.dwell } : {}),
    ...(rules && Object.keys(rules).length > 0 ? { rules } : {}),
    ...(proc.calendars.length > 0 ? { calendars: proc.calendars } : {}),
    ...(scenario ? { scenario } : {}),
  };
  const days = common.days ?? 90;
  const run = async (label: string, bp: typeof base): Promise<SimulationReport> => {
    if (opts.progress === false) return simulate(bp, common);
    const progress = createProgress(io.stderr, label, { describe: (done, total) => `day ${Math.min(days, Math.ceil((done / total) * days))}/${days}` });
    let steps = 0;
    const report = await simulate(bp, {
      ...common,
      onProgress: (p) => {
        steps = p.steps;
        progress.update(p.done, p.total, p.steps);
      },
    });
    progress.finish(steps);
    return report;
  };
  const a = await run(file ?? proc.file, base);
  const b = policy ? await run(opts.policy!, policy) : undefined;
  if (opts.json) {
    io.stdout.write(`${JSON.stringify(b ? { base: a, policy: b, diff: compareSimulations(a, b) } : a, null, 2)}\n`);
    return 0;
  }
  io.stdout.write(formatSimulation(a));
  if (b) {
    io.stdout.write(`\n${formatSimulation(b)}\n`);
    io.stdout.write(formatDiff(compareSimulations(a, b), file ?? proc.file, opts.policy!));
  }
  return 0;
}
