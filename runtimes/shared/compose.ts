/**
 * The composition shared by every runtime: environment → validated config →
 * logger, storage, persistence policy → the fetch handler. Runtimes only add
 * their own server and signal handling around it.
 */
import { setSimdEnabled } from '../../core/wasm/simd-module.ts';
import { ConfigError, ingestPolicyFromConfig, loadConfig, secretValues, type AppConfig } from '../../core/app/config.ts';
import type { UploadSpool } from '../../core/http/upload-spool.ts';
import { persistencePolicyProblem } from '../../core/app/persist-artifact.ts';
import type { AppLogger, ArtifactStorage, MasteringRunner } from '../../core/app/ports.ts';
import { createLoggingEventPublisher } from '../../core/app/logging-event-publisher.ts';
import { createMetrics } from '../../core/http/metrics.ts';
import { createHandler, createInProcessRunner, type FetchHandler } from '../../mod.ts';
import { createTslogLogger, resolveLogFormat } from '../../adapters/events/tslog.ts';
import { createFilesystemStorage } from '../../adapters/storage/filesystem.ts';
import { consumerName, createQueueFromConfig, createWorkerFromConfig, MEMORY_DRAIN_TIMEOUT_MS } from './deferred.ts';
import { createJobSystem, resolveHostAddresses } from './jobs.ts';
import { startArtifactRetention } from './retention.ts';
import type { RetentionRuleOutcome } from '../../adapters/storage/s3.ts';

export interface Composition {
  readonly config: AppConfig;
  readonly handler: FetchHandler;
  readonly logger: ReturnType<typeof createTslogLogger>;
  /** The mastering runner the handler uses (a worker pool in the servers). */
  readonly runner: MasteringRunner;
  /** Stops the runner's workers and the in-process queue worker (draining a memory queue), releases clients (S3, Redis) and flushes logs. Call it after in-flight requests are done. */
  close(): Promise<void>;
}

/** A runner a runtime builds once config and logger exist; `close` stops its workers. */
export type RunnerFactory = (context: { readonly config: AppConfig; readonly logger: AppLogger }) => MasteringRunner & { close?(): Promise<void> };

export interface ComposeOptions {
  /** Whether stdout is a terminal (pretty logs under AUDO_EQ_LOG_FORMAT=auto). */
  readonly isTty: boolean;
  /** A runner to use instead of the in-process default (e.g. a worker pool). */
  readonly runner?: MasteringRunner;
  /** Builds the runner from config and logger (how the servers make their worker pools); wins over `runner`. */
  readonly createRunner?: RunnerFactory;
  /** Where large uploads wait while they arrive (the Node server's temporary files); default none: in memory. */
  readonly createUploadSpool?: (config: AppConfig) => UploadSpool;
  /** How route bytes become response bodies (the Node server's: streamed views, see `HandlerOptions.byteBody`); default the bytes. */
  readonly byteBody?: (bytes: Uint8Array) => BodyInit;
}

/** The storage `AUDO_EQ_STORAGE_*` names, or null when storage is disabled. */
export async function createStorage(
  config: AppConfig,
): Promise<(ArtifactStorage & { destroy?(): void; applyRetentionRule?(days: number): Promise<RetentionRuleOutcome> }) | null> {
  if (!config.AUDO_EQ_STORAGE_ENABLED) return null;
  if (config.AUDO_EQ_STORAGE_BACKEND === 'filesystem') return createFilesystemStorage({ dataDir: config.AUDO_EQ_DATA_DIR });
  // Loaded only when used: the AWS SDK is large and irrelevant to filesystem runs.
  const { createS3Storage } = await import('../../adapters/storage/s3.ts');
  return createS3Storage({
    endpoint: config.AUDO_EQ_S3_ENDPOINT,
    secure: config.AUDO_EQ_S3_SECURE,
    publicEndpoint: config.AUDO_EQ_S3_PUBLIC_ENDPOINT,
    region: config.AUDO_EQ_S3_REGION,
    accessKeyId: config.AUDO_EQ_S3_ACCESS_KEY,
    secretAccessKey: config.AUDO_EQ_S3_SECRET_KEY,
    bucket: config.AUDO_EQ_S3_BUCKET,
    urlTtlSeconds: config.AUDO_EQ_S3_URL_TTL_SECONDS,
    timeoutMs: config.AUDO_EQ_S3_TIMEOUT_MS,
    maxAttempts: config.AUDO_EQ_S3_MAX_ATTEMPTS,
  });
}

/**
 * Builds the handler from an environment map. Throws `ConfigError` (one line
 * naming the variable) for a bad value or a policy the build cannot honour.
 *
 * @example
 * const { handler, logger } = await composeFromEnv(process.env, { isTty: process.stdout.isTTY === true });
 */
