/**
 * Deferred persistence from configuration: the queue adapter the config names
 * (memory, or BullMQ on Redis) and the worker that drains it. Shared by the API
 * composition (worker in-process, `AUDO_EQ_DEFERRED_WORKER=true`) and the
 * standalone worker process (`runtimes/node/worker.ts`).
 */
import type { AppConfig } from '../../core/app/config.ts';
import { createArtifactWorker, type ArtifactWorker, type WorkerOutcome } from '../../core/app/artifact-worker.ts';
import type { AppLogger, ArtifactQueue, ArtifactStorage } from '../../core/app/ports.ts';
import type { EventPublisher } from '../../core/domain/events.ts';
import { createMemoryQueue } from '../../adapters/queue/memory.ts';

/** How long a graceful stop keeps draining the memory queue before its tasks are given up as lost (inside Docker's default 10 s stop grace). */
export const MEMORY_DRAIN_TIMEOUT_MS = 5_000;

/**
 * A consumer name unique to this process, e.g. `api-3f9c2a1b`: a restarted
 * process is a new consumer, and the old one's claims expire.
 *
 * @example consumerName('worker-host1-4242') // 'worker-host1-4242-3f9c2a1b'
 */
export function consumerName(prefix: string): string {
  return `${prefix}-${crypto.randomUUID().slice(0, 8)}`;
}

/**
 * The queue `AUDO_EQ_QUEUE_BACKEND` names. The Redis queue is given
 * `AUDO_EQ_REDIS_TIMEOUT_MS` to connect; when Redis does not answer, start-up
 * goes on (logged), `/ready` says so and enqueues fail as the policy says.
 *
 * @example const queue = await createQueueFromConfig(config, { logger, consumer: consumerName('api') });
 */
export async function createQueueFromConfig(config: AppConfig, options: { logger: AppLogger; consumer: string }): Promise<ArtifactQueue> {
  if (config.AUDO_EQ_QUEUE_BACKEND === 'memory') {
    return createMemoryQueue({
      name: config.AUDO_EQ_QUEUE_NAME,
      capacity: config.AUDO_EQ_QUEUE_CAPACITY,
      maxBytes: config.AUDO_EQ_QUEUE_MEMORY_MAX_BYTES,
      visibilityTimeoutMs: config.AUDO_EQ_QUEUE_VISIBILITY_TIMEOUT_MS,
    });
  }
  // Loaded only when used: filesystem/memory runs need no Redis client.
  const { createRedisQueue } = await import('../../adapters/queue/redis.ts');
  const queue = createRedisQueue({
    url: config.AUDO_EQ_REDIS_URL,
    name: config.AUDO_EQ_QUEUE_NAME,
    capacity: config.AUDO_EQ_QUEUE_CAPACITY,
    visibilityTimeoutMs: config.AUDO_EQ_QUEUE_VISIBILITY_TIMEOUT_MS,
    timeoutMs: config.AUDO_EQ_REDIS_TIMEOUT_MS,
    consumerName: options.consumer,
    logger: options.logger,
  });
  try {
    await queue.connected();
  } catch (error) {
    options.logger.warn('Redis queue not reachable at start-up; deferred persistence waits for it', { redis: queue.describe(), error });
  }
  return queue;
}

/**
 * The worker for `queue` with the configured retry policy and concurrency.
 *
 * @example
 * const worker = createWorkerFromConfig(config, { queue, storage, events, logger });
 * worker.start();
 */
export function createWorkerFromConfig(
  config: AppConfig,
  deps: { queue: ArtifactQueue; storage: ArtifactStorage; events: EventPublisher; logger: AppLogger; onOutcome?: (outcome: WorkerOutcome) => void },
): ArtifactWorker {
  return createArtifactWorker({
    ...deps,
    clock: { now: () => new Date() },
    concurrency: config.AUDO_EQ_DEFERRED_WORKER_CONCURRENCY,
    retry: {
      maxAttempts: config.AUDO_EQ_QUEUE_MAX_ATTEMPTS,
      baseDelayMs: config.AUDO_EQ_QUEUE_RETRY_BASE_MS,
      maxDelayMs: config.AUDO_EQ_QUEUE_RETRY_MAX_MS,
    },
  });
}
