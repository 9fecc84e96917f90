/** The files `dealflow init` writes into a process folder, as text (JSON files end with a newline). */

const json = (v: unknown) => `${JSON.stringify(v, null, 2)}\n`;

/** The starter blueprint: a deal pipeline with a business-time deadline and a guard. */
export function blueprintTemplate(schemaPath: string): string {
  return json({
    $schema: schemaPath,
    id: 'deal',
    version: 1,
    recordType: 'deal',
    name: 'Deal',
    fields: {
      company: { type: 'string', required: true },
      amount: { type: 'money', currency: 'EUR', requiredIn: ['proposal', 'won'] },
      budgetConfirmed: { type: 'boolean', default: false },
    },
    initialStage: 'qualified',
    stages: [
      { id: 'qualified', label: 'Qualified', probability: 0.2, deadline: { within: 'P3D', businessTime: 'office', remindBefore: ['PT4H'], onBreach: 'qualified.overdue' } },
      { id: 'proposal', label: 'Proposal', probability: 0.5 },
      { id: 'won', kind: 'won' },
      { id: 'lost', kind: 'lost' },
    ],
    transitions: [
      { event: 'propose', from: 'qualified', to: 'proposal', guard: { '==': [{ var: 'fields.budgetConfirmed' }, true] } },
      { event: 'qualified.overdue', from: 'qualified', to: 'qualified', actions: [{ type: 'notify', to: 'manager', message: 'Deal stuck in Qualified' }] },
      { event: 'win', from: 'proposal', to: 'won' },
      { event: 'lose', from: '*', to: 'lost' },
    ],
  });
}

/** The process file: the blueprint, the office calendar, and sales rules. */
export function processTemplate(schemaPath: string): string {
  return json({
    $schema: schemaPath,
    blueprints: ['./deal.blueprint.json'],
    calendars: [
      {
        id: 'office',
        timeZone: 'Europe/Berlin',
        workingHours: { mon: [['09:00', '17:00']], tue: [['09:00', '17:00']], wed: [['09:00', '17:00']], thu: [['09:00', '17:00']], fri: [['09:00', '17:00']] },
        holidays: ['2026-12-25', '2026-12-26'],
      },
    ],
    rules: {
      escalations: [{ id: 'idle-deal', on: 'inactivity', types: ['deal'], levels: [{ after: 'P5D', actions: [{ notify: 'owner' }] }, { after: 'P10D', actions: [{ notify: 'manager' }] }] }],
      approvals: [{ id: 'big-deal', event: 'win', when: { '>': [{ var: 'fields.amount' }, 50000] }, approver: 'manager' }],
    },
  });
}

/** A scenario for `dealflow simulate --scenario`: how fields are filled and how often reps act. */
export function scenarioTemplate(): string {
  return json({
    fields: {
      amount: { missing: 0.2, logNormal: { median: 12000, sigma: 0.8 } },
      budgetConfirmed: { p: 0.6 },
    },
    events: { propose: 1, win: 0.6, lose: 0.2 },
    dwell: 'P2D',
  });
}

/** A vitest test that walks every path of the blueprint through a real engine (testBlueprint). */
export function testTemplate(): string {
  return `import { createEngine, createMemoryStorage, defineProcess, testBlueprint } from '@dealflow/core';
import { expect, it } from 'vitest';
import config from './dealflow.config.json' with { type: 'json' };
import deal from './deal.blueprint.json' with { type: 'json' };

it('every stage and transition of the deal process is tested', async () => {
  // the same checks createEngine runs; blueprint files are inlined here (dealflow validate reads the paths)
  const process = defineProcess({ ...config, blueprints: [deal] });
  const blueprint = process.blueprints[0]!;
  const t = testBlueprint(blueprint);
  const engine = createEngine({ storage: createMemoryStorage(), ...process });
  const stop = t.observe(engine); // counts what the engine really does
  const actor = { id: 'ann', roles: ['rep'] };
  for (const path of t.paths) {
    const { record } = await engine.create('deal', { fields: { company: 'ACME', amount: 5000, budgetConfirmed: true } }, { actor });
    for (const event of path.events) await engine.send(record.id, event, { actor });
  }
  stop();
  expect(t.report().messages).toEqual([]); // e.g. "stage 'proposal' is never visited"
});
`;
}
