/**
 * The durable deferred-persistence queue on Redis Streams (`redis` client 6).
 *
 * Layout for queue name `artifacts`: stream `audo-eq:artifacts` with consumer
 * group `workers`; each entry holds small text fields and names its WAV bytes,
 * a Redis string `audo-eq:artifacts:payload:<uuid>` written in the same
 * MULTI (claim check: ages, depths and dead letters never move megabytes);
 * dead letters go to the stream `audo-eq:artifacts:dead` and keep their payload.
 *
 * Delivery is at-least-once: XREADGROUP hands out new entries, XAUTOCLAIM
 * takes over entries whose consumer has been silent for the visibility
 * timeout (a dead worker), a retry is an XCLAIM by the same consumer after its
 * delay, and the attempt number is XPENDING's delivery count. An entry is
 * XACKed (and deleted with its payload) only after the object is stored.
 *
 * Every call is bounded: commands fail at once while Redis is unreachable
 * (no offline queue) and otherwise within `timeoutMs` (plus transfer time for
 * large payloads), so a dead Redis costs seconds, never a hung request.
 */
import { Buffer } from 'node:buffer';
import type { AppLogger, ArtifactQueue, ConsumeOptions, QueueDelivery } from '../../core/app/ports.ts';
import { QueueFullError } from './memory.ts';
import { DEAD_LETTER_FIELDS, encodeTaskFields, payloadKeyOf } from './redis-message.ts';
import { connectionLabel, createRedisConnection, type RedisConnection } from './redis-connection.ts';
import { CONSUMER_GROUP, createConsumerState, createStreamReader } from './redis-reader.ts';

export interface RedisQueueOptions {
  /** `redis[s]://[user:password@]host:port[/db]` */
  readonly url: string;
  /** The name in `queue://<name>/<key>`; the stream is `<keyPrefix><name>`. */
  readonly name: string;
  /** Default `audo-eq:`. */
  readonly keyPrefix?: string;
  /** Most entries in the stream before `enqueue` refuses (checked before each add, so a few concurrent adds may pass it). */
  readonly capacity: number;
  /** Silence after which another consumer takes over a delivered entry. */
  readonly visibilityTimeoutMs: number;
  /** Connect and per-command budget. */
  readonly timeoutMs: number;
  /** This process's consumer name in the group; unique per process. */
  readonly consumerName: string;
  readonly logger?: AppLogger;
}

export { CONSUMER_GROUP };
/** Extra budget per byte moved, so a large artifact is not cut by the command timeout (≈ 20 MB/s floor). */
const MS_PER_BYTE = 1 / 20_000;

function isError(error: unknown, prefix: string): boolean {
  return error instanceof Error && error.message.startsWith(prefix);
}

/**
 * Creates the Redis queue and starts connecting in the background (start-up
 * never waits for Redis longer than `timeoutMs`; see {@link RedisQueue.connected}).
 *
 * @example
 * const queue = createRedisQueue({ url: 'redis://127.0.0.1:6379', name: 'artifacts', capacity: 256,
 *   visibilityTimeoutMs: 60_000, timeoutMs: 2000, consumerName: 'api-1' });
 * await queue.connected();
 * await queue.enqueue(task); // XADD audo-eq:artifacts + SET audo-eq:artifacts:payload:<uuid>
 */
