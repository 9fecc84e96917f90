import { describe, expect, test } from 'vitest';
import { createEngine, createMemoryStorage, nextSteps, replay } from '../src/index.js';
import type { BlueprintInput } from '../src/index.js';

function contractJson(): BlueprintInput {
  return {
    id: 'contract', version: 1, recordType: 'contract', initialStage: 'draft',
    fields: { title: { type: 'text' } },
    stages: [
      { id: 'draft' },
      {
        id: 'signed',
        label: 'Signed',
        requirements: { checklist: [{ id: 'scope', label: 'Scope agreed' }, { id: 'legal', label: 'Legal approved' }], note: true, attachments: 1 },
      },
      { id: 'done', kind: 'won' },
    ],
    transitions: [
      { event: 'sign', from: 'draft', to: 'signed' },
      { event: 'close', from: 'signed', to: 'done' },
    ],
  };
}

describe('stage requirements: checklist, note, attachments', () => {
  test('entering the stage without them is rejected with what is missing; with them it is accepted and recorded', async () => {
    const engine = createEngine({ storage: createMemoryStorage(), blueprints: [contractJson()] });
    const { record } = await engine.create('contract', { fields: { title: 'MSA' } });
    const no = await engine.send(record.id, { type: 'sign', checklist: ['scope'] });
    expect(no.ok).toBe(false);
    if (!no.ok) {
      expect(no.rejection).toMatchObject({ reason: 'requirements', to: 'signed', missingRequirements: { checklist: [{ id: 'legal', label: 'Legal approved' }], note: true, attachments: 1 } });
      expect(no.rejection.message).toContain("tick 'Legal approved', add a note, attach 1 more document(s)");
    }
    expect((await engine.get(record.id))?.version).toBe(1);
    await expect(engine.send(record.id, { type: 'sign', checklist: ['scpe'] })).rejects.toMatchObject({ code: 'INPUT_INVALID' });
    await expect(engine.send(record.id, { type: 'sign', attachments: [''] })).rejects.toMatchObject({ code: 'INPUT_INVALID' });
    const ok = await engine.send(record.id, { type: 'sign', checklist: ['scope', 'legal'], note: 'Signed at the fair', attachments: ['s3://contracts/msa.pdf'] });
    expect(ok.ok).toBe(true);
    if (ok.ok) expect(ok.events[0]!.data.requirements).toEqual({ checklist: ['scope', 'legal'], note: 'Signed at the fair', attachments: ['s3://contracts/msa.pdf'] });
    expect(replay(await engine.history(record.id))).toEqual(await engine.get(record.id));
  });

  test('nextSteps shows what the next stage asks for', async () => {
    const engine = createEngine({ storage: createMemoryStorage(), blueprints: [contractJson()] });
    const { record } = await engine.create('contract', { fields: { title: 'MSA' } });
    const g = await nextSteps(engine, record.id);
    expect(g.transitions[0]).toMatchObject({ event: 'sign', requirements: { checklist: [{ id: 'scope', label: 'Scope agreed' }, { id: 'legal', label: 'Legal approved' }], note: true, attachments: 1 } });
    expect(g.todo).toContain(`To "sign" → "Signed": tick 'Scope agreed', 'Legal approved', add a note, attach 1 more document(s)`);
  });
});
