import type { AnyStateMachine } from 'xstate';
import { checkBlueprintSize } from './limits.js';
import { DealflowError, truthy } from '@dealflow/logic';
import type { Problem } from '@dealflow/logic';
import type { z } from 'zod';
import { blueprintSchema, calendarSchema, deadlineSchema, fieldSchema, stageSchema, transitionSchema } from './schema.js';
import type { BlueprintInput, BlueprintSpec, FieldSpec, StageSpec, TransitionSpec } from './schema.js';
import { checkBlueprint, suggest } from './checks.js';
import { compileMachine, RULE_ROOTS } from './machine.js';
import type { RuleData } from './machine.js';
import { createCoreRuleEngine } from '../rules.js';
import { cloneJson } from '../storage/clone.js';
import type { CompiledRule, CoreRuleEngine } from '../rules.js';
import { compileComputedFields, computedFieldProblems } from '../fields/computed.js';
import type { ComputedFields } from '../fields/computed.js';

/** A validated blueprint: its spec, lookup tables, compiled rules and the XState machine. */
export interface Blueprint {
  /** The blueprint id (`spec.id`). */
  readonly id: string;
  /** The blueprint version (`spec.version`). */
  readonly version: number;
  /** The type of the records it drives (`spec.recordType`, e.g. `deal`). */
  readonly recordType: string;
  /** The parsed JSON (defaults applied). */
  readonly spec: BlueprintSpec;
  /** The compiled XState v5 machine (usable with `createActor`, `transition`, `xstate/graph`). */
  readonly machine: AnyStateMachine;
  /** The stage id new records start in. */
  readonly initialStage: string;
  /** Stage by id. */
  readonly stages: ReadonlyMap<string, StageSpec>;
  /** Field definitions by field name. */
  readonly fields: Readonly<Record<string, FieldSpec>>;
  /** The transitions, in blueprint order (rule paths such as `$.transitions[2].guard` index them). */
  readonly transitions: readonly TransitionSpec[];
  /** True for stages of kind won, lost or closed. */
  isFinal(stage: string): boolean;
  /** Fields required to be in `stage` (`requiredIn` listing it or `*`). */
  requiredIn(stage: string): readonly string[];
  /** Whether any stage is a pause stage (`pause: true`: SLA clocks stop while a record is in it). */
  readonly hasPauseStages: boolean;
  /** Compiled rules, keyed by their JSON path in the blueprint (e.g. `$.transitions[2].guard`). */
  readonly rules: ReadonlyMap<string, CompiledRule>;
  /** The rule engine the rules were compiled with. */
  readonly ruleEngine: CoreRuleEngine;
  /** The computed fields, compiled (null when the blueprint has none); the engine applies them on every change. */
  readonly computed: ComputedFields | null;
}

/** Options for {@link defineBlueprint}. */
export interface DefineBlueprintOptions {
  /** Rule engine to validate and compile rules with (default: a fresh `@dealflow/logic` engine). */
  ruleEngine?: CoreRuleEngine;
}

/** The keys an object at a schema path may have, for did-you-mean hints on misspelled keys. */
function knownKeysAt(path: ReadonlyArray<PropertyKey>): string[] {
  const keysOf = (schema: unknown): string[] => {
    const shape = (schema as { shape?: Record<string, unknown> }).shape;
    return shape ? Object.keys(shape) : [];
  };
  const p = path.map((k) => (typeof k === 'number' ? '#' : String(k))).join('.');
  if (p === '') return keysOf(blueprintSchema);
  if (p === 'stages.#') return keysOf(stageSchema);
  if (p === 'stages.#.deadline') return keysOf(deadlineSchema);
  if (p === 'transitions.#') return keysOf(transitionSchema);
  if (/^fields\.[^.]+$/.test(p)) return keysOf(fieldSchema);
  if (p === 'calendars.#') return keysOf(calendarSchema);
  return [];
}

function zodProblems(error: z.ZodError): Problem[] {
  return error.issues.flatMap((issue): Problem[] => {
    let path = '$';
    for (const k of issue.path) path += typeof k === 'number' ? `[${k}]` : `.${String(k)}`;
    if (issue.code === 'unrecognized_keys') {
      // one problem per key, at the key, with the key it was probably meant to be
      const known = knownKeysAt(issue.path);
      return ((issue as { keys?: string[] }).keys ?? []).map((key) => {
        const hint = suggest(key, known);
        return {
          path: `${path}.${key}`,
          code: 'unknown_key',
          value: key,
          message: `unknown key '${key}'`,
          hint: hint ? `did you mean '${hint}'?` : `known keys: ${known.join(', ')}`,
        };
      });
    }
    return [{ path, code: issue.code, message: issue.message }];
  });
}

