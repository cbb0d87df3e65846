/**
 * The durable deferred-persistence queue on BullMQ (Redis through ioredis),
 * the same engine as the mastering jobs: one Redis queue technology.
 *
 * Layout for queue name `artifacts`: the BullMQ queue `artifacts` under the
 * prefix `audo-eq` (keys `audo-eq:artifacts:*`); one job per task, its data
 * the task's small text fields naming its WAV bytes, which sit in their own
 * Redis string `audo-eq:artifacts:payload:<job id>` (claim check: counts,
 * ages and dead-letter listings never move megabytes, and the bytes never go
 * through JSON). Dead letters are the queue's failed jobs, kept with their
 * payload until they are requeued.
 *
 * The port is pull-based (core/app/artifact-worker.ts decides retries and
 * dead letters), so the consumer fetches jobs by hand (BullMQ's "manually
 * fetching jobs" pattern): a delivery is an active job locked for the
 * visibility timeout (the lock is renewed while the task is worked on here);
 * a consumer that dies stops renewing, BullMQ's stalled-job check moves the
 * job back to waiting and another consumer gets it with the next attempt
 * number (the job's `attemptsStarted`). Acknowledge completes the job
 * (removed at once) and deletes its payload, a retry moves it to delayed
 * until its time, a dead letter fails it. Payload ids are also kept in a set
 * (`audo-eq:<name>:payloads`): a consumer sweeps it every visibility timeout
 * and deletes payloads whose job is gone twice running (a process killed
 * between completing a job and deleting its payload).
 *
 * Every call is bounded: while Redis is unreachable the producer's commands
 * fail at once (no offline queue) and otherwise within `timeoutMs` (plus
 * transfer time for large payloads), so a dead Redis costs seconds, never a
 * hung request.
 */
import { Buffer } from 'node:buffer';
import { Queue, UnrecoverableError, Worker, type Job } from 'bullmq';
import { Redis } from 'ioredis';
import type { AppLogger, ArtifactQueue, ConsumeOptions, QueueDelivery } from '../../core/app/ports.ts';
import { QueueFullError } from './memory.ts';
import { decodeTaskFields, encodeTaskFields, payloadKeyOf } from './redis-message.ts';

export interface RedisQueueOptions {
  /** `redis[s]://[user:password@]host:port[/db]` */
  readonly url: string;
  /** The name in `queue://<name>/<key>` and the BullMQ queue name. */
  readonly name: string;
  /** BullMQ key prefix; default `audo-eq` (keys `audo-eq:<name>:*`). */
  readonly keyPrefix?: string;
  /** Most tasks not yet stored before `enqueue` refuses (checked before each add, so a few concurrent adds may pass it). */
  readonly capacity: number;
  /** Silence after which another consumer takes over a delivered task (its lock expired). */
  readonly visibilityTimeoutMs: number;
  /** Connect and per-command budget. */
  readonly timeoutMs: number;
  /** This process's consumer name (in lock tokens and Redis client names); unique per process. */
  readonly consumerName: string;
  readonly logger?: AppLogger;
}

/** One dead-lettered task as operators see it. */
export interface DeadLetter {
  /** The job id (also the id of its deliveries). */
  readonly id: string;
  /** The object key, or null when the message could not be read. */
  readonly objectKey: string | null;
  readonly correlationId: string | null;
  readonly reason: string;
  /** Deliveries it had. */
  readonly attempts: number;
  /** ISO-8601 */
  readonly deadAt: string | null;
  readonly sizeBytes: number | null;
}

/** The Redis queue: the port plus what operators and tests need. */
export interface RedisQueue extends ArtifactQueue {
  /** BullMQ key prefix and queue name, e.g. `audo-eq:artifacts`. */
  readonly keyBase: string;
  /** Resolves once the producer connection is ready; rejects after the timeout when Redis does not answer. */
  connected(): Promise<void>;
  /** Up to `limit` dead letters, oldest first. */
  deadLetters(limit?: number): Promise<DeadLetter[]>;
  /** Moves up to `limit` dead letters back to the queue (attempts start over); returns how many. */
  requeueDeadLetters(limit?: number): Promise<number>;
  /** `host:port/<prefix>:<name>`, without credentials, for logs. */
  describe(): string;
}

