export { createWorker } from './worker.js';
export type { CreateWorkerOptions, TickResult, Worker, WorkerStats } from './worker.js';