/**
 * The message of a BLUEPRINT_INVALID error: every problem on its own line, with its hint (the
 * `problems` array carries the same, structured).
 */
export function problemsMessage(head: string, problems: readonly Problem[]): string {
  const shown = problems.slice(0, 50).map((p) => `\n  ${p.path}: ${p.message}${p.hint ? ` (${p.hint})` : ''}`);
  const more = problems.length > shown.length ? `\n  … and ${problems.length - shown.length} more` : '';
  return `${head}: ${problems.length} problem(s):${shown.join('')}${more}`;
}

/**
 * The readable part of an input that failed the schema, for cross-reference checks: stages with a
 * string id, transitions with string event/to and string(s) from, fields as declared. Null when
 * not even that can be read.
 */
function lenientSpec(json: unknown): BlueprintSpec | null {
  if (typeof json !== 'object' || json === null) return null;
  const j = json as Record<string, unknown>;
  if (!Array.isArray(j.stages) || typeof j.initialStage !== 'string') return null;
  const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
  const kinds = ['open', 'won', 'lost', 'closed'];
  const stages = j.stages.filter(isObj).filter((st) => typeof st.id === 'string').map((st) => ({
    id: st.id as string,
    kind: (kinds.includes(st.kind as string) ? st.kind : 'open') as StageSpec['kind'],
    ...(isObj(st.deadline) && typeof st.deadline.onBreach === 'string' ? { deadline: { within: 'P1D', onBreach: st.deadline.onBreach } } : {}),
  }));
  if (stages.length !== j.stages.length) return null; // indexes in paths would not match
  const rawTransitions = Array.isArray(j.transitions) ? j.transitions : [];
  const transitions = rawTransitions.map((t) => {
    if (!isObj(t)) return null;
    const from = t.from;
    const okFrom = typeof from === 'string' || (Array.isArray(from) && from.every((f) => typeof f === 'string'));
    if (typeof t.event !== 'string' || typeof t.to !== 'string' || !okFrom) return null;
    return { event: t.event, from: from as string | string[], to: t.to, ...(Array.isArray(t.requires) ? { requires: t.requires.filter((r): r is string => typeof r === 'string') } : {}) };
  });
  if (transitions.some((t) => t === null)) return null;
  const fields: Record<string, FieldSpec> = {};
  if (isObj(j.fields)) for (const [k, v] of Object.entries(j.fields)) fields[k] = { type: 'string', ...(isObj(v) && Array.isArray(v.requiredIn) ? { requiredIn: v.requiredIn as string[] } : {}) };
  return {
    id: String(j.id ?? ''),
    version: 1,
    recordType: '',
    initialStage: j.initialStage,
    stages,
    transitions: transitions as TransitionSpec[],
    fields,
  } as BlueprintSpec;
}

/** Every rule of a blueprint with its JSON path and whether it is a boolean test. */
export function rulesOf(spec: BlueprintSpec): Array<{ path: string; rule: unknown }> {
  const out: Array<{ path: string; rule: unknown }> = [];
  spec.transitions.forEach((t, i) => {
    const p = `$.transitions[${i}]`;
    if (t.guard !== undefined) out.push({ path: `${p}.guard`, rule: t.guard });
    if (t.allow !== undefined) out.push({ path: `${p}.allow`, rule: t.allow });
    t.actions?.forEach((a, j) => {
      const ap = `${p}.actions[${j}]`;
      if (a.type === 'set') out.push({ path: `${ap}.value`, rule: a.value });
      if ((a.type === 'task' || a.type === 'assign') && a.owner !== undefined) out.push({ path: `${ap}.owner`, rule: a.owner });
      if (a.type === 'notify') out.push({ path: `${ap}.to`, rule: a.to });
      if ((a.type === 'emit' || a.type === 'notify') && a.data) {
        for (const [k, r] of Object.entries(a.data)) out.push({ path: `${ap}.data.${k}`, rule: r });
      }
      if (a.type === 'convert') {
        a.create.forEach((c, k) => {
          for (const [f, r] of Object.entries(c.fields ?? {})) out.push({ path: `${ap}.create[${k}].fields.${f}`, rule: r });
        });
      }
    });
  });
  return out;
}

/** The data roots rules of this blueprint may read (first segment of a `var` path). */
export function ruleVariables(_spec: BlueprintSpec): string[] {
  return [...RULE_ROOTS];
}

