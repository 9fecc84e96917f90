import { createEngine, createWorker } from '@dealflow/core';
import type { Blueprint } from '@dealflow/core';
import { createPostgresStorage, migrate } from '@dealflow/storage-postgres';

export async function start(url: string, blueprints: Blueprint[]) {
  await migrate({ connectionString: url }); // idempotent; safe when many instances start at once
  const storage = createPostgresStorage({ connectionString: url });
  const engine = createEngine({ storage, blueprints });
  const worker = createWorker({ engine });
  worker.start();
  return { engine, stop: async () => { await worker.stop(); await storage.close(); } };
}

export {};
