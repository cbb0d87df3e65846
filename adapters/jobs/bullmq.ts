/**
 * The BullMQ job backend (Redis through ioredis, BullMQ's own client): any
 * number of API processes submit, any number of worker processes run.
 *
 * - Jobs: BullMQ queue `<name>` (keys `audo-eq:<name>:*`), job id = our id,
 *   data = the submission (uploads are storage keys, never audio), progress =
 *   stage and percent, return value = the result. Retries with exponential
 *   backoff (`attempts`); a worker that dies loses its lock and the job is
 *   taken over by another (stalled-job recovery; `lockDuration` =
 *   AUDO_EQ_JOBS_LOCK_MS), never run by two at once while the lock is held,
 *   and a job that keeps killing workers fails (`maxStalledCount`,
 *   `maxStartedAttempts`). Finished jobs are removed after the retention.
 * - Cancel: a waiting job is removed and a tombstone kept (status
 *   `cancelled`); a running one is flagged in a hash the running worker polls,
 *   and it stops at its next stage boundary.
 * - Owner index: one sorted set per API key hash, for `GET /jobs`.
 * - Callbacks: a second queue `<name>-callbacks`, one job per finished job
 *   (deduplicated by id), retried with BullMQ's backoff; each attempt is
 *   recorded where `GET /jobs/{id}` shows it.
 * - Result retention: a third queue `<name>-expiry` holds one delayed job per
 *   succeeded job's result, which a worker removes from storage when due.
 * - Timings: queue wait and run time counted in a hash beside the queue
 *   (bullmq-timings.ts), so `/metrics` of every API shows every worker's jobs.
 */
import { DelayedError, Queue, UnrecoverableError, Worker, type Job } from 'bullmq';
import { Redis, type RedisOptions } from 'ioredis';
import type { AppConfig } from '../../core/app/config.ts';
import { callbackRetryDelayMs, deliverCallback, delivered, type CallbackSettings, type CallbackTransport } from '../../core/app/jobs/callbacks.ts';
import { jobDocument } from '../../core/app/jobs/job-document.ts';
import type { JobControl, JobLifecycle, JobListPage, JobProcessor, JobQueue, JobWorker } from '../../core/app/jobs/job-queue.ts';
import { advanceProgress, isFinished, JOB_STATUSES, type CallbackState, type JobRecord, type JobStatus, type JobSubmission } from '../../core/app/jobs/job-record.ts';
import { classifyJobFailure } from '../../core/app/jobs/mastering-job-processor.ts';
import type { JobTimingsRecorder } from '../../core/app/jobs/job-timings.ts';
import type { ResultExpiry } from '../../core/app/jobs/result-expiry.ts';
import type { AppLogger, ArtifactStorage, MasteringRunner } from '../../core/app/ports.ts';
import { AudoEqError } from '../../core/domain/errors.ts';
import type { EventPublisher } from '../../core/domain/events.ts';
import type { AppMetrics } from '../../core/http/metrics.ts';
import { createRedisTimingsRecorder, readRedisTimings, timingsKey } from './bullmq-timings.ts';
import { cancelledReason, failureReason, jobRecordOf, progressOf, type MasteringBullJob, type StoredProgress } from './bullmq-record.ts';

export const BULLMQ_PREFIX = 'audo-eq';
const RETRY_AFTER_SECONDS = 5;
/** How often a running job's worker looks for a cancel request. */
const CANCEL_POLL_MS = 500;
/** A callback waits this long at most for its job to be seen finished (a crash between run and completion). */
const CALLBACK_WAIT_LIMIT_MS = 3_600_000;

export interface BullmqJobOptions {
  readonly redisUrl: string;
  readonly name: string;
  /** Most jobs waiting to start. */
  readonly capacity: number;
  readonly maxAttempts: number;
  readonly retryBaseMs: number;
  readonly lockMs: number;
  readonly retentionSeconds: number;
  /** Seconds a succeeded job's result stays in storage; 0 (default): no removal scheduled. */
  readonly resultRetentionSeconds?: number;
  /** Connect and command budget of the API side: an unreachable Redis costs this long. */
  readonly timeoutMs: number;
  readonly storage: ArtifactStorage;
  readonly logger: AppLogger;
  readonly callbacks: CallbackSettings;
  readonly transport: CallbackTransport;
  readonly publicBaseUrl?: string;
}

