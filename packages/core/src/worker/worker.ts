import { randomUUID } from 'node:crypto';
import type { Engine, FireTimerResult, FireTimersResult } from '../create-engine.js';
import type { TimerRecord } from '../storage/types.js';
import { LOOP_BOUNDS, boundedOption, stringOption } from './options.js';
import { eachLimited, Sleeper } from './sleep.js';

/** Options of {@link createWorker}. */
export interface CreateWorkerOptions {
  /** The engine whose store holds the timers; each timer is fired with `engine.fireTimer`. */
  engine: Engine;
  /** Timers claimed per round (default 100, at most 10 000). */
  batchSize?: number;
  /** Store transactions in flight at once within a round (default 4, at most 1 000). */
  concurrency?: number;
  /**
   * Timers fired per store transaction (default 50, at most 1 000): each transaction fires its
   * timers exactly as one-by-one firing would (`engine.fireTimers`), and a timer that fails or lost
   * its lease never sinks the others. `1` fires each timer in its own transaction (`engine.fireTimer`).
   */
  timersPerTransaction?: number;
  /** Lease length: a claimed timer not completed within it may be claimed by another worker (default 30 000 ms, 100 ms … 24 h). */
  leaseMs?: number;
  /** Wait between rounds when nothing was due (default 1 000 ms, at most 1 h; out of range: a coded error). */
  pollMs?: number;
  /** This worker's id, written as the lease owner (default `worker-<uuid>`). */
  workerId?: string;
  /** Serve one tenant only (default: every tenant in the store). */
  tenantId?: string;
  /**
   * Optional wake-up source (e.g. PostgreSQL `LISTEN`, see `createTimerListener`): called with a
   * function that starts the next round at once; returns an unsubscribe function.
   */
  wakeUp?: (wake: () => void) => () => void;
  /** Called with errors of firing or claiming (the timer is retried after its lease expires). */
  onError?: (error: unknown, timer?: TimerRecord) => void;
}

/** Outcome counts of one claim+fire round. */
export interface TickResult {
  /** Due timers this worker leased. */
  claimed: number;
  /** Timers whose effect was written. */
  fired: number;
  /** Timers with nothing left to do (stale, record moved on). */
  noop: number;
  /** Timers whose event the record refused. */
  rejected: number;
  /** Timers whose lease another worker took over before they fired. */
  leaseLost: number;
  /** Timers that threw; they come back after their lease (retry), up to the attempt limit. */
  failed: number;
}

/** Counters since start, and the current lag. */
export interface WorkerStats extends TickResult {
  /** This worker's id (written on the timers it leases). */
  workerId: string;
  /** True between `start()` and `stop()`. */
  running: boolean;
  /** Claim+fire rounds run. */
  ticks: number;
  /** Timers being fired right now. */
  inFlight: number;
  /** Now minus the oldest due time of a pending timer, in ms (0 when nothing is overdue). */
  lagMs: number;
  /** Due time of the oldest pending timer (ISO), or `null` when none is pending. */
  oldestDueAt: string | null;
}

/** The durable deadline worker. */
export interface Worker {
  /** This worker's id (`createWorker({ workerId })`, default `worker-<uuid>`). */
  readonly workerId: string;
  /** Starts polling (idempotent). */
  start(): void;
  /** Stops polling and waits for the timers in flight to finish (graceful). */
  stop(): Promise<void>;
  /** One claim+fire round (for tests and cron-style use). */
  tick(): Promise<TickResult>;
  /** Counters and lag. */
  stats(): Promise<WorkerStats>;
}

const empty = (): TickResult => ({ claimed: 0, fired: 0, noop: 0, rejected: 0, leaseLost: 0, failed: 0 });

/**
 * Creates the deadline worker: it claims due timers in batches (`storage.claimDueTimers`, with a
 * lease; `FOR UPDATE SKIP LOCKED` on PostgreSQL) and fires them `timersPerTransaction` per store
 * transaction through `engine.fireTimers` (`engine.fireTimer` when 1), which completes each timer
 * in the same transaction as its record change. Any number of workers (in any
 * number of processes) may run: each timer's effect happens once, and a crashed worker's timers
 * are fired by another once their lease expires.
 *
 * @example
 * ```ts
 * const worker = createWorker({ engine, batchSize: 200, concurrency: 4, timersPerTransaction: 50, leaseMs: 30_000, pollMs: 1_000 })
 * worker.start()
 * process.on('SIGTERM', () => void worker.stop())
 * ```
 */
