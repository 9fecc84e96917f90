import { DealflowError, isDealflowError } from '@dealflow/logic';
import type { Problem } from '@dealflow/logic';
import type { Blueprint } from '../blueprint/define.js';
import type { CalendarSpec } from '../blueprint/schema.js';
import { createEngine } from '../create-engine.js';
import { createMemoryStorage } from '../storage/memory.js';
import type { SalesRulesInput } from '../sales/types.js';
import { processSchema } from './schema.js';

/** A checked process: spread it into `createEngine({ storage, ...process })`. */
export interface ProcessDefinition {
  /** The blueprints, defined (every check of `defineBlueprint` passed). */
  blueprints: Blueprint[];
  /** Business calendars the blueprints and rules may name. */
  calendars: CalendarSpec[];
  /** Sales rules: assignment, escalations, pool, duplicates, approvals, permissions. */
  rules: SalesRulesInput;
}

function zodPath(path: ReadonlyArray<PropertyKey>): string {
  let p = '$';
  for (const k of path) p += typeof k === 'number' ? `[${k}]` : `.${String(k)}`;
  return p;
}

/**
 * createEngine's paths (`blueprints[2].stages[0]…`, or `deal@1.stages[0]…` for references it
 * resolves across blueprints) → the process file's `$.blueprints[2].stages[0]…`.
 */
function engineProblemPath(path: string, entries: readonly unknown[]): string {
  if (path.startsWith('$')) return path;
  if (path.startsWith('blueprints[')) return `$.${path}`;
  const m = /^([^@]+)@(\d+)(.*)$/.exec(path);
  if (m) {
    const i = entries.findIndex((b) => (b as { id?: unknown }).id === m[1] && (b as { version?: unknown }).version === Number(m[2]));
    if (i >= 0) return `$.blueprints[${i}]${m[3]}`;
  }
  return path;
}

/**
 * Checks a process file and returns what `createEngine` takes. It runs exactly the checks
 * `createEngine` runs (it builds an engine over a throwaway memory store), so a process that
 * passes here starts; every problem is reported at once with its JSON path
 * (`BLUEPRINT_INVALID` for blueprints and calendars, `RULE_INVALID` for the sales rules).
 * Blueprint entries must be objects here; the CLI's `loadProcessFile` resolves file paths first.
 *
 * @example
 * ```ts
 * import { createEngine, createMemoryStorage, defineProcess } from '@dealflow/core';
 * const process = defineProcess({
 *   blueprints: [{ id: 'deal', version: 1, recordType: 'deal', initialStage: 'open',
 *     stages: [{ id: 'open' }, { id: 'won', kind: 'won' }], transitions: [{ event: 'win', from: 'open', to: 'won' }] }],
 * });
 * const engine = createEngine({ storage: createMemoryStorage(), ...process });
 * ```
 */
export function defineProcess(input: unknown): ProcessDefinition {
  const parsed = processSchema.safeParse(input);
  const problems: Problem[] = parsed.success ? [] : parsed.error.issues.map((i) => ({ path: zodPath(i.path), code: i.code, message: i.message }));
  const raw = (typeof input === 'object' && input !== null ? input : {}) as { blueprints?: unknown; calendars?: CalendarSpec[]; rules?: SalesRulesInput };
  const entries = Array.isArray(raw.blueprints) ? raw.blueprints : [];
  entries.forEach((b, i) => {
    if (typeof b === 'string') problems.push({ path: `$.blueprints[${i}]`, code: 'unresolved_blueprint', value: b, message: `blueprint entry is the path '${b}'`, hint: 'load the process file with loadProcessFile (from @dealflow/cli), which reads blueprint files' });
  });
  // the schema's problems do not stop the engine's checks: a designer sees every problem at once
  const objects = entries.every((b) => typeof b === 'object' && b !== null) && entries.length > 0;
  const calendars = parsed.success ? (raw.calendars ?? []) : [];
  const rules = parsed.success ? (raw.rules ?? {}) : {};
  let engine: ReturnType<typeof createEngine> | undefined;
  let code: 'BLUEPRINT_INVALID' | 'RULE_INVALID' = 'BLUEPRINT_INVALID';
  if (objects) {
    try {
      engine = createEngine({ storage: createMemoryStorage(), blueprints: entries as Blueprint[], calendars: parsed.success ? calendars : (Array.isArray(raw.calendars) ? raw.calendars : []), rules });
    } catch (e) {
      if (!isDealflowError(e) || e.problems.length === 0) throw e;
      if (problems.length === 0 && e.code === 'RULE_INVALID') code = 'RULE_INVALID';
      problems.push(...e.problems.map((p) => ({ ...p, path: e.code === 'RULE_INVALID' && p.path.startsWith('$.') ? `$.rules${p.path.slice(1)}` : engineProblemPath(p.path, entries) })));
    }
  }
  if (problems.length > 0 || !engine) {
    throw new DealflowError(code, `process: ${problems.length} problem(s): ${problems.map((p) => `${p.path} ${p.message}${p.hint ? ` (${p.hint})` : ''}`).join('; ')}`, { problems });
  }
  const blueprints = (entries as Array<{ id: string; version: number }>).map((b) => engine.blueprint(b.id, b.version));
  return { blueprints, calendars, rules };
}