type TaskJob = Job<Record<string, string>, string, string>;

/** Extra budget per byte moved, so a large artifact is not cut by the command timeout (≈ 20 MB/s floor). */
const MS_PER_BYTE = 1 / 20_000;
/** Longest single blocking wait for a new job (seconds): keeps shutdown and retry timers responsive. */
const BLOCK_SECONDS = 1;
/** Stalls never fail a job on their own: the artifact worker dead-letters a task delivered too often. */
const UNLIMITED_STALLS = 1_000_000;

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

/** Rejects with a clear message when `promise` takes longer than `budgetMs`. */
function bounded<T>(promise: Promise<T>, budgetMs: number, label: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`Redis at ${label} did not answer within ${Math.ceil(budgetMs)} ms`)), Math.ceil(budgetMs));
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** Resolves true once the client is ready, false after `timeoutMs` (it keeps reconnecting in the background). */
function readyWithin(client: Redis, timeoutMs: number): Promise<boolean> {
  if (client.status === 'ready') return Promise.resolve(true);
  return new Promise((resolve) => {
    const done = (ready: boolean) => {
      clearTimeout(timer);
      client.off('ready', onReady);
      resolve(ready);
    };
    const onReady = () => done(true);
    const timer = setTimeout(() => done(false), timeoutMs);
    client.on('ready', onReady);
  });
}

/** Closes a connection and resolves once its socket is gone (a QUIT when it is up, bounded). */
async function closeConnection(client: Redis, timeoutMs: number): Promise<void> {
  if (client.status === 'end') return;
  const ended = new Promise<void>((resolve) => client.once('end', () => resolve()));
  if (client.status === 'ready') await bounded(client.quit(), timeoutMs, 'redis').catch(() => client.disconnect());
  else client.disconnect();
  await bounded(ended, timeoutMs, 'redis').catch(() => {});
}

/**
 * Creates the Redis queue and starts connecting in the background (start-up
 * never waits for Redis longer than `timeoutMs`; see {@link RedisQueue.connected}).
 *
 * @example
 * const queue = createRedisQueue({ url: 'redis://127.0.0.1:6379', name: 'artifacts', capacity: 256,
 *   visibilityTimeoutMs: 60_000, timeoutMs: 2000, consumerName: 'api-1' });
 * await queue.connected();
 * await queue.enqueue(task); // SET audo-eq:artifacts:payload:<id>, then a BullMQ job <id> naming it
 */