export function createWorker(options: CreateWorkerOptions): Worker {
  const { engine } = options;
  const batchSize = boundedOption('createWorker', 'batchSize', options.batchSize, 100, LOOP_BOUNDS.batchSize);
  const concurrency = boundedOption('createWorker', 'concurrency', options.concurrency, 4, LOOP_BOUNDS.concurrency);
  const perTx = boundedOption('createWorker', 'timersPerTransaction', options.timersPerTransaction, 50, LOOP_BOUNDS.timersPerTransaction);
  const leaseMs = boundedOption('createWorker', 'leaseMs', options.leaseMs, 30_000, LOOP_BOUNDS.leaseMs);
  const pollMs = boundedOption('createWorker', 'pollMs', options.pollMs, 1_000, LOOP_BOUNDS.pollMs);
  const workerId = stringOption('createWorker', 'workerId', options.workerId) ?? `worker-${randomUUID()}`;
  stringOption('createWorker', 'tenantId', options.tenantId);
  const totals = empty();
  const sleeper = new Sleeper();
  let ticks = 0;
  let inFlight = 0;
  let running = false;
  let loop: Promise<void> | null = null;
  let unsubscribe: (() => void) | null = null;

  const report = (error: unknown, timer?: TimerRecord): void => {
    if (options.onError) options.onError(error, timer);
  };

  async function tick(): Promise<TickResult> {
    const result = empty();
    const now = engine.clock.now().toISOString();
    const claimed = await engine.storage.claimDueTimers({
      now,
      limit: batchSize,
      leaseMs,
      workerId,
      ...(options.tenantId !== undefined ? { tenantId: options.tenantId } : {}),
    });
    result.claimed = claimed.length;
    const count = (r: FireTimerResult | FireTimersResult, timer: TimerRecord): void => {
      if (r.outcome === 'fired') result.fired++;
      else if (r.outcome === 'noop') result.noop++;
      else if (r.outcome === 'rejected') result.rejected++;
      else if (r.outcome === 'lease-lost') result.leaseLost++;
      else if (r.outcome === 'failed') {
        result.failed++;
        report(r.cause, timer);
      }
    };
    if (perTx === 1) {
      await eachLimited(claimed, concurrency, async (timer) => {
        inFlight++;
        try {
          count(await engine.fireTimer(timer, { workerId }), timer);
        } catch (error) {
          result.failed++;
          report(error, timer);
        } finally {
          inFlight--;
        }
      });
    } else {
      const chunks: TimerRecord[][] = [];
      for (let i = 0; i < claimed.length; i += perTx) chunks.push(claimed.slice(i, i + perTx));
      await eachLimited(chunks, concurrency, async (chunk) => {
        inFlight += chunk.length;
        try {
          const results = await engine.fireTimers(chunk, { workerId, batchSize: perTx });
          results.forEach((r, i) => count(r, chunk[i]!));
        } catch (error) {
          // (the store failed outside any one timer: the chunk is fired again once its leases expire)
          result.failed += chunk.length;
          for (const timer of chunk) report(error, timer);
        } finally {
          inFlight -= chunk.length;
        }
      });
    }
    ticks++;
    for (const k of Object.keys(result) as (keyof TickResult)[]) totals[k] += result[k];
    return result;
  }

  async function run(): Promise<void> {
    while (running) {
      let full = false;
      try {
        full = (await tick()).claimed >= batchSize;
      } catch (error) {
        report(error);
      }
      if (running && !full) await sleeper.sleep(pollMs);
    }
  }

  return {
    workerId,
    start() {
      if (running) return;
      running = true;
      if (options.wakeUp) unsubscribe = options.wakeUp(() => sleeper.wake());
      loop = run();
    },
    async stop() {
      running = false;
      unsubscribe?.();
      unsubscribe = null;
      sleeper.wake();
      await loop;
      loop = null;
    },
    tick,
    async stats() {
      const oldestDueAt = await engine.storage.oldestDueAt(options.tenantId !== undefined ? { tenantId: options.tenantId } : {});
      const lagMs = oldestDueAt === null ? 0 : Math.max(0, engine.clock.now().getTime() - Date.parse(oldestDueAt));
      return { ...totals, workerId, running, ticks, inFlight, lagMs, oldestDueAt };
    },
  };
}
