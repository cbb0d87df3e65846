/**
 * One bounded Redis connection (`redis` client 6) for the queue adapter:
 * connects in the background and keeps reconnecting, but never lets a caller
 * wait on it — commands fail at once while Redis is known to be unreachable
 * (no offline queue), a first connection is awaited for at most `timeoutMs`,
 * and every command is raced against the same budget.
 */
import { Buffer } from 'node:buffer';
import { createClient, RESP_TYPES } from 'redis';
import type { AppLogger } from '../../core/app/ports.ts';

export interface RedisConnectionOptions {
  readonly url: string;
  /** Connect timeout, first-connection wait and per-command budget. */
  readonly timeoutMs: number;
  /** For logs: which connection of the queue this is. */
  readonly role: string;
  /** Shown by `CLIENT LIST`, e.g. `api-3f9c2a1b:consumer`. */
  readonly clientName?: string;
  readonly logger?: AppLogger;
}

function openClient(options: RedisConnectionOptions) {
  return createClient({
    url: options.url,
    ...(options.clientName ? { name: options.clientName } : {}),
    disableOfflineQueue: true,
    socket: {
      connectTimeout: options.timeoutMs,
      // Keep trying forever, at most every 2 s: the queue comes back when Redis does.
      reconnectStrategy: (retries: number) => Math.min(100 * 2 ** retries, 2000),
    },
  });
}

type Client = ReturnType<typeof openClient>;

export interface RedisConnection {
  /** Replies as strings. */
  readonly client: Client;
  /** Bulk-string replies as Buffers (payload bytes). */
  readonly buffers: ReturnType<Client['withTypeMapping']>;
  /** Resolves when ready; rejects at once while Redis is down, or after `timeoutMs` while a first connection is still pending. */
  whenReady(): Promise<void>;
  /** `promise`, or a rejection after `timeoutMs + extraMs`. */
  bounded<T>(promise: Promise<T>, extraMs?: number): Promise<T>;
  close(): Promise<void>;
}

/**
 * `host:port` of a Redis URL, never its credentials.
 *
 * @example connectionLabel('redis://:s3cret@cache:6380/2') // 'cache:6380'
 */
export function connectionLabel(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.hostname}:${parsed.port || '6379'}`;
  } catch {
    return 'redis';
  }
}

/**
 * Opens a connection (in the background) and returns at once.
 *
 * @example
 * const connection = createRedisConnection({ url: 'redis://127.0.0.1:6379', timeoutMs: 2000, role: 'producer' });
 * await connection.whenReady();
 * await connection.bounded(connection.client.ping()); // 'PONG'
 */
export function createRedisConnection(options: RedisConnectionOptions): RedisConnection {
  const label = connectionLabel(options.url);
  const client = openClient(options);
  let state: 'connecting' | 'ready' | 'down' | 'closed' = 'connecting';
  let lastError = '';
  const waiters = new Set<() => void>();
  const notify = () => {
    for (const wake of waiters) wake();
    waiters.clear();
  };

  client.on('ready', () => {
    if (state === 'down') options.logger?.info('Redis queue connection restored', { redis: label, connection: options.role });
    state = 'ready';
    notify();
  });
  client.on('error', (error: Error) => {
    lastError = error.message || error.name;
    if (state === 'ready' || state === 'connecting') {
      options.logger?.warn('Redis queue connection failed; retrying in the background', { redis: label, connection: options.role, error: lastError });
      state = 'down';
      notify();
    }
  });
  // connect() settles only when connected (it keeps retrying); failures arrive as 'error' events.
  client.connect().catch(() => {});

  const unreachable = () => new Error(`Redis at ${label} is not reachable${lastError ? `: ${lastError}` : ''}`);

  return {
    client,
    buffers: client.withTypeMapping({ [RESP_TYPES.BLOB_STRING]: Buffer }),
    async whenReady() {
      if (state === 'ready') return;
      if (state === 'closed') throw new Error(`Redis connection to ${label} is closed`);
      if (state === 'down') throw unreachable();
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => {
          waiters.delete(wake);
          reject(new Error(`Redis at ${label} did not answer within ${options.timeoutMs} ms`));
        }, options.timeoutMs);
        const wake = () => {
          clearTimeout(timer);
          if (state === 'ready') resolve();
          else reject(unreachable());
        };
        waiters.add(wake);
      });
    },
    bounded<T>(promise: Promise<T>, extraMs = 0): Promise<T> {
      const budgetMs = Math.ceil(options.timeoutMs + extraMs);
      let timer: ReturnType<typeof setTimeout> | undefined;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`Redis at ${label} did not answer within ${budgetMs} ms`)), budgetMs);
      });
      return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
    },
    async close() {
      const wasReady = state === 'ready';
      state = 'closed';
      notify();
      if (!wasReady) {
        client.destroy();
        return;
      }
      // A graceful QUIT lets a blocked read finish; bounded, then cut.
      let timer: ReturnType<typeof setTimeout> | undefined;
      await Promise.race([
        client.close().catch(() => {}),
        new Promise<void>((resolve) => {
          timer = setTimeout(() => {
            client.destroy();
            resolve();
          }, options.timeoutMs);
        }),
      ]);
      clearTimeout(timer);
    },
  };
}
