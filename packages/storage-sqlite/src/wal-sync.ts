import { Worker } from 'node:worker_threads';

/**
 * The background WAL syncer's code (a worker thread, so it runs while the main thread is busy):
 * every `intervalMs`, if the store committed since its last round, it `fdatasync`s the WAL file.
 */
const WORKER = `
const { workerData } = require('node:worker_threads');
const fs = require('node:fs');
const state = new Int32Array(workerData.shared);
let seen = 0;
let fd = -1;
for (;;) {
  Atomics.wait(state, 1, 0, workerData.intervalMs);
  if (Atomics.load(state, 1) !== 0) break;
  const commits = Atomics.load(state, 0);
  if (commits === seen) continue;
  seen = commits;
  try {
    if (fd < 0) fd = fs.openSync(workerData.path, 'r+');
    fs.fdatasyncSync(fd);
  } catch {
    if (fd >= 0) { try { fs.closeSync(fd); } catch {} }
    fd = -1;
  }
}
if (fd >= 0) fs.closeSync(fd);
`;

/** A running background syncer of one WAL file. */
export interface WalSync {
  /** Notes that a COMMIT appended to the WAL. */
  committed(): void;
  /** Stops the thread (closes its file descriptor). */
  stop(): Promise<void>;
}

/**
 * Keeps a WAL file's written pages flowing to disk from a worker thread.
 *
 * With `synchronous = NORMAL`, SQLite syncs the WAL only at a checkpoint, and that checkpoint runs
 * inside the COMMIT that crossed `wal_autocheckpoint`: the committing call then waits until every
 * WAL page written since the previous checkpoint is on disk (tens of MiB, tens of milliseconds).
 * Syncing the WAL in the background every few milliseconds leaves the checkpoint's own sync little
 * to do. It only makes committed data durable earlier; SQLite takes no locks on the WAL file, so a
 * second descriptor on it does not interfere.
 */
export function startWalSync(path: string, intervalMs = 10): WalSync {
  const shared = new SharedArrayBuffer(8);
  const state = new Int32Array(shared);
  const worker = new Worker(WORKER, { eval: true, execArgv: [], workerData: { path, shared, intervalMs } });
  worker.unref();
  worker.on('error', () => {
    // an optimization only: if the thread fails, checkpoints sync everything themselves as before
  });
  const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
  return {
    committed() {
      Atomics.add(state, 0, 1);
    },
    async stop() {
      worker.ref(); // keep the process up until the thread closed its descriptor
      Atomics.store(state, 1, 1);
      Atomics.notify(state, 1);
      await exited;
    },
  };
}