export async function composeFromEnv(env: Record<string, string | undefined>, options: ComposeOptions): Promise<Composition> {
  const config = loadConfig(env);
  // Before any kernel runs; the worker pools hand the setting to their threads.
  setSimdEnabled(config.AUDO_EQ_SIMD === 'on');
  const logger = createTslogLogger({
    format: resolveLogFormat(config.AUDO_EQ_LOG_FORMAT, options.isTty),
    level: config.AUDO_EQ_LOG_LEVEL,
    secretValues: secretValues(config),
  });
  const persistence = { mode: config.AUDO_EQ_ARTIFACT_PERSISTENCE_MODE, guarantee: config.AUDO_EQ_ARTIFACT_PERSISTENCE_GUARANTEE };
  const storage = await createStorage(config);
  // The queue exists only in deferred mode; its worker runs here unless AUDO_EQ_DEFERRED_WORKER=false.
  const queue = persistence.mode === 'deferred' && storage ? await createQueueFromConfig(config, { logger, consumer: consumerName('api') }) : null;
  const problem = persistencePolicyProblem(persistence, storage, queue);
  if (problem) throw new ConfigError(`invalid configuration: AUDO_EQ_ARTIFACT_PERSISTENCE_MODE: ${problem}`);
  const runner: MasteringRunner & { close?(): Promise<void> } = options.createRunner?.({ config, logger }) ?? options.runner ?? createInProcessRunner({ ingestPolicy: ingestPolicyFromConfig(config) });
  const metrics = createMetrics();
  const events = createLoggingEventPublisher(logger);
  const worker =
    queue && storage && config.AUDO_EQ_DEFERRED_WORKER
      ? createWorkerFromConfig(config, { queue, storage, events, logger, onOutcome: (outcome) => metrics.countDeferredOutcome(outcome) })
      : null;
  worker?.start();
  const retention = startArtifactRetention(config, storage, logger);
  // Jobs keep their inputs in storage: without storage the job routes answer 503 jobs_unavailable.
  const jobs = storage
    ? await createJobSystem(config, { storage, runner, events, logger, metrics, runWorker: config.AUDO_EQ_JOBS_WORKER })
    : null;
  const handler = createHandler({
    runner,
    storage,
    queue,
    metrics,
    events,
    persistence,
    logger,
    limits: {
      maxFileBytes: config.AUDO_EQ_MAX_FILE_BYTES,
      maxRequestBytes: config.AUDO_EQ_MAX_REQUEST_BYTES,
      timeoutMs: config.AUDO_EQ_REQUEST_TIMEOUT_MS,
      idleTimeoutMs: config.AUDO_EQ_UPLOAD_IDLE_TIMEOUT_MS,
      spool: options.createUploadSpool?.(config) ?? null,
    },
    maxPending: config.AUDO_EQ_MAX_PENDING,
    byteBody: options.byteBody,
    apiKeys: config.AUDO_EQ_API_KEYS,
    corsOrigins: config.AUDO_EQ_CORS_ORIGINS,
    readyTimeoutMs: config.AUDO_EQ_READY_TIMEOUT_MS,
    publicUrl: config.AUDO_EQ_PUBLIC_URL ?? null,
    jobs: jobs ? { queue: jobs.queue, callbacks: jobs.callbacks, resolveHost: resolveHostAddresses, timeoutMs: config.AUDO_EQ_REDIS_TIMEOUT_MS } : null,
  });
  logger.info('audo-eq configured', {
    storage: storage ? storage.backend : 'disabled',
    persistence_mode: persistence.mode,
    persistence_guarantee: persistence.guarantee,
    queue: queue ? `${queue.backend}:${queue.name}` : 'none',
    deferred_worker: worker ? 'in-process' : queue ? 'external' : 'none',
    jobs: jobs ? `${jobs.queue.backend}:${jobs.queue.name}` : 'disabled (no storage)',
    job_worker: jobs?.worker ? 'in-process' : jobs ? 'external' : 'none',
    api_keys_configured: config.AUDO_EQ_API_KEYS.length,
    artifact_retention_days: config.AUDO_EQ_ARTIFACT_RETENTION_DAYS ?? 'forever',
    cors_origins: config.AUDO_EQ_CORS_ORIGINS,
    workers: runner.concurrency ?? 1,
    max_pending: config.AUDO_EQ_MAX_PENDING,
  });
  return {
    config,
    handler,
    logger,
    runner,
    async close() {
      // Running jobs finish first (bounded), while the runner they use is still up.
      await jobs?.close({ timeoutMs: config.AUDO_EQ_SHUTDOWN_TIMEOUT_MS });
      await runner.close?.();
      await worker?.stop({ drainTimeoutMs: MEMORY_DRAIN_TIMEOUT_MS });
      await queue?.close();
      await retention?.stop();
      storage?.destroy?.();
      await logger.flush();
    },
  };
}