/** The Redis keys this adapter keeps beside BullMQ's. */
function extraKeys(name: string) {
  const base = `${BULLMQ_PREFIX}:${name}:x`;
  return {
    owner: (owner: string) => `${base}:owner:${owner}`,
    cancel: `${base}:cancel`,
    tombstone: (id: string) => `${base}:tombstone:${id}`,
    callback: (id: string) => `${base}:callback:${id}`,
    cancelledQueued: `${base}:cancelled-queued`,
    cancelledRunning: `${base}:cancelled-running`,
  };
}

function connectionOptions(timeoutMs: number | null): RedisOptions {
  return timeoutMs === null
    ? { maxRetriesPerRequest: null }
    : { maxRetriesPerRequest: 1, enableOfflineQueue: false, connectTimeout: timeoutMs, commandTimeout: timeoutMs };
}

/** Resolves once the client is ready, or after `timeoutMs` (it keeps reconnecting in the background). */
async function readyWithin(client: Redis, timeoutMs: number): Promise<boolean> {
  if (client.status === 'ready') return true;
  return new Promise((resolve) => {
    const timer = setTimeout(() => done(false), timeoutMs);
    const onReady = () => done(true);
    const done = (ready: boolean) => {
      clearTimeout(timer);
      client.off('ready', onReady);
      resolve(ready);
    };
    client.on('ready', onReady);
  });
}

function unavailable(error: unknown): AudoEqError {
  return new AudoEqError('queue_unavailable', undefined, { retry_after_seconds: RETRY_AFTER_SECONDS }, { cause: error });
}

/** Reads what the API shows of a job: the BullMQ job, its cancel flag and callback state, or its tombstone. */
async function readRecord(queue: Pick<Queue, 'getJob'>, redis: Redis, name: string, id: string): Promise<JobRecord | null> {
  const keys = extraKeys(name);
  let job = (await queue.getJob(id)) as MasteringBullJob | undefined;
  if (!job) {
    const tombstone = await redis.get(keys.tombstone(id));
    return tombstone ? (JSON.parse(tombstone) as JobRecord) : null;
  }
  const [state, flagged, callbackText] = await Promise.all([job.getState(), redis.hexists(keys.cancel, id), redis.get(keys.callback(id))]);
  // The job finished between the two reads: read it again so status and outcome agree.
  if ((state === 'completed' || state === 'failed') && !job.finishedOn) job = ((await queue.getJob(id)) as MasteringBullJob | undefined) ?? job;
  return jobRecordOf(job, state, flagged === 1, callbackText ? (JSON.parse(callbackText) as CallbackState) : null);
}

export type BullmqJobQueue = JobQueue & {
  /** Adds the callback job of a finished job (deduplicated by job id). */
  scheduleCallback(record: JobRecord): Promise<void>;
  /** Where workers count job wait and run times (read back by `timings()`). */
  readonly timingsRecorder: JobTimingsRecorder;
  /** Schedules the removal of a result object after the result retention (null without one). */
  readonly expireResult: ResultExpiry | null;
};

/**
 * The API side: submit, read, list, cancel, count.
 *
 * @example const queue = await createBullmqJobQueue({ redisUrl: 'redis://127.0.0.1:6379', name: 'mastering-jobs', … });
 */
