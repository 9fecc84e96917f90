import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { createEngine, defineBlueprint } from '@dealflow/core';
import { createSqliteStorage } from '@dealflow/storage-sqlite';
import { crmForecastPanel } from './forecast.js';
import type { ForecastPanel } from './forecast.js';
import { createSeedClock, seedBoard } from './seed.js';
import { createBoardServer, listen } from './server.js';

/** The deal blueprint of the board. */
export const blueprint = defineBlueprint(JSON.parse(readFileSync(new URL('./deal.blueprint.json', import.meta.url), 'utf8')));

/** A running board. */
export interface RunningBoard {
  url: string;
  close(): Promise<void>;
}

/**
 * Starts the pipeline board: an engine on SQLite (a file, or in memory), seeded from the CRM
 * dataset, a deadline worker every `workerMs`, and the HTTP server.
 */
export async function main(options: { port?: number; dbFile?: string; workerMs?: number; log?: (s: string) => void } = {}): Promise<RunningBoard> {
  const log = options.log ?? ((s: string) => console.log(s));
  const clock = createSeedClock();
  const storage = createSqliteStorage({ filename: options.dbFile ?? ':memory:' });
  const engine = createEngine({ storage, blueprints: [blueprint], clock });
  const seeded = await seedBoard(engine, clock);
  let panel: ForecastPanel | undefined;
  const server = createBoardServer({ engine, blueprint, forecast: () => (panel ??= crmForecastPanel()) });
  const url = await listen(server, options.port ?? 3000);
  const worker = setInterval(() => void engine.runDue().catch((e) => log(`worker: ${(e as Error).message}`)), options.workerMs ?? 30_000);
  log(`pipeline board with ${seeded} deals on ${url}`);
  return {
    url,
    async close() {
      clearInterval(worker);
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await storage.close();
    },
  };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const board = await main({ port: Number(process.env.PORT ?? 3000) });
  const stop = () => void board.close().then(() => process.exit(0));
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}