/** Problems for `fields.<name>` reads of fields the blueprint does not declare. */
function unknownFieldVars(engine: CoreRuleEngine, rule: unknown, path: string, spec: BlueprintSpec): Problem[] {
  const out: Problem[] = [];
  const names = Object.keys(spec.fields);
  for (const v of engine.varsOf(rule)) {
    const [root, name] = v.split('.');
    if (root !== 'fields' || name === undefined || name in spec.fields) continue;
    const hint = suggest(name, names);
    out.push({
      path,
      code: 'unknown_field',
      value: v,
      message: `rule reads 'fields.${name}', but blueprint '${spec.id}' declares no field '${name}'`,
      ...(hint ? { hint: `did you mean '${hint}'?` } : {}),
    });
  }
  return out;
}

/**
 * Validates a blueprint (zod schema, cross-references, every JSON-logic rule) and compiles it to
 * an XState v5 machine. Throws `DealflowError('BLUEPRINT_INVALID')` listing every problem with its
 * JSON path.
 *
 * @example
 * ```ts
 * const deal = defineBlueprint({
 *   id: 'deal', version: 1, recordType: 'deal', initialStage: 'open',
 *   fields: { amount: { type: 'money', currency: 'EUR' } },
 *   stages: [{ id: 'open', kind: 'open' }, { id: 'won', kind: 'won' }],
 *   transitions: [{ event: 'win', from: 'open', to: 'won', requires: ['amount'] }],
 * })
 * deal.machine // an XState machine
 * ```
 */
export function defineBlueprint(json: BlueprintInput | unknown, options: DefineBlueprintOptions = {}): Blueprint {
  checkBlueprintSize(json);
  const parsed = blueprintSchema.safeParse(json);
  const idOf = (typeof json === 'object' && json !== null && typeof (json as { id?: unknown }).id === 'string'
    ? (json as { id: string }).id
    : '(no id)');
  if (!parsed.success) {
    const problems = zodProblems(parsed.error);
    // cross-reference problems too, on what can be read of the input (all problems at once)
    const partial = lenientSpec(json);
    if (partial) {
      const seen = new Set(problems.map((p) => p.path));
      for (const p of checkBlueprint(partial)) if (!seen.has(p.path)) problems.push(p);
    }
    throw new DealflowError('BLUEPRINT_INVALID', problemsMessage(`blueprint '${idOf}' is invalid`, problems), {
      problems,
      details: { blueprintId: idOf },
    });
  }
  // plain objects throughout (zod hands back null-prototype objects for free-form JSON values)
  const spec = cloneJson(parsed.data);
  const problems = checkBlueprint(spec);
  const ruleEngine = options.ruleEngine ?? createCoreRuleEngine();
  const rules = new Map<string, CompiledRule>();
  const vars = ruleVariables(spec);
  for (const { path, rule } of rulesOf(spec)) {
    const found = ruleEngine.validate(rule, { fields: vars, path });
    if (found.length === 0) found.push(...unknownFieldVars(ruleEngine, rule, path, spec));
    if (found.length > 0) {
      problems.push(...found);
      continue;
    }
    try {
      rules.set(path, ruleEngine.compile(rule));
    } catch (e) {
      problems.push({ path, code: 'rule_invalid', message: e instanceof Error ? e.message : String(e) });
    }
  }
  problems.push(...computedFieldProblems(spec.fields, ruleEngine));
  if (problems.length > 0) {
    throw new DealflowError(
      'BLUEPRINT_INVALID',
      problemsMessage(`blueprint '${spec.id}' v${spec.version} is invalid`, problems),
      { problems, details: { blueprintId: spec.id, version: spec.version } },
    );
  }
  const stages = new Map(spec.stages.map((s) => [s.id, s]));
  const required = new Map<string, string[]>();
  for (const s of spec.stages) {
    required.set(
      s.id,
      Object.entries(spec.fields)
        .filter(([, f]) => f.requiredIn === '*' || (Array.isArray(f.requiredIn) && f.requiredIn.includes(s.id)))
        .map(([n]) => n),
    );
  }
  const guards = spec.transitions.map((_, i) => rules.get(`$.transitions[${i}].guard`));
  const machine = compileMachine(spec, (i: number, data: RuleData) => {
    const g = guards[i];
    return g === undefined ? true : truthy(g(data));
  });
  return {
    id: spec.id,
    version: spec.version,
    recordType: spec.recordType,
    spec,
    machine,
    initialStage: spec.initialStage,
    stages,
    fields: spec.fields,
    transitions: spec.transitions,
    isFinal: (stage) => (stages.get(stage)?.kind ?? 'open') !== 'open',
    requiredIn: (stage) => required.get(stage) ?? [],
    hasPauseStages: spec.stages.some((st) => st.pause === true),
    rules,
    ruleEngine,
    computed: compileComputedFields(spec.fields, ruleEngine),
  };
}

/** JSON-logic truthiness (from `@dealflow/logic`). */
export { truthy };