export function createRedisQueue(options: RedisQueueOptions): RedisQueue {
  const prefix = options.keyPrefix ?? 'audo-eq';
  const keyBase = `${prefix}:${options.name}`;
  const payloadKey = (id: string) => `${keyBase}:payload:${id}`;
  /** Ids of every payload written and not yet deleted: what the orphan sweep checks against the jobs. */
  const payloadIndex = `${keyBase}:payloads`;
  const label = connectionLabel(options.url);
  const { logger } = options;

  // The API side: fails fast while Redis is away (no offline queue), every call bounded.
  const producer = new Redis(options.url, {
    maxRetriesPerRequest: 1,
    enableOfflineQueue: false,
    connectTimeout: options.timeoutMs,
    connectionName: `${options.consumerName}:producer`,
  });
  let producerDown = false;
  producer.on('error', (error: Error) => {
    if (producerDown) return;
    producerDown = true;
    logger?.warn('Redis queue connection failed; retrying in the background', { redis: label, connection: 'producer', error: error.message || error.name });
  });
  producer.on('ready', () => {
    if (producerDown) logger?.info('Redis queue connection restored', { redis: label, connection: 'producer' });
    producerDown = false;
  });
  const queue = new Queue<Record<string, string>, string, string>(options.name, {
    connection: producer,
    prefix,
    defaultJobOptions: { attempts: 1, removeOnComplete: true, removeOnFail: false, stackTraceLimit: 0 },
  });
  queue.on('error', () => {}); // reported through failed calls and /ready

  const call = <T>(promise: Promise<T>, extraMs = 0) => bounded(promise, options.timeoutMs + extraMs, label);
  const whenReady = async () => {
    if (closed) throw new Error(`queue '${options.name}' is closed`);
    if (producer.status === 'ready') return;
    if (!(await readyWithin(producer, producerDown ? 0 : options.timeoutMs))) throw new Error(`Redis at ${label} is not reachable`);
  };

  // The consumer side, made on the first consume: BullMQ's worker needs a connection that waits out outages.
  let worker: Worker<Record<string, string>, string, string> | null = null;
  let consumerConnection: Redis | null = null;
  /** Deliveries given out here and not yet settled: their job and lock token. */
  const held = new Map<string, { readonly job: TaskJob; readonly token: string }>();
  /** A fetch that outlived its caller's budget; the next consume takes its job. */
  let pendingFetch: Promise<TaskJob | undefined> | null = null;
  let lockTimer: ReturnType<typeof setInterval> | null = null;
  let sweepTimer: ReturnType<typeof setInterval> | null = null;
  /** Payload ids without a job at the last sweep: deleted if still so at the next one (an enqueue in progress has its job by then). */
  let orphanSuspects = new Set<string>();

  /**
   * Deletes payloads whose job is gone: a process that died between completing a job and deleting its
   * payload, or between writing a payload and adding its job, leaves one behind. Seen twice, a sweep apart.
   */
  const sweepOrphans = async () => {
    const ids = await call(producer.smembers(payloadIndex));
    if (ids.length === 0) {
      orphanSuspects = new Set();
      return;
    }
    const pipeline = producer.pipeline();
    for (const id of ids) pipeline.exists(`${keyBase}:${id}`);
    const exists = (await call(pipeline.exec())) ?? [];
    const missing = ids.filter((_, i) => exists[i]?.[1] === 0);
    const orphans = missing.filter((id) => orphanSuspects.has(id));
    orphanSuspects = new Set(missing.filter((id) => !orphanSuspects.has(id)));
    if (orphans.length === 0) return;
    await call(producer.multi().del(...orphans.map(payloadKey)).srem(payloadIndex, ...orphans).exec());
    logger?.info('Removed payloads of deferred persistence tasks that no longer exist', { queue_name: options.name, count: orphans.length });
  };
  let closed = false;

  const consumer = (): Worker<Record<string, string>, string, string> => {
    if (worker) return worker;
    consumerConnection = new Redis(options.url, { maxRetriesPerRequest: null, connectTimeout: options.timeoutMs, connectionName: `${options.consumerName}:consumer` });
    consumerConnection.on('error', () => {}); // consume() reports failures
    worker = new Worker<Record<string, string>, string, string>(options.name, null, {
      connection: consumerConnection,
      prefix,
      autorun: false,
      lockDuration: options.visibilityTimeoutMs,
      // A stalled job is seen at the first check after its lock expired, then moved at the next.
      stalledInterval: Math.max(100, Math.floor(options.visibilityTimeoutMs / 4)),
      maxStalledCount: UNLIMITED_STALLS,
      drainDelay: BLOCK_SECONDS,
    });
    worker.on('error', (error) => logger?.debug('deferred queue consumer error', { queue_name: options.name, error }));
    void worker.startStalledCheckTimer().catch(() => {});
    // Tasks worked on here keep their locks, however slow their upload.
    lockTimer = setInterval(() => {
      for (const { job, token } of held.values()) job.extendLock(token, options.visibilityTimeoutMs).catch(() => {});
    }, Math.max(50, Math.floor(options.visibilityTimeoutMs / 3)));
    sweepTimer = setInterval(() => void sweepOrphans().catch(() => {}), Math.max(1000, options.visibilityTimeoutMs));
    return worker;
  };

  const toDelivery = async (job: TaskJob, token: string): Promise<QueueDelivery> => {
    const id = job.id!;
    held.set(id, { job, token });
    const fields = (job.data ?? {}) as Record<string, string>;
    const key = payloadKeyOf(fields);
    const attempt = Math.max(1, job.attemptsStarted ?? 1);
    let bytes: Uint8Array | null = null;
    if (key) {
      try {
        const buffer = await call(producer.getBuffer(key), Number(fields.size) * MS_PER_BYTE || 0);
        bytes = buffer === null ? null : new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
      } catch (error) {
        // Held already: handed over as a failed read, so the worker schedules a retry instead of the task waiting on a lock.
        return { id, attempt, task: null, problem: `payload ${key} could not be read: ${(error as Error).message}` };
      }
    }
    const decoded = decodeTaskFields(fields, bytes);
    return { id, attempt, task: decoded.task, problem: decoded.problem };
  };

  /** One job, fetched with a fresh lock token; a fetch that outlives the budget is kept for the next call. */
  const fetchOne = async (block: boolean): Promise<QueueDelivery | null> => {
    const token = `${options.consumerName}:${crypto.randomUUID()}`;
    const fetch = pendingFetch ?? consumer().getNextJob(token, { block }).then((job) => job as TaskJob | undefined);
    pendingFetch = fetch;
    let job: TaskJob | undefined;
    try {
      job = await bounded(fetch, options.timeoutMs + (block ? BLOCK_SECONDS * 1000 : 0), label);
    } catch (error) {
      if (!/did not answer/.test(String((error as Error).message))) pendingFetch = null;
      throw error;
    }
    pendingFetch = null;
    if (!job) return null;
    return toDelivery(job, job.token ?? token);
  };

  const settle = async (delivery: QueueDelivery, run: (job: TaskJob, token: string) => Promise<unknown>): Promise<void> => {
    const entry = held.get(delivery.id);
    if (!entry) throw new Error(`delivery ${delivery.id} is not held by this consumer`);
    try {
      await call(run(entry.job, entry.token));
    } finally {
      // Settled, or failed to settle: no longer worked on here, so its lock lapses and it is delivered again.
      held.delete(delivery.id);
    }
  };

  const unsettledStates = ['wait', 'active', 'delayed', 'prioritized', 'waiting-children'] as const;

  return {
    name: options.name,
    backend: 'redis',
    durable: true,
    deadLetterName: `redis://${keyBase}:failed`,
    keyBase,

    async connected() {
      if (!(await readyWithin(producer, options.timeoutMs))) throw new Error(`Redis at ${label} did not answer within ${options.timeoutMs} ms`);
    },

    async enqueue(task) {
      await whenReady();
      const counts = await call(queue.getJobCounts(...unsettledStates));
      const depth = Object.values(counts).reduce((sum, count) => sum + count, 0);
      if (depth >= options.capacity) throw new QueueFullError(`queue '${options.name}' is full (${depth} of ${options.capacity} tasks)`);
      const id = crypto.randomUUID();
      const bytes = task.object.bytes;
      // Indexed first, so the sweep knows of a payload however the steps below end; a plain SET (no MULTI:
      // ioredis queues a transaction's megabytes a second time, measured 1.6x slower for 49 MiB).
      await call(producer.sadd(payloadIndex, id));
      await call(producer.set(payloadKey(id), Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)), bytes.byteLength * MS_PER_BYTE);
      try {
        await call(queue.add('artifact', encodeTaskFields(task, payloadKey(id)), { jobId: id }));
      } catch (error) {
        await producer.multi().del(payloadKey(id)).srem(payloadIndex, id).exec().catch(() => {});
        throw error;
      }
    },

    async consume({ maxTasks, waitMs, signal }: ConsumeOptions) {
      const deadlineMs = Date.now() + waitMs;
      const deliveries: QueueDelivery[] = [];
      while (!closed && !signal?.aborted && deliveries.length < maxTasks) {
        const blocking = deliveries.length === 0 && deadlineMs - Date.now() > 0;
        let delivery: QueueDelivery | null;
        try {
          delivery = await fetchOne(blocking);
        } catch (error) {
          // Jobs fetched already are held here: hand them over, the failure shows on the next read.
          if (deliveries.length > 0) break;
          throw error;
        }
        if (delivery) deliveries.push(delivery);
        else if (!blocking || Date.now() >= deadlineMs) break;
      }
      return deliveries;
    },

    async acknowledge(delivery) {
      const fields = (held.get(delivery.id)?.job.data ?? {}) as Record<string, string>;
      await settle(delivery, (job, token) => job.moveToCompleted('stored', token, false));
      const key = payloadKeyOf(fields);
      // A process that dies right here leaves the payload to the orphan sweep.
      if (key) await call(producer.multi().del(key).srem(payloadIndex, delivery.id).exec());
    },

    async retryLater(delivery, delayMs) {
      await settle(delivery, (job, token) => job.moveToDelayed(Date.now() + Math.max(0, delayMs), token));
    },

    async deadLetter(delivery, reason) {
      // The payload stays: a dead letter can be inspected and requeued with its bytes.
      await settle(delivery, (job, token) => job.moveToFailed(new UnrecoverableError(reason.slice(0, 1000)), token, false));
    },

    async depth() {
      await whenReady();
      const counts = await call(queue.getJobCounts(...unsettledStates));
      return Object.values(counts).reduce((sum, count) => sum + count, 0);
    },

    async oldestAgeMs() {
      await whenReady();
      // Bounded by the capacity: the queue never holds many more unsettled tasks than that.
      const jobs = await call(queue.getJobs([...unsettledStates], 0, options.capacity, true));
      const oldest = Math.min(...jobs.filter((job) => job).map((job) => job.timestamp));
      return Number.isFinite(oldest) ? Math.max(0, Date.now() - oldest) : null;
    },

    async deadLetterDepth() {
      await whenReady();
      return call(queue.getFailedCount());
    },

    async checkReady() {
      await whenReady();
      await call(producer.ping());
    },

    async deadLetters(limit = 100) {
      await whenReady();
      const jobs = (await call(queue.getFailed(0, Math.max(0, limit - 1)))) as TaskJob[];
      return jobs
        .filter((job) => job)
        .map((job) => {
          const fields = (job.data ?? {}) as Record<string, string>;
          return {
            id: job.id!,
            objectKey: fields.key ?? null,
            correlationId: fields.correlation_id ?? null,
            reason: job.failedReason ?? '',
            attempts: job.attemptsStarted ?? 0,
            deadAt: job.finishedOn ? new Date(job.finishedOn).toISOString() : null,
            sizeBytes: fields.size !== undefined && Number.isFinite(Number(fields.size)) ? Number(fields.size) : null,
          };
        });
    },

    async requeueDeadLetters(limit = 1000) {
      await whenReady();
      const jobs = (await call(queue.getFailed(0, Math.max(0, limit - 1)))) as TaskJob[];
      let moved = 0;
      for (const job of jobs) {
        if (!job) continue;
        await call(job.retry('failed', { resetAttemptsMade: true, resetAttemptsStarted: true }));
        moved++;
      }
      return moved;
    },

    async close() {
      if (closed) return;
      closed = true;
      if (lockTimer) clearInterval(lockTimer);
      if (sweepTimer) clearInterval(sweepTimer);
      // Tasks still held stay active in Redis; their locks lapse and another consumer takes them.
      held.clear();
      await Promise.all([
        worker ? bounded(worker.close(true), options.timeoutMs, label).catch(() => {}) : undefined,
        bounded(queue.close(), options.timeoutMs, label).catch(() => {}),
      ]);
      await Promise.all([consumerConnection ? closeConnection(consumerConnection, options.timeoutMs) : undefined, closeConnection(producer, options.timeoutMs)]);
    },

    describe: () => `${label}/${keyBase}`,
  };
}
