export { defineProcess } from './define.js';
export type { ProcessDefinition } from './define.js';
export { processSchema, processRulesSchema } from './schema.js';
export type { ProcessInput } from './schema.js';
export { processJsonSchema, PROCESS_SCHEMA_ID } from './json-schema.js';
