import { readFileSync } from 'node:fs';
import { lintBlueprint } from '@dealflow/core';

// a blueprint file of your project (here one of the templates that ship with @dealflow/templates)
const blueprintJson: unknown = JSON.parse(readFileSync(new URL(import.meta.resolve('@dealflow/templates/blueprints/deal-b2b.json')), 'utf8'));
const assignment = { rules: [{ id: 'rest', assign: { strategy: 'pool', pool: 'general' } }] };
const escalations = [{ id: 'idle', on: 'inactivity', levels: [{ after: 'P5D', actions: [{ notify: 'manager' }] }] }];

const findings = lintBlueprint(blueprintJson, { assignment, escalations }, { reps: ['ann', 'bob'], teams: ['sales'] });
for (const f of findings) console.log(`${f.severity.padEnd(7)} ${f.path}  ${f.message}\n        fix: ${f.hint}`);
process.exitCode = findings.some((f) => f.severity === 'error') ? 1 : 0;

export {};
