import { z } from 'zod';
import { blueprintJsonSchema } from '../authoring/json-schema.js';
import { processSchema } from './schema.js';

/** Where the published process-file JSON Schema lives (its `$id`). */
export const PROCESS_SCHEMA_ID = 'https://dealflow.dev/schemas/process.schema.json';

const DESCRIPTIONS: Record<string, string> = {
  $schema: 'The JSON Schema of this file, e.g. "./node_modules/@dealflow/core/process.schema.json" (a path from this file to your node_modules).',
  blueprints: 'The process\'s blueprints: each the blueprint itself, or a path to a blueprint file relative to this file (e.g. "./deal.blueprint.json").',
  calendars: 'Business calendars deadlines, tasks and sales rules may name.',
  rules: 'Sales rules, as createEngine({ rules }) takes them: assignment, escalations, pool, duplicates, approvals, permissions.',
  'rules.assignment': 'Who gets a new record: ordered rules with a match and a strategy (round robin, load balanced, territory, pool…). See docs/assignment.md.',
  'rules.escalations': 'What happens when a record waits too long (in a stage, without activity…): notify, reassign, return to the pool, fire a transition. See docs/escalation.md.',
  'rules.pool': 'The public pool (公海): claim limits, return after inactivity, protection periods.',
  'rules.duplicates': 'The duplicate guard (防撞单): keys (normalized email, phone, company) that must be unique among open records.',
  'rules.approvals': 'Transitions that wait for an approver (e.g. a discount above 20%).',
  'rules.permissions': 'Who may read, fire events, edit fields, reassign: JSON-logic rules over the actor and the record.',
};

type JsonObject = Record<string, unknown>;
const obj = (v: unknown): JsonObject | undefined => (typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as JsonObject) : undefined);

/**
 * The JSON Schema (draft 2020-12) of a process file (`dealflow.config.json`), generated from
 * the zod `processSchema`, with the blueprint schema (and its editor descriptions) inline. The
 * same document is committed as `@dealflow/core/process.schema.json`.
 *
 * @example
 * ```ts
 * import { processJsonSchema } from '@dealflow/core';
 * const schema = processJsonSchema();
 * console.log(Object.keys(schema.properties as object)); // ['$schema', 'blueprints', 'calendars', 'rules']
 * ```
 */
export function processJsonSchema(): Record<string, unknown> {
  const generated = z.toJSONSchema(processSchema, { io: 'input', unrepresentable: 'any' }) as JsonObject;
  const { $schema: _s, $id: _i, title: _t, ...blueprint } = blueprintJsonSchema();
  const schema: JsonObject = {
    $schema: generated.$schema,
    $id: PROCESS_SCHEMA_ID,
    title: 'Dealflow process file',
    ...generated,
    description: 'A Dealflow process: its blueprints, calendars and sales rules, read by dealflow validate, diagram and simulate and by createEngine (through defineProcess or loadProcessFile).',
  };
  const props = obj(schema.properties) ?? {};
  const items = obj(obj(props.blueprints)?.items);
  if (items) {
    const variants = (items.anyOf ?? items.oneOf) as unknown[] | undefined;
    if (variants) {
      const at = variants.findIndex((v) => obj(v)?.type === 'object');
      if (at >= 0) variants[at] = blueprint;
    }
  }
  for (const [k, v] of Object.entries(props)) {
    const text = DESCRIPTIONS[k];
    if (text && obj(v)) obj(v)!.description = text;
  }
  const rules = obj(obj(props.rules)?.properties) ?? {};
  for (const [k, v] of Object.entries(rules)) {
    const text = DESCRIPTIONS[`rules.${k}`];
    if (text && obj(v)) obj(v)!.description = text;
  }
  return schema;
}
