/**
 * The deferred-persistence worker (SPEC section 6): drains an `ArtifactQueue`
 * into `ArtifactStorage`. Each delivery is stored by its object key (storing
 * a key again writes the same bytes to the same object, so redelivery never
 * duplicates), acknowledged only after the store succeeded, retried with
 * capped exponential backoff when it failed, and moved to the dead-letter
 * queue after the configured attempts — a message that cannot even be read
 * takes the same road and never holds up the others. It publishes
 * `ArtifactStored` when stored and `ArtifactPersistenceFailed` when it gives up.
 */
import type { EventPublisher } from '../domain/events.ts';
import type { AppLogger, ArtifactQueue, ArtifactStorage, Clock, QueueDelivery } from './ports.ts';

export interface RetryPolicy {
  /** Attempts per task (deliveries, the first included) before it is dead-lettered. */
  readonly maxAttempts: number;
  /** Delay after the first failed attempt; doubles with each further one. */
  readonly baseDelayMs: number;
  /** Cap on the doubled delay. */
  readonly maxDelayMs: number;
}

export type WorkerOutcome = 'stored' | 'retried' | 'dead_lettered';

export interface ArtifactWorkerOptions {
  readonly queue: ArtifactQueue;
  readonly storage: ArtifactStorage;
  readonly events: EventPublisher;
  readonly logger: AppLogger;
  readonly clock: Clock;
  readonly retry: RetryPolicy;
  /** Uploads at once; default 2. */
  readonly concurrency?: number;
  /** How long one queue read waits for work; default 1000 ms. */
  readonly pollWaitMs?: number;
  /** Jitter source in [0, 1); default `Math.random`. */
  readonly random?: () => number;
  /** Called once per settled attempt, e.g. to count outcomes in `/metrics`. */
  readonly onOutcome?: (outcome: WorkerOutcome) => void;
}

export interface ArtifactWorker {
  /** Starts the consume loop (a second call does nothing). */
  start(): void;
  /**
   * Stops reading, waits for uploads in flight, and resolves with the tasks
   * left in a non-durable queue (lost with the process). With `drainTimeoutMs`
   * a non-durable queue is first drained for up to that long.
   */
  stop(options?: { drainTimeoutMs?: number }): Promise<{ readonly left: number }>;
  /** Outcomes so far. */
  readonly counts: Readonly<Record<WorkerOutcome, number>>;
}

/**
 * The delay before retry number `attempt` (1 = after the first failure):
 * `baseDelayMs · 2^(attempt−1)`, capped at `maxDelayMs`, then "equal jitter"
 * (half fixed, half random) so that tasks failing together do not all come
 * back in the same instant.
 *
 * @example retryDelayMs(3, { maxAttempts: 10, baseDelayMs: 1000, maxDelayMs: 30_000 }, () => 0.5) // 3000 (4000 halved plus 0.5 · 2000)
 */
export function retryDelayMs(attempt: number, policy: RetryPolicy, random: () => number = Math.random): number {
  const exponentialMs = policy.baseDelayMs * 2 ** Math.max(0, attempt - 1);
  const cappedMs = Math.min(policy.maxDelayMs, exponentialMs);
  return Math.round(cappedMs / 2 + random() * (cappedMs / 2));
}

const errorText = (error: unknown) => (error instanceof Error ? error.message : String(error));

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
  });
}

/**
 * Creates a worker; call `start()` to run it and `stop()` on shutdown.
 *
 * @example
 * const worker = createArtifactWorker({ queue, storage, events, logger, clock: { now: () => new Date() },
 *   retry: { maxAttempts: 10, baseDelayMs: 1000, maxDelayMs: 30_000 } });
 * worker.start();
 * await worker.stop({ drainTimeoutMs: 10_000 }); // { left: 0 }
 */
