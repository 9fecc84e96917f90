import { DealflowError } from '@dealflow/logic';
import type { Problem } from '@dealflow/logic';
import type { CompiledRule, CoreRuleEngine } from '../rules.js';
import { suggest } from '../blueprint/checks.js';
import { normalizeFieldValue } from './values.js';
import type { FieldSpec, ItemFieldSpec } from './schema.js';

/**
 * Computed fields: a field with `computed` holds the value of a JSON-logic formula over the
 * record's other fields (`{"var": "fields.x"}`), or, inside a list item, over the item
 * (`{"var": "item.quantity"}`). The engine recomputes them on every change of the record, before
 * guards and rules see the record, so rules read them like any field and replay (which applies
 * the stored values) equals the stored record.
 */

/** One formula with where it sits. */
interface Formula {
  /** Field name (record level) or item field name. */
  name: string;
  path: string;
  rule: unknown;
  spec: FieldSpec | ItemFieldSpec;
}

/** The computed fields of a blueprint, compiled: {@link ComputedFields.apply} fills them in. */
export interface ComputedFields {
  /** Names of the computed record fields, in evaluation order (a field after those it reads). */
  readonly names: readonly string[];
  /**
   * Sets every computed value in `fields` (list items first, then record fields in order).
   * `fields` is changed in place; a list whose items change is replaced by a new array.
   * A value that does not fit its field's type fails with `INPUT_INVALID` naming the formula.
   */
  apply(fields: Record<string, unknown>, recordId: string | null): void;
}

function formulasOf(fields: Record<string, FieldSpec>): { record: Formula[]; items: Map<string, Formula[]> } {
  const record: Formula[] = [];
  const items = new Map<string, Formula[]>();
  for (const [name, spec] of Object.entries(fields)) {
    if (spec.computed !== undefined) record.push({ name, path: `$.fields.${name}.computed`, rule: spec.computed, spec });
    const inItem: Formula[] = [];
    for (const [k, s] of Object.entries(spec.item ?? {})) {
      if (s.computed !== undefined) inItem.push({ name: k, path: `$.fields.${name}.item.${k}.computed`, rule: s.computed, spec: s });
    }
    if (inItem.length > 0) items.set(name, inItem);
  }
  return { record, items };
}

/** `fields.x` / `item.x` names a formula reads (the first segment after the root). */
function reads(engine: CoreRuleEngine, rule: unknown, root: string): string[] {
  const out: string[] = [];
  for (const v of engine.varsOf(rule)) {
    const [r, name] = v.split('.');
    if (r === root && name !== undefined && !out.includes(name)) out.push(name);
  }
  return out;
}

/**
 * Record-level formulas in evaluation order, or the cycle found. Item formulas read only their
 * own item, so they are evaluated in declaration order after a topological sort of their own.
 */
function order(engine: CoreRuleEngine, formulas: Formula[], root: string): { order: Formula[]; cycle?: Formula[] } {
  const byName = new Map(formulas.map((f) => [f.name, f]));
  const done = new Set<string>();
  const visiting: Formula[] = [];
  const out: Formula[] = [];
  const visit = (f: Formula): Formula[] | undefined => {
    if (done.has(f.name)) return undefined;
    const at = visiting.indexOf(f);
    if (at >= 0) return visiting.slice(at);
    visiting.push(f);
    for (const n of reads(engine, f.rule, root)) {
      const dep = byName.get(n);
      if (dep) {
        const cycle = visit(dep);
        if (cycle) return cycle;
      }
    }
    visiting.pop();
    done.add(f.name);
    out.push(f);
    return undefined;
  };
  for (const f of formulas) {
    const cycle = visit(f);
    if (cycle) return { order: out, cycle };
  }
  return { order: out };
}

function unknownNames(engine: CoreRuleEngine, f: Formula, root: string, known: readonly string[], owner: string): Problem[] {
  const out: Problem[] = [];
  for (const n of reads(engine, f.rule, root)) {
    if (known.includes(n)) continue;
    const hint = suggest(n, known);
    out.push({
      path: f.path,
      code: 'unknown_field',
      value: `${root}.${n}`,
      message: `computed field '${f.name}' reads '${root}.${n}', but ${owner} declares no field '${n}'`,
      ...(hint ? { hint: `did you mean '${hint}'?` } : {}),
    });
  }
  return out;
}