export function createRedisQueue(options: RedisQueueOptions): RedisQueue {
  const prefix = options.keyPrefix ?? 'audo-eq:';
  const stream = `${prefix}${options.name}`;
  const deadStream = `${stream}:dead`;
  const label = connectionLabel(options.url);
  const connect = (role: string) =>
    createRedisConnection({ url: options.url, timeoutMs: options.timeoutMs, role, clientName: `${options.consumerName}:${role}`, logger: options.logger });
  const producer = connect('producer');
  let consumer: RedisConnection | null = null;
  const state = createConsumerState();
  const { held, inFlight, retries } = state;
  let groupReady: Promise<void> | null = null;
  let closed = false;

  const ensureGroup = (connection: RedisConnection): Promise<void> => {
    groupReady ??= connection.client
      .xGroupCreate(stream, CONSUMER_GROUP, '0', { MKSTREAM: true })
      .then(
        () => undefined,
        (error: unknown) => {
          if (isError(error, 'BUSYGROUP')) return;
          groupReady = null;
          throw error;
        },
      );
    return groupReady;
  };

  /** Runs a group command; a NOGROUP answer (stream deleted meanwhile) recreates the group once. */
  const withGroup = async <T>(connection: RedisConnection, run: () => Promise<T>): Promise<T> => {
    await ensureGroup(connection);
    try {
      return await run();
    } catch (error) {
      if (!isError(error, 'NOGROUP')) throw error;
      groupReady = null;
      await ensureGroup(connection);
      return run();
    }
  };

  const consumerConnection = async (): Promise<RedisConnection> => {
    // Blocking reads get their own connection so they never delay an enqueue.
    consumer ??= connect('consumer');
    await consumer.whenReady();
    return consumer;
  };

  const reader = createStreamReader({ stream, consumerName: options.consumerName, visibilityTimeoutMs: options.visibilityTimeoutMs, state });

  /** One pass of the reader, on the consumer connection, recreating the group if the stream vanished. */
  const consumeOnce = async (maxTasks: number, remainingMs: number, signal?: AbortSignal): Promise<QueueDelivery[]> => {
    const connection = await consumerConnection();
    return withGroup(connection, () => reader.readOnce(connection, maxTasks, remainingMs, signal));
  };

  const settle = async (delivery: QueueDelivery, build: (multi: ReturnType<RedisConnection['client']['multi']>) => void): Promise<void> => {
    const connection = consumer ?? producer;
    try {
      await connection.whenReady();
      const multi = connection.client.multi();
      build(multi);
      await connection.bounded(multi.exec());
    } finally {
      // Settled, or failed to settle: in both cases no longer worked on here, so a
      // failed acknowledgement is redelivered after the visibility timeout.
      inFlight.delete(delivery.id);
    }
    held.delete(delivery.id);
    retries.delete(delivery.id);
  };

  return {
    name: options.name,
    backend: 'redis',
    durable: true,
    deadLetterName: `redis://${deadStream}`,
    stream,
    deadStream,

    connected: () => producer.whenReady(),

    async enqueue(task) {
      if (closed) throw new Error(`queue '${options.name}' is closed`);
      await producer.whenReady();
      const length = await withGroup(producer, () => producer.bounded(producer.client.xLen(stream)));
      if (length >= options.capacity) throw new QueueFullError(`queue '${options.name}' is full (${length} of ${options.capacity} tasks)`);
      const bytes = task.object.bytes;
      const payloadKey = `${stream}:payload:${crypto.randomUUID()}`;
      const multi = producer.client
        .multi()
        .set(payloadKey, Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength))
        .xAdd(stream, '*', encodeTaskFields(task, payloadKey));
      await producer.bounded(multi.exec(), bytes.byteLength * MS_PER_BYTE);
    },

    async consume({ maxTasks, waitMs, signal }: ConsumeOptions) {
      const deadlineMs = Date.now() + waitMs;
      for (;;) {
        if (closed || signal?.aborted) return [];
        const deliveries = await consumeOnce(maxTasks, deadlineMs - Date.now(), signal);
        if (deliveries.length > 0 || Date.now() >= deadlineMs) return deliveries;
      }
    },

    async acknowledge(delivery) {
      const payloadKey = payloadKeyOf(held.get(delivery.id)?.fields ?? {});
      await settle(delivery, (multi) => {
        multi.xAck(stream, CONSUMER_GROUP, delivery.id).xDel(stream, delivery.id);
        if (payloadKey) multi.del(payloadKey);
      });
    },

    async retryLater(delivery, delayMs) {
      // The entry stays pending under this consumer; consume() XCLAIMs it again when due.
      inFlight.delete(delivery.id);
      if (!closed) retries.set(delivery.id, Date.now() + Math.max(0, delayMs));
    },

    async deadLetter(delivery, reason) {
      const fields = held.get(delivery.id)?.fields ?? {};
      const deadFields: Record<string, string> = { ...fields };
      for (const name of DEAD_LETTER_FIELDS) delete deadFields[name];
      Object.assign(deadFields, {
        original_id: delivery.id,
        reason: reason.slice(0, 1000),
        attempts: String(delivery.attempt),
        dead_at: new Date().toISOString(),
      });
      // The payload key stays: a dead letter can be inspected and requeued with its bytes.
      await settle(delivery, (multi) => {
        multi.xAdd(deadStream, '*', deadFields).xAck(stream, CONSUMER_GROUP, delivery.id).xDel(stream, delivery.id);
      });
    },

    async depth() {
      await producer.whenReady();
      return producer.bounded(producer.client.xLen(stream));
    },

    async oldestAgeMs() {
      await producer.whenReady();
      // Redis's own clock, like the entry ids: no skew between machines.
      const [first, time] = await Promise.all([
        producer.bounded(producer.client.xRange(stream, '-', '+', { COUNT: 1 })),
        producer.bounded(producer.client.time()),
      ]);
      if (!first || first.length === 0) return null;
      const enqueuedMs = Number(first[0].id.split('-')[0]);
      const nowMs = Number(time[0]) * 1000 + Math.floor(Number(time[1]) / 1000);
      return Math.max(0, nowMs - enqueuedMs);
    },

    async deadLetterDepth() {
      await producer.whenReady();
      return producer.bounded(producer.client.xLen(deadStream));
    },

    async checkReady() {
      await producer.whenReady();
      await producer.bounded(producer.client.ping());
    },

    async requeueDeadLetters(limit = 1000) {
      await producer.whenReady();
      const entries = (await producer.bounded(producer.client.xRange(deadStream, '-', '+', { COUNT: limit }))) ?? [];
      for (const entry of entries) {
        const fields: Record<string, string> = { ...(entry.message as Record<string, string>) };
        for (const name of DEAD_LETTER_FIELDS) delete fields[name];
        await producer.bounded(producer.client.multi().xAdd(stream, '*', fields).xDel(deadStream, entry.id).exec());
      }
      return entries.length;
    },

    async close() {
      closed = true;
      retries.clear();
      await Promise.all([producer.close(), consumer?.close()]);
    },

    describe: () => `${label}/${stream}`,
  };
}

/** The Redis queue: the port plus what operators and tests need. */
export interface RedisQueue extends ArtifactQueue {
  readonly stream: string;
  readonly deadStream: string;
  /** Resolves once the producer connection is ready; rejects after the timeout when Redis does not answer. */
  connected(): Promise<void>;
  /** Moves up to `limit` dead letters back to the queue (attempts start over); returns how many. */
  requeueDeadLetters(limit?: number): Promise<number>;
  /** `host:port/stream`, without credentials, for logs. */
  describe(): string;
}
