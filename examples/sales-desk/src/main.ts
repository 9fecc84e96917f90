import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';
import type { Clock, Storage } from '@dealflow/core';
import { createSqliteStorage } from '@dealflow/storage-sqlite';
import { createPostgresStorage, migrate } from '@dealflow/storage-postgres';
import { createDesk } from './desk.js';
import type { Desk } from './desk.js';
import { seedDesk } from './seed.js';
import { createServer } from './server.js';
import { loadDirectory } from './users.js';

/** Options of {@link startDesk}; every one has a default from the environment. */
export interface StartDeskOptions {
  /** Port (default `PORT` or 3000; 0 = any free port). */
  port?: number;
  host?: string;
  /** Folder of the SQLite file and the session secret (default `DESK_DATA` or `./data`). */
  dataDir?: string;
  /** PostgreSQL URL: when set, the desk runs on PostgreSQL (default `DATABASE_URL`). */
  databaseUrl?: string;
  /** PostgreSQL schema (default `sales_desk`). */
  schema?: string;
  /** The directory file (default `src/directory.json`). */
  directoryFile?: string;
  /** The clock (tests pass a manual one). */
  clock?: Clock;
  /** Relay and worker poll interval (ms). */
  pollMs?: number;
  /** Web-to-lead submissions per address and minute. */
  leadFormPerMinute?: number;
  /** Seed a new store with past deals and quotas (default true). */
  seed?: boolean;
  log?: (line: string) => void;
}

/** A running desk: its address, and a graceful stop. */
export interface RunningDesk {
  url: string;
  port: number;
  desk: Desk;
  app: FastifyInstance;
  storage: Storage;
  /** Stops taking requests, ends live streams, lets the relay and the worker finish, closes the store. */
  close(): Promise<void>;
}

function secretIn(dataDir: string): string {
  if (process.env.DESK_SECRET) return process.env.DESK_SECRET;
  const file = join(dataDir, 'session.secret');
  if (!existsSync(file)) writeFileSync(file, randomBytes(32).toString('hex'), { mode: 0o600 });
  return readFileSync(file, 'utf8').trim();
}

/** Starts the sales desk: store, engine, relay, worker, HTTP server. */
export async function startDesk(options: StartDeskOptions = {}): Promise<RunningDesk> {
  const log = options.log ?? ((line: string) => console.log(line));
  const dataDir = options.dataDir ?? process.env.DESK_DATA ?? fileURLToPath(new URL('../data/', import.meta.url));
  mkdirSync(dataDir, { recursive: true });
  const url = options.databaseUrl ?? process.env.DATABASE_URL;
  let storage: Storage;
  if (url) {
    const schema = options.schema ?? 'sales_desk';
    await migrate({ connectionString: url, schema });
    storage = createPostgresStorage({ connectionString: url, schema, clock: 'caller' });
    log(`store: PostgreSQL schema "${schema}"`);
  } else {
    const filename = join(dataDir, 'desk.db');
    storage = createSqliteStorage({ filename });
    log(`store: SQLite ${filename}`);
  }
  const people = loadDirectory(options.directoryFile ?? fileURLToPath(new URL('./directory.json', import.meta.url)));
  const desk = createDesk({ storage, people, ...(options.clock ? { clock: options.clock } : {}), ...(options.pollMs ? { pollMs: options.pollMs } : {}) });
  if (options.seed !== false) {
    const s = await seedDesk(desk);
    if (s.seeded) log(`seeded ${s.deals} past deals and the quotas of this quarter and the next`);
  }
  const app = await createServer({ desk, secret: secretIn(dataDir), ...(options.leadFormPerMinute ? { leadFormPerMinute: options.leadFormPerMinute } : {}) });
  desk.start();
  const port = options.port ?? Number(process.env.PORT ?? 3000);
  await app.listen({ port, host: options.host ?? '127.0.0.1' });
  const address = app.server.address();
  const actual = typeof address === 'object' && address ? address.port : port;
  let closing: Promise<void> | null = null;
  return {
    url: `http://127.0.0.1:${actual}/`,
    port: actual,
    desk,
    app,
    storage,
    close() {
      closing ??= (async () => {
        await app.close();
        await desk.stop();
        await storage.close();
      })();
      return closing;
    },
  };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const running = await startDesk();
  console.log(`Sales desk on ${running.url} (sign in as ana, bob, max, fin or ada; password "desk")`);
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      console.log(`${signal}: stopping…`);
      running.close().then(() => process.exit(0), (e) => {
        console.error(e);
        process.exit(1);
      });
    });
  }
}