export function createArtifactWorker(options: ArtifactWorkerOptions): ArtifactWorker {
  const { queue, storage, events, logger, clock, retry } = options;
  const concurrency = Math.max(1, options.concurrency ?? 2);
  const pollWaitMs = options.pollWaitMs ?? 1000;
  const random = options.random ?? Math.random;
  const counts: Record<WorkerOutcome, number> = { stored: 0, retried: 0, dead_lettered: 0 };
  const inFlight = new Set<Promise<void>>();
  let running = false;
  let abort = new AbortController();
  let loop: Promise<void> | null = null;

  const count = (outcome: WorkerOutcome) => {
    counts[outcome]++;
    options.onOutcome?.(outcome);
  };
  const fieldsOf = (delivery: QueueDelivery) => ({
    correlation_id: delivery.task?.correlationId ?? 'unknown',
    queue_name: queue.name,
    object_name: delivery.task?.object.key ?? null,
    message_id: delivery.id,
    attempt: delivery.attempt,
    max_attempts: retry.maxAttempts,
  });

  const giveUp = async (delivery: QueueDelivery, reason: string) => {
    try {
      await queue.deadLetter(delivery, reason);
    } catch (error) {
      logger.error('Could not dead-letter a failed persistence task; it will be delivered again', { ...fieldsOf(delivery), error });
      return;
    }
    logger.error('Deferred artifact persistence gave up; task moved to the dead-letter queue', { ...fieldsOf(delivery), dead_letter: queue.deadLetterName, reason });
    events.publish({
      name: 'ArtifactPersistenceFailed',
      correlationId: delivery.task?.correlationId ?? 'unknown',
      occurredAt: clock.now().toISOString(),
      payload: { stage: 'deferred', reason: 'dead_lettered', object_key: delivery.task?.object.key ?? null, attempts: delivery.attempt, queue_name: queue.name, dead_letter: queue.deadLetterName, error: reason },
    });
    count('dead_lettered');
  };

  const failed = async (delivery: QueueDelivery, error: unknown) => {
    if (delivery.attempt >= retry.maxAttempts) return giveUp(delivery, errorText(error));
    const delayMs = retryDelayMs(delivery.attempt, retry, random);
    try {
      await queue.retryLater(delivery, delayMs);
    } catch (retryError) {
      logger.warn('Could not schedule a persistence retry; the task will be delivered again after the visibility timeout', { ...fieldsOf(delivery), error: retryError });
    }
    logger.warn('Deferred artifact upload failed; retrying later', { ...fieldsOf(delivery), retry_in_ms: delayMs, error });
    count('retried');
  };

  const handle = async (delivery: QueueDelivery): Promise<void> => {
    // Delivered more often than allowed without settling: its worker keeps dying on it.
    if (delivery.attempt > retry.maxAttempts) return giveUp(delivery, `delivered ${delivery.attempt} times without finishing`);
    const task = delivery.task;
    if (!task) return failed(delivery, new Error(`unreadable message: ${delivery.problem}`));
    let stored;
    try {
      stored = await storage.store(task.object);
    } catch (error) {
      return failed(delivery, error);
    }
    try {
      await queue.acknowledge(delivery);
    } catch (error) {
      // Stored but not acknowledged: it comes back and is stored again under the same key (same bytes).
      logger.warn('Stored a queued artifact but could not acknowledge it; it will be delivered again', { ...fieldsOf(delivery), error });
    }
    const storedAt = clock.now();
    logger.info('Stored queued mastered artifact', { ...fieldsOf(delivery), destination: stored.destination });
    events.publish({
      name: 'ArtifactStored',
      correlationId: task.correlationId,
      occurredAt: storedAt.toISOString(),
      payload: {
        destination: stored.destination,
        object_key: stored.key,
        backend: storage.backend,
        content_type: task.object.contentType,
        size_bytes: task.object.bytes.byteLength,
        has_url: stored.url !== null,
        queue_name: queue.name,
        attempt: delivery.attempt,
        queued_ms: Math.max(0, storedAt.getTime() - Date.parse(task.enqueuedAt)),
      },
    });
    count('stored');
  };

  const track = (delivery: QueueDelivery) => {
    const settled: Promise<void> = handle(delivery)
      .catch((error) => logger.error('Deferred persistence task failed unexpectedly', { ...fieldsOf(delivery), error }))
      .finally(() => inFlight.delete(settled));
    inFlight.add(settled);
  };

  const run = async () => {
    let readFailures = 0;
    while (running) {
      if (inFlight.size >= concurrency) {
        await Promise.race(inFlight);
        continue;
      }
      let deliveries: QueueDelivery[];
      try {
        deliveries = await queue.consume({ maxTasks: concurrency - inFlight.size, waitMs: pollWaitMs, signal: abort.signal });
        readFailures = 0;
      } catch (error) {
        if (!running) break;
        readFailures++;
        const delayMs = retryDelayMs(readFailures, { maxAttempts: Infinity, baseDelayMs: 200, maxDelayMs: 5000 }, random);
        // One line when the queue goes away, then one every 20 failures: an outage must not flood the log.
        if (readFailures === 1 || readFailures % 20 === 0) {
          logger.warn('Deferred persistence queue read failed; retrying', { queue_name: queue.name, failures: readFailures, retry_in_ms: delayMs, error });
        }
        await sleep(delayMs, abort.signal);
        continue;
      }
      for (const delivery of deliveries) track(delivery);
    }
  };

  const drain = async (timeoutMs: number) => {
    const deadlineMs = Date.now() + timeoutMs;
    while (Date.now() < deadlineMs && (inFlight.size > 0 || (await queue.depth().catch(() => 0)) > 0)) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  };

  return {
    counts,
    start() {
      if (running) return;
      running = true;
      abort = new AbortController();
      loop = run();
    },
    async stop(stopOptions = {}) {
      if (running && !queue.durable && stopOptions.drainTimeoutMs) await drain(stopOptions.drainTimeoutMs);
      running = false;
      abort.abort();
      await loop;
      await Promise.all(inFlight);
      const left = queue.durable ? 0 : await queue.depth().catch(() => 0);
      if (left > 0) logger.error('Deferred persistence stopped with tasks still in the memory queue; they are lost', { queue_name: queue.name, left });
      return { left };
    },
  };
}