export async function createBullmqJobQueue(options: BullmqJobOptions, hooks: { finished?: (record: JobRecord) => Promise<void> } = {}): Promise<BullmqJobQueue> {
  const { name, logger } = options;
  const keys = extraKeys(name);
  const redis = new Redis(options.redisUrl, { ...connectionOptions(options.timeoutMs), lazyConnect: false });
  redis.on('error', () => {}); // reported through failed calls and /ready, not once per reconnect attempt
  if (!(await readyWithin(redis, options.timeoutMs))) {
    logger.warn('Redis job queue not reachable at start-up; jobs wait for it', { queue_name: name });
  }
  const retentionMs = options.retentionSeconds * 1000;
  const queue = new Queue(name, {
    connection: redis,
    prefix: BULLMQ_PREFIX,
    defaultJobOptions: {
      attempts: options.maxAttempts,
      backoff: { type: 'exponential', delay: options.retryBaseMs },
      removeOnComplete: { age: options.retentionSeconds },
      removeOnFail: { age: options.retentionSeconds },
    },
  });
  queue.on('error', (error) => logger.debug('job queue error', { queue_name: name, error }));
  const callbackQueue = new Queue(`${name}-callbacks`, {
    connection: redis,
    prefix: BULLMQ_PREFIX,
    defaultJobOptions: {
      attempts: options.callbacks.maxAttempts,
      backoff: { type: 'custom' },
      removeOnComplete: { age: options.retentionSeconds },
      removeOnFail: { age: options.retentionSeconds },
    },
  });
  callbackQueue.on('error', () => {});
  // Result removals as delayed jobs: they survive restarts and run on whichever worker is up when due.
  const expiryQueue = new Queue(`${name}-expiry`, {
    connection: redis,
    prefix: BULLMQ_PREFIX,
    defaultJobOptions: { attempts: 10, backoff: { type: 'exponential', delay: 60_000 }, removeOnComplete: true, removeOnFail: { age: options.retentionSeconds } },
  });
  expiryQueue.on('error', () => {});

  const guarded = async <T>(run: () => Promise<T>): Promise<T> => {
    try {
      return await run();
    } catch (error) {
      if (error instanceof AudoEqError) throw error;
      throw unavailable(error);
    }
  };

  const scheduleCallback = async (record: JobRecord) => {
    if (!record.submission.callbackUrl) return;
    await callbackQueue.add('callback', { jobId: record.submission.id }, { jobId: record.submission.id });
  };

  const timingsHash = timingsKey(BULLMQ_PREFIX, name);

  return {
    backend: 'redis',
    name,
    scheduleCallback,
    timingsRecorder: createRedisTimingsRecorder(redis, timingsHash, logger),
    expireResult: options.resultRetentionSeconds
      ? async (key: string) => void (await expiryQueue.add('remove-result', { key }, { jobId: `result-${key.replace(/[^A-Za-z0-9._-]/g, '_')}`, delay: options.resultRetentionSeconds! * 1000 }))
      : null,
    timings: () => guarded(() => readRedisTimings(redis, timingsHash)),
    submit: (submission: JobSubmission) =>
      guarded(async () => {
        const counts = await queue.getJobCounts('wait', 'delayed', 'prioritized');
        const waiting = Object.values(counts).reduce((sum, count) => sum + count, 0);
        if (waiting >= options.capacity) throw new AudoEqError('queue_full', undefined, { capacity: options.capacity, retry_after_seconds: RETRY_AFTER_SECONDS });
        const submittedMs = Date.parse(submission.submittedAt);
        await redis.multi().zadd(keys.owner(submission.owner), submittedMs, submission.id).zremrangebyscore(keys.owner(submission.owner), '-inf', submittedMs - retentionMs).exec();
        const job = (await queue.add('master', submission, { jobId: submission.id })) as MasteringBullJob;
        return jobRecordOf(job, 'waiting', false, null);
      }),
    get: (id) => guarded(() => readRecord(queue, redis, name, id)),
    list: (owner, { limit, cursor }) =>
      guarded(async (): Promise<JobListPage> => {
        const key = keys.owner(owner);
        let start = 0;
        if (cursor) {
          const rank = await redis.zrevrank(key, cursor);
          if (rank === null) return { jobs: [], nextCursor: null };
          start = rank + 1;
        }
        const jobs: JobRecord[] = [];
        let position = start;
        let lastId: string | null = null;
        let exhausted = false;
        // Ids whose jobs retention removed are dropped from the index as they are met.
        while (jobs.length < limit) {
          const ids = await redis.zrevrange(key, position, position + limit - 1);
          if (ids.length === 0) {
            exhausted = true;
            break;
          }
          for (const id of ids) {
            position++;
            const record = await readRecord(queue, redis, name, id);
            if (!record) {
              await redis.zrem(key, id);
              position--;
              continue;
            }
            jobs.push(record);
            lastId = id;
            if (jobs.length >= limit) break;
          }
        }
        const more = !exhausted && (await redis.zcard(key)) > position;
        return { jobs, nextCursor: more ? lastId : null };
      }),
    cancel: (id) =>
      guarded(async () => {
        const record = await readRecord(queue, redis, name, id);
        if (!record || isFinished(record.status)) return record;
        const nowMs = Date.now();
        await redis.hset(keys.cancel, id, String(nowMs));
        if (record.status === 'queued') {
          let removed = false;
          try {
            await queue.remove(id);
            removed = (await queue.getJob(id)) === undefined;
          } catch {
            removed = false; // it became active meanwhile: its worker sees the flag
          }
          if (removed) {
            const cancelled: JobRecord = { ...record, status: 'cancelled', finishedAt: new Date(nowMs).toISOString(), cancelRequested: true };
            await redis
              .multi()
              .set(keys.tombstone(id), JSON.stringify(cancelled), 'PX', retentionMs)
              .zadd(keys.cancelledQueued, nowMs, id)
              .zremrangebyscore(keys.cancelledQueued, '-inf', nowMs - retentionMs)
              .hdel(keys.cancel, id)
              .exec();
            await hooks.finished?.(cancelled);
            await scheduleCallback(cancelled);
            return cancelled;
          }
        }
        return { ...record, cancelRequested: true };
      }),
    counts: () =>
      guarded(async () => {
        const counts = await queue.getJobCounts('wait', 'delayed', 'prioritized', 'waiting-children', 'active', 'completed', 'failed');
        const cutoff = Date.now() - retentionMs;
        const [cancelledQueued, cancelledRunning] = await Promise.all([redis.zcount(keys.cancelledQueued, cutoff, '+inf'), redis.zcount(keys.cancelledRunning, cutoff, '+inf')]);
        const result = Object.fromEntries(JOB_STATUSES.map((status) => [status, 0])) as Record<JobStatus, number>;
        result.queued = counts.wait + counts.delayed + counts.prioritized + counts['waiting-children'];
        result.running = counts.active;
        result.succeeded = counts.completed;
        result.failed = Math.max(0, counts.failed - cancelledRunning);
        result.cancelled = cancelledQueued + cancelledRunning;
        return result;
      }),
    async checkReady() {
      await redis.ping();
    },
    async close() {
      await queue.close();
      await callbackQueue.close();
      await expiryQueue.close();
      redis.disconnect();
    },
  };
}

