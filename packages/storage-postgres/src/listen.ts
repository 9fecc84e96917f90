import { DEFAULT_SCHEMA, openClient } from './connect.js';
import type { PgClient } from './driver.js';
import { timersChannel } from './storage.js';

/** Options for {@link createTimerListener}. */
export interface CreateTimerListenerOptions {
  /** A dedicated (not pooled) connection, or a connection string to open one. */
  client?: PgClient;
  /** Opens a dedicated connection for listening (when no `client` is given); closed with the listener. */
  connectionString?: string;
  /** Schema whose timers channel to listen on (default `dealflow`, as the store's). */
  schema?: string;
}

/** A LISTEN connection that wakes workers when timers are scheduled (stores created with `notify: true`). */
export interface TimerListener {
  /** Calls `listener` on every notification; returns an unsubscribe function. */
  subscribe(listener: () => void): () => void;
  /** Stops listening and closes the connection if it was opened here. */
  close(): Promise<void>;
}

/**
 * Opens a `LISTEN` on the timers channel. Pass `listener.subscribe` to `createWorker({ wakeUp })`
 * so a worker polls at once when a timer is scheduled, instead of waiting for `pollMs`.
 *
 * @example
 * ```ts
 * const listener = await createTimerListener({ connectionString: url })
 * const worker = createWorker({ engine, wakeUp: listener.subscribe })
 * ```
 */
export async function createTimerListener(options: CreateTimerListenerOptions): Promise<TimerListener> {
  const owns = !options.client;
  const client = options.client ?? openClient(options.connectionString ?? '');
  if (owns) await client.connect();
  const channel = timersChannel(options.schema ?? DEFAULT_SCHEMA);
  const listeners = new Set<() => void>();
  client.on('notification', (msg) => {
    if (msg.channel === channel) for (const l of listeners) l();
  });
  client.on('error', () => {
    /* a lost LISTEN connection only loses wake-ups; workers still poll */
  });
  await client.query(`LISTEN "${channel}"`);
  return {
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    async close() {
      listeners.clear();
      try {
        await client.query(`UNLISTEN "${channel}"`);
      } finally {
        if (owns) await client.end();
      }
    },
  };
}
