import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createEngine, createMemoryStorage } from '@dealflow/core';
import { loadProcessFile } from '@dealflow/cli';

const dir = mkdtempSync(join(tmpdir(), 'process-'));
writeFileSync(join(dir, 'deal.blueprint.json'), JSON.stringify({
  id: 'deal', version: 1, recordType: 'deal', initialStage: 'open',
  stages: [{ id: 'open' }, { id: 'won', kind: 'won' }], transitions: [{ event: 'win', from: 'open', to: 'won' }],
}));
writeFileSync(join(dir, 'dealflow.config.json'), JSON.stringify({ blueprints: ['./deal.blueprint.json'] }));

const engine = createEngine({ storage: createMemoryStorage(), ...(await loadProcessFile(join(dir, 'dealflow.config.json'))) });
const { record } = await engine.create('deal', {}, { actor: { id: 'ann' } });
console.log((await engine.send(record.id, 'win', { actor: { id: 'ann' } })).ok); // true

export {};