export interface BullmqWorkerDeps {
  readonly processor: JobProcessor;
  readonly lifecycle: JobLifecycle;
  readonly concurrency: number;
  /** The API-side queue of the same name (reads records, schedules callbacks). */
  readonly queue: BullmqJobQueue;
}

/**
 * The worker side: runs mastering jobs and delivers callbacks.
 *
 * @example const worker = createBullmqJobWorker(options, { processor, lifecycle, concurrency: 2, queue }); worker.start();
 */
export function createBullmqJobWorker(options: BullmqJobOptions, deps: BullmqWorkerDeps): JobWorker {
  const { name, logger } = options;
  const keys = extraKeys(name);
  const retentionMs = options.retentionSeconds * 1000;
  const redis = new Redis(options.redisUrl, connectionOptions(null));
  redis.on('error', () => {});
  let masteringWorker: Worker | null = null;
  let callbackWorker: Worker | null = null;
  let expiryWorker: Worker | null = null;

  const finalize = async (job: MasteringBullJob) => {
    const record = await deps.queue.get(job.id!);
    if (!record || !isFinished(record.status)) return;
    if (record.status === 'cancelled') {
      await redis.multi().zadd(keys.cancelledRunning, Date.now(), job.id!).zremrangebyscore(keys.cancelledRunning, '-inf', Date.now() - retentionMs).hdel(keys.cancel, job.id!).exec();
    }
    await deps.lifecycle.finished?.(record);
    // Jobs failed without a run of their own (their workers kept dying) get their callback here;
    // for the others it already exists (same job id: not added twice).
    await deps.queue.scheduleCallback(record);
  };

  const processJob = async (job: MasteringBullJob, token?: string, signal?: AbortSignal) => {
    const id = job.id!;
    const abort = new AbortController();
    signal?.addEventListener('abort', () => abort.abort(), { once: true });
    const attempt = job.attemptsStarted;
    const lastAttempt = attempt >= options.maxAttempts || job.attemptsMade + 1 >= options.maxAttempts;
    let progress: StoredProgress = progressOf(job);
    if (!progress.startedAt) progress = { ...progress, startedAt: new Date().toISOString() };
    await job.updateProgress(progress);
    const record = jobRecordOf(job, 'active', false, null);
    deps.lifecycle.started?.({ ...record, startedAt: progress.startedAt ?? record.startedAt });
    const poll = setInterval(() => {
      redis.hexists(keys.cancel, id).then((flagged) => flagged === 1 && abort.abort(), () => {});
    }, CANCEL_POLL_MS);
    if ((await redis.hexists(keys.cancel, id)) === 1) abort.abort();
    const control: JobControl = {
      signal: abort.signal,
      attempt,
      lastAttempt,
      progress(stage) {
        const next = advanceProgress(progress, stage);
        if (next === progress) return;
        progress = { ...next, startedAt: progress.startedAt };
        job.updateProgress(progress).catch((error) => logger.debug('progress update failed', { job_id: id, error }));
      },
    };
    // The callback job is added before this run ends (it waits until the job is seen finished),
    // so a worker that dies between finishing and its 'completed' event loses no callback.
    const scheduleCallback = () => deps.queue.scheduleCallback(record).catch((error) => logger.warn('could not schedule the job callback', { job_id: id, error }));
    try {
      const result = await deps.processor(record, control);
      await scheduleCallback();
      return result;
    } catch (error) {
      const outcome = classifyJobFailure(error, lastAttempt);
      if (outcome.kind !== 'retry') await scheduleCallback();
      if (outcome.kind === 'cancelled') throw new UnrecoverableError(cancelledReason());
      logger.warn(outcome.kind === 'final' ? 'Mastering job failed' : 'Mastering job attempt failed; it will run again', {
        correlation_id: job.data.correlationId,
        job_id: id,
        attempt,
        code: outcome.failure.code,
        error,
      });
      if (outcome.kind === 'final') throw new UnrecoverableError(failureReason(outcome.failure));
      throw new Error(failureReason(outcome.failure));
    } finally {
      clearInterval(poll);
      void token;
    }
  };

  const deliver = async (job: Job<{ jobId: string }>, token?: string) => {
    const record = await deps.queue.get(job.data.jobId);
    if (!record?.callback) return 'no job';
    if (!isFinished(record.status)) {
      if (Date.now() - job.timestamp > CALLBACK_WAIT_LIMIT_MS) return 'job never finished';
      await job.moveToDelayed(Date.now() + 1000, token);
      throw new DelayedError();
    }
    const attempt = job.attemptsMade + 1;
    const body = JSON.stringify(jobDocument(record, options.publicBaseUrl));
    const delivery = await deliverCallback({ url: record.callback.url, body, jobId: record.submission.id, attempt }, { transport: options.transport, settings: options.callbacks, now: () => new Date() });
    const ok = delivered(delivery);
    const state: CallbackState = {
      url: record.callback.url,
      status: ok ? 'delivered' : attempt >= options.callbacks.maxAttempts ? 'failed' : 'pending',
      deliveries: [...record.callback.deliveries, delivery],
    };
    await redis.set(keys.callback(record.submission.id), JSON.stringify(state), 'PX', retentionMs);
    if (!ok) {
      logger.warn('Job callback delivery failed', { job_id: record.submission.id, attempt, error: delivery.error });
      throw new Error(delivery.error ?? 'callback not delivered');
    }
    return 'delivered';
  };

  return {
    start() {
      if (masteringWorker) return;
      masteringWorker = new Worker(name, processJob as never, {
        connection: redis,
        prefix: BULLMQ_PREFIX,
        concurrency: deps.concurrency,
        lockDuration: options.lockMs,
        stalledInterval: options.lockMs,
        // A job whose worker died is run again; the last allowed death fails it (worker_lost).
        maxStalledCount: Math.max(0, options.maxAttempts - 1),
        maxStartedAttempts: options.maxAttempts,
        removeOnComplete: { age: options.retentionSeconds },
        removeOnFail: { age: options.retentionSeconds },
      });
      masteringWorker.on('error', (error) => logger.warn('job worker error', { queue_name: name, error }));
      masteringWorker.on('completed', (job: MasteringBullJob) => void finalize(job).catch((error) => logger.error('job finalization failed', { job_id: job.id, error })));
      masteringWorker.on('failed', (job: MasteringBullJob | undefined) => {
        if (job) void finalize(job).catch((error) => logger.error('job finalization failed', { job_id: job.id, error }));
      });
      callbackWorker = new Worker(`${name}-callbacks`, deliver as never, {
        connection: redis,
        prefix: BULLMQ_PREFIX,
        concurrency: 8,
        settings: { backoffStrategy: (attemptsMade: number) => callbackRetryDelayMs(attemptsMade, options.callbacks) },
        removeOnComplete: { age: options.retentionSeconds },
        removeOnFail: { age: options.retentionSeconds },
      });
      callbackWorker.on('error', (error) => logger.warn('callback worker error', { queue_name: name, error }));
      expiryWorker = new Worker(
        `${name}-expiry`,
        async (job: Job<{ key: string }>) => {
          await options.storage.remove(job.data.key);
          logger.info('Job result removed (retention)', { object_key: job.data.key });
        },
        { connection: redis, prefix: BULLMQ_PREFIX, concurrency: 4 },
      );
      expiryWorker.on('error', (error) => logger.warn('result expiry worker error', { queue_name: name, error }));
    },
    async stop(stopOptions = {}) {
      const timeoutMs = stopOptions.timeoutMs ?? 30_000;
      const closing = Promise.all([masteringWorker?.close(), callbackWorker?.close(), expiryWorker?.close()]);
      let timer: ReturnType<typeof setTimeout> | undefined;
      const timedOut = await Promise.race([closing.then(() => false), new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(true), timeoutMs)))]);
      clearTimeout(timer);
      if (timedOut) {
        // Jobs still running are given up here: their locks are no longer renewed, and once
        // they expire another worker takes the jobs over. A forced close waits for the same
        // running jobs, so it is not awaited (shutdown must stay bounded).
        logger.warn('Jobs still running when the worker stopped; another worker takes them over after the lock expires', { queue_name: name });
        void Promise.all([masteringWorker?.close(true), callbackWorker?.close(true), expiryWorker?.close(true)]).catch(() => {});
      }
      redis.disconnect();
    },
  };
}