/**
 * Every problem of a blueprint's computed fields, with its JSON path: invalid formulas, reads of
 * undeclared fields (`fields.x` at record level, `item.x` in a list item), cycles between computed
 * fields, and settings a computed field cannot have (`required`, `default`).
 *
 * @example
 * ```ts
 * computedFieldProblems({ total: { type: 'number', computed: { var: 'fields.amout' } }, amount: { type: 'number' } }, engine)
 * // [{ path: '$.fields.total.computed', code: 'unknown_field', hint: "did you mean 'amount'?", … }]
 * ```
 */
export function computedFieldProblems(fields: Record<string, FieldSpec>, engine: CoreRuleEngine): Problem[] {
  const problems: Problem[] = [];
  const { record, items } = formulasOf(fields);
  const check = (f: Formula, root: string, known: readonly string[], owner: string) => {
    const found = engine.validate(f.rule, { fields: [root], path: f.path });
    problems.push(...(found.length > 0 ? found : unknownNames(engine, f, root, known, owner)));
    const base = f.path.slice(0, -'.computed'.length);
    if (f.spec.required) problems.push({ path: `${base}.required`, code: 'computed_required', message: `computed field '${f.name}' cannot be required: its formula sets it` });
    if (f.spec.default !== undefined) problems.push({ path: `${base}.default`, code: 'computed_default', message: `computed field '${f.name}' cannot have a default: its formula sets it` });
    if (f.spec.type === 'list') problems.push({ path: f.path, code: 'computed_list', message: `list field '${f.name}' cannot be computed; compute its items' fields instead` });
  };
  for (const f of record) check(f, 'fields', Object.keys(fields), 'the blueprint');
  for (const [list, fs] of items) for (const f of fs) check(f, 'item', Object.keys(fields[list]!.item ?? {}), `the items of '${list}'`);
  if (problems.length > 0) return problems;
  const cycles: Array<{ cycle?: Formula[] }> = [order(engine, record, 'fields'), ...[...items.values()].map((fs) => order(engine, fs, 'item'))];
  for (const { cycle } of cycles) {
    if (!cycle) continue;
    problems.push({
      path: cycle[0]!.path,
      code: 'computed_cycle',
      message: `computed fields read each other in a cycle: ${[...cycle, cycle[0]!].map((f) => f.name).join(' → ')}`,
    });
  }
  return problems;
}

/**
 * Compiles a blueprint's computed fields (already checked by {@link computedFieldProblems}), or
 * null when it has none.
 */
export function compileComputedFields(fields: Record<string, FieldSpec>, engine: CoreRuleEngine): ComputedFields | null {
  const { record, items } = formulasOf(fields);
  if (record.length === 0 && items.size === 0) return null;
  const compile = (f: Formula) => ({ f, fn: engine.compile(f.rule) as CompiledRule });
  const recordOrder = order(engine, record, 'fields').order.map(compile);
  const itemOrders = [...items].map(([list, fs]) => ({ list, formulas: order(engine, fs, 'item').order.map(compile) }));
  const value = (f: Formula, fn: CompiledRule, data: unknown, label: string, recordId: string | null): unknown => {
    const raw = fn(data);
    if (raw === undefined || raw === null) return null;
    const r = normalizeFieldValue(label, f.spec, raw, f.path, { exact: false });
    if (!r.ok) {
      throw new DealflowError('INPUT_INVALID', `${recordId ? `record '${recordId}': ` : ''}formula ${f.path} computed an invalid value: ${r.problems.map((p) => p.message).join('; ')}`, {
        problems: r.problems,
        details: { recordId, field: f.name, formula: f.path },
      });
    }
    return r.value;
  };
  return {
    names: recordOrder.map((c) => c.f.name),
    apply(target, recordId) {
      // (an unchanged value keeps its identity, so the history event records only what changed)
      for (const { list, formulas } of itemOrders) {
        const current = target[list];
        if (!Array.isArray(current)) continue;
        let changed = false;
        const next = current.map((it: Record<string, unknown>, i) => {
          let item = it;
          for (const { f, fn } of formulas) {
            const v = value(f, fn, { item }, `${list}[${i}].${f.name}`, recordId);
            if ((v === null ? undefined : v) === item[f.name]) continue;
            if (item === it) item = { ...it };
            if (v === null) delete item[f.name];
            else item[f.name] = v;
          }
          if (item !== it) changed = true;
          return item;
        });
        if (changed) target[list] = next;
      }
      for (const { f, fn } of recordOrder) {
        const v = value(f, fn, { fields: target }, f.name, recordId);
        if (v === null) delete target[f.name];
        else if (target[f.name] !== v) target[f.name] = v;
      }
    },
  };
}
