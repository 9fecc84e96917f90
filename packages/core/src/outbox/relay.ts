import type { OutboxMessage, Storage } from '../storage/types.js';
import { LOOP_BOUNDS, boundedOption, stringOption } from '../worker/options.js';
import { Sleeper } from '../worker/sleep.js';

/** Options of {@link createOutboxRelay}. */
export interface CreateOutboxRelayOptions {
  /** The store whose outbox the relay reads and acknowledges (the engine's store). */
  storage: Storage;
  /**
   * Delivers one message (mailer, webhook, queue). Resolve when delivered; throw to have it (and
   * everything after it) retried on the next round. Dedupe on `message.id`: delivery is at least once.
   */
  handler: (message: OutboxMessage) => unknown | Promise<unknown>;
  /** Messages read per round (default 100, at most 10 000). */
  batchSize?: number;
  /** Wait between rounds when the outbox was empty or a delivery failed (default 1 000 ms, at most 1 h). */
  pollMs?: number;
  /** Relay one tenant's messages only (default: all tenants). */
  tenantId?: string;
  /** Called with delivery errors. */
  onError?: (error: unknown, message?: OutboxMessage) => void;
}

/** The relay's counters. */
export interface OutboxRelayStats {
  /** True between `start()` and `stop()`. */
  running: boolean;
  /** Messages delivered and acknowledged since the relay was created. */
  delivered: number;
  /** Deliveries that threw (each message is tried again). */
  failed: number;
  /** Read+deliver rounds run. */
  rounds: number;
  /** Position of the last acknowledged message. */
  lastPosition: number;
}

/** Moves committed outbox messages to an outside subscriber. */
export interface OutboxRelay {
  /** Starts polling in the background (rounds every `pollMs` while the outbox is empty). */
  start(): void;
  /** Stops after the message in flight; resolves when stopped. */
  stop(): Promise<void>;
  /** One read+deliver+ack round; resolves with the number delivered. */
  tick(): Promise<number>;
  /** A snapshot of the relay's counters. */
  stats(): OutboxRelayStats;
}

/**
 * Creates the outbox relay: it reads messages the engine appended in its transactions (in
 * position order), hands each to `handler`, and acknowledges them, so a subscriber outside the
 * process receives each event at least once, in order per record, with a stable `id` to dedupe on.
 * A failed delivery stops the round there; that message and the ones after it come again.
 * Run one relay per store (or per tenant with `tenantId`).
 *
 * @example
 * ```ts
 * const relay = createOutboxRelay({
 *   storage,
 *   handler: async (m) => { await fetch(webhookUrl, { method: 'POST', body: JSON.stringify(m) }) },
 * })
 * relay.start()
 * ```
 */
export function createOutboxRelay(options: CreateOutboxRelayOptions): OutboxRelay {
  const batchSize = boundedOption('createOutboxRelay', 'batchSize', options.batchSize, 100, LOOP_BOUNDS.batchSize);
  const pollMs = boundedOption('createOutboxRelay', 'pollMs', options.pollMs, 1_000, LOOP_BOUNDS.pollMs);
  stringOption('createOutboxRelay', 'tenantId', options.tenantId);
  const scope = options.tenantId !== undefined ? { tenantId: options.tenantId } : {};
  const sleeper = new Sleeper();
  const stats: OutboxRelayStats = { running: false, delivered: 0, failed: 0, rounds: 0, lastPosition: 0 };
  let loop: Promise<void> | null = null;
  let failedLast = false;

  async function tick(): Promise<number> {
    stats.rounds++;
    failedLast = false;
    const batch = await options.storage.readOutbox({ limit: batchSize, afterPosition: stats.lastPosition, ...scope });
    let delivered = 0;
    let acked: number | null = null;
    try {
      for (const message of batch) {
        try {
          await options.handler(message);
        } catch (error) {
          stats.failed++;
          failedLast = true;
          options.onError?.(error, message);
          break;
        }
        delivered++;
        stats.delivered++;
        if (message.position !== undefined) acked = message.position;
      }
    } finally {
      if (acked !== null) {
        await options.storage.ackOutbox(acked, scope);
        stats.lastPosition = acked;
      }
    }
    return delivered;
  }

  async function run(): Promise<void> {
    while (stats.running) {
      let n = 0;
      try {
        n = await tick();
      } catch (error) {
        failedLast = true;
        options.onError?.(error);
      }
      if (stats.running && (n < batchSize || failedLast)) await sleeper.sleep(pollMs);
    }
  }

  return {
    start() {
      if (stats.running) return;
      stats.running = true;
      loop = run();
    },
    async stop() {
      stats.running = false;
      sleeper.wake();
      await loop;
      loop = null;
    },
    tick,
    stats: () => ({ ...stats }),
  };
}
