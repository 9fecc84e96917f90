// An import in its own process (killed with SIGKILL by test/bulk-import.test.ts): prints one line per committed window.
import { createEngine } from '../../packages/core/src/index.js';
import type { Storage } from '../../packages/core/src/index.js';
import { createSqliteStorage } from '../../packages/storage-sqlite/src/index.js';
import { createPostgresStorage } from '../../packages/storage-postgres/src/index.js';
import { importRecords } from '../../packages/bulk/src/index.js';
import { leadBlueprint, mapping } from './bulk-fixture.js';

const [kind, location, source, report] = process.argv.slice(2) as [string, string, string, string];
let storage: Storage;
if (kind === 'sqlite') storage = createSqliteStorage({ filename: location, busyTimeoutMs: 20_000 });
else {
  const [url, schema] = location.split('#') as [string, string];
  storage = createPostgresStorage({ connectionString: url, schema, max: 2 });
}
const engine = createEngine({ storage, blueprints: [leadBlueprint()] });
await importRecords({
  engine, source, mapping, importId: 'crash-test', window: 40, batchSize: 20,
  report,
  onProgress: (p) => { process.stdout.write(`committed ${p.line}\n`); },
});
process.stdout.write('done\n');
await storage.close();
