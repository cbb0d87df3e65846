/**
 * Asynchronous jobs from configuration: the job queue the config names
 * (memory, or BullMQ on Redis), the callback settings and transport, and
 * the worker that runs jobs with the shared processor. Used by the API
 * composition (queue always; worker unless `AUDO_EQ_JOBS_WORKER=false`) and
 * by the standalone worker process (`npm run worker`).
 */
import type { AppConfig } from '../../core/app/config.ts';
import { parseAllowList } from '../../core/app/jobs/address-policy.ts';
import type { CallbackSettings } from '../../core/app/jobs/callbacks.ts';
import { removeJobInputs } from '../../core/app/jobs/job-inputs.ts';
import type { JobLifecycle, JobQueue, JobWorker } from '../../core/app/jobs/job-queue.ts';
import type { JobTimingsRecorder } from '../../core/app/jobs/job-timings.ts';
import { createTimerResultExpiry, type ResultExpiry } from '../../core/app/jobs/result-expiry.ts';
import { createMasteringJobProcessor } from '../../core/app/jobs/mastering-job-processor.ts';
import type { AppLogger, ArtifactStorage, MasteringRunner } from '../../core/app/ports.ts';
import type { EventPublisher } from '../../core/domain/events.ts';
import type { AppMetrics } from '../../core/http/metrics.ts';
import { createMemoryJobQueue } from '../../adapters/jobs/memory.ts';
import { createNodeCallbackTransport, resolveHostAddresses } from '../../adapters/webhooks/node-transport.ts';

/** The callback settings of a configuration. */
export function callbackSettings(config: AppConfig): CallbackSettings {
  return {
    secret: config.AUDO_EQ_WEBHOOK_SECRET ?? null,
    allowList: parseAllowList(config.AUDO_EQ_WEBHOOK_ALLOWED_HOSTS),
    maxAttempts: config.AUDO_EQ_WEBHOOK_MAX_ATTEMPTS,
    baseDelayMs: config.AUDO_EQ_WEBHOOK_RETRY_BASE_MS,
    maxDelayMs: config.AUDO_EQ_WEBHOOK_RETRY_MAX_MS,
    timeoutMs: config.AUDO_EQ_WEBHOOK_TIMEOUT_MS,
  };
}

/** Delay before run `attempt + 1` of a job: base · 2^(attempt−1). */
export function jobRetryDelayMs(config: AppConfig, attempt: number): number {
  return config.AUDO_EQ_JOBS_RETRY_BASE_MS * 2 ** Math.max(0, attempt - 1);
}

/**
 * What a worker reports for metrics and clean-up: the queue wait of a job's
 * first start, the run time and final status of a finished job, the removal
 * of its stored uploads, and (with result retention) the scheduled removal
 * of a succeeded job's result.
 */
export function jobLifecycle(deps: { storage: ArtifactStorage; timings?: JobTimingsRecorder; logger: AppLogger; expireResult?: ResultExpiry }): JobLifecycle {
  return {
    started(record) {
      deps.logger.info('Mastering job started', { correlation_id: record.submission.correlationId, job_id: record.submission.id, attempt: record.attempts });
      if (record.attempts === 1 && record.startedAt) {
        deps.timings?.observeJobWait(Math.max(0, Date.parse(record.startedAt) - Date.parse(record.submission.submittedAt)) / 1000);
      }
    },
    async finished(record) {
      if (record.startedAt && record.finishedAt) {
        deps.timings?.observeJobDuration(Math.max(0, Date.parse(record.finishedAt) - Date.parse(record.startedAt)) / 1000, record.status);
      }
      deps.logger.info('Mastering job finished', {
        correlation_id: record.submission.correlationId,
        job_id: record.submission.id,
        status: record.status,
        attempts: record.attempts,
        code: record.error?.code ?? null,
      });
      await removeJobInputs(deps.storage, record.submission.inputs);
      if (record.status === 'succeeded' && record.result && deps.expireResult) {
        await deps.expireResult(record.result.key).catch((error: unknown) =>
          deps.logger.warn('Could not schedule the removal of a job result', { job_id: record.submission.id, object_key: record.result?.key, error }),
        );
      }
    },
  };
}

export interface JobSystem {
  readonly queue: JobQueue;
  /** The worker of this process, or null (`AUDO_EQ_JOBS_WORKER=false`, or the API without storage). */
  readonly worker: JobWorker | null;
  readonly callbacks: CallbackSettings;
  close(options?: { readonly timeoutMs?: number }): Promise<void>;
}

export interface JobSystemDeps {
  readonly storage: ArtifactStorage;
  readonly runner: MasteringRunner;
  readonly events: EventPublisher;
  readonly logger: AppLogger;
  readonly metrics?: AppMetrics;
  /** Whether this process runs jobs (the API: AUDO_EQ_JOBS_WORKER; the worker process: always). */
  readonly runWorker: boolean;
}

/**
 * Builds queue and (optionally) worker, and starts the worker.
 *
 * @example const jobs = await createJobSystem(config, { storage, runner, events, logger, metrics, runWorker: true });
 */
export async function createJobSystem(config: AppConfig, deps: JobSystemDeps): Promise<JobSystem> {
  const callbacks = callbackSettings(config);
  const transport = createNodeCallbackTransport(callbacks.allowList);
  const concurrency = config.AUDO_EQ_JOBS_CONCURRENCY ?? deps.runner.concurrency ?? 1;
  const processor = createMasteringJobProcessor({ runner: deps.runner, storage: deps.storage, events: deps.events, logger: deps.logger, clock: { now: () => new Date() } });
  if (config.AUDO_EQ_JOBS_BACKEND === 'memory') {
    // One process: its own /metrics observes the jobs its worker runs; result removals wait on its timers.
    const retentionSeconds = config.AUDO_EQ_JOBS_RESULT_RETENTION_SECONDS;
    const expiry = retentionSeconds > 0 ? createTimerResultExpiry(deps.storage, retentionSeconds * 1000, deps.logger) : null;
    const lifecycle = jobLifecycle({ storage: deps.storage, logger: deps.logger, timings: deps.metrics, expireResult: expiry?.expire });
    const queue = createMemoryJobQueue({
      name: config.AUDO_EQ_JOBS_QUEUE_NAME,
      capacity: config.AUDO_EQ_JOBS_CAPACITY,
      retentionMs: config.AUDO_EQ_JOBS_RETENTION_SECONDS * 1000,
      maxAttempts: config.AUDO_EQ_JOBS_MAX_ATTEMPTS,
      retryDelayMs: (attempt) => jobRetryDelayMs(config, attempt),
      callbacks: { transport, settings: callbacks },
      publicBaseUrl: config.AUDO_EQ_PUBLIC_URL?.replace(/\/+$/, ''),
      logger: deps.logger,
    });
    const worker = queue.createWorker(processor, { concurrency, lifecycle });
    worker.start();
    return {
      queue,
      worker,
      callbacks,
      async close(options = {}) {
        await worker.stop(options);
        await queue.close();
        expiry?.close();
      },
    };
  }
  const { createBullmqJobSystem } = await import('../../adapters/jobs/bullmq.ts');
  // Workers count timings in Redis, where every API process reads them.
  return createBullmqJobSystem(config, {
    ...deps,
    processor,
    lifecycleFor: ({ timings, expireResult }) => jobLifecycle({ storage: deps.storage, logger: deps.logger, timings, expireResult }),
    transport,
    callbacks,
    concurrency,
  });
}

export { resolveHostAddresses };