/**
 * Queue and worker from configuration (see runtimes/shared/jobs.ts).
 */
export async function createBullmqJobSystem(
  config: AppConfig,
  deps: {
    readonly storage: ArtifactStorage;
    readonly runner: MasteringRunner;
    readonly events: EventPublisher;
    readonly logger: AppLogger;
    readonly metrics?: AppMetrics;
    readonly runWorker: boolean;
    readonly processor: JobProcessor;
    /** The lifecycle, given where to count job timings (Redis, shared by every process) and how to expire results. */
    readonly lifecycleFor: (adapters: { readonly timings: JobTimingsRecorder; readonly expireResult?: ResultExpiry }) => JobLifecycle;
    readonly transport: CallbackTransport;
    readonly callbacks: CallbackSettings;
    readonly concurrency: number;
  },
) {
  const options: BullmqJobOptions = {
    redisUrl: config.AUDO_EQ_REDIS_URL,
    name: config.AUDO_EQ_JOBS_QUEUE_NAME,
    capacity: config.AUDO_EQ_JOBS_CAPACITY,
    maxAttempts: config.AUDO_EQ_JOBS_MAX_ATTEMPTS,
    retryBaseMs: config.AUDO_EQ_JOBS_RETRY_BASE_MS,
    lockMs: config.AUDO_EQ_JOBS_LOCK_MS,
    retentionSeconds: config.AUDO_EQ_JOBS_RETENTION_SECONDS,
    resultRetentionSeconds: config.AUDO_EQ_JOBS_RESULT_RETENTION_SECONDS,
    timeoutMs: config.AUDO_EQ_REDIS_TIMEOUT_MS,
    storage: deps.storage,
    logger: deps.logger,
    callbacks: deps.callbacks,
    transport: deps.transport,
    publicBaseUrl: config.AUDO_EQ_PUBLIC_URL?.replace(/\/+$/, ''),
  };
  let lifecycle: JobLifecycle | null = null;
  const queue = await createBullmqJobQueue(options, { finished: async (record) => void (await lifecycle?.finished?.(record)) });
  lifecycle = deps.lifecycleFor({ timings: queue.timingsRecorder, expireResult: queue.expireResult ?? undefined });
  const worker = deps.runWorker ? createBullmqJobWorker(options, { processor: deps.processor, lifecycle, concurrency: deps.concurrency, queue }) : null;
  worker?.start();
  return {
    queue,
    worker,
    callbacks: deps.callbacks,
    async close(closeOptions: { readonly timeoutMs?: number } = {}) {
      await worker?.stop(closeOptions);
      await queue.close();
    },
  };
}
