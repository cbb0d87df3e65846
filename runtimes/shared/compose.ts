/**
 * The composition shared by every runtime: environment → validated config →
 * logger, storage, persistence policy → the fetch handler. Runtimes only add
 * their own server and signal handling around it.
 */
import { ConfigError, loadConfig, secretValues, type AppConfig } from '../../core/app/config.ts';
import { persistencePolicyProblem } from '../../core/app/persist-artifact.ts';
import type { AppLogger, ArtifactQueue, ArtifactStorage, MasteringRunner } from '../../core/app/ports.ts';
import { createHandler, createInProcessRunner, type FetchHandler } from '../../mod.ts';
import { createTslogLogger, resolveLogFormat } from '../../adapters/events/tslog.ts';
import { createFilesystemStorage } from '../../adapters/storage/filesystem.ts';

export interface Composition {
  readonly config: AppConfig;
  readonly handler: FetchHandler;
  readonly logger: ReturnType<typeof createTslogLogger>;
  /** The mastering runner the handler uses (a worker pool in the servers). */
  readonly runner: MasteringRunner;
  /** Stops the runner's workers, releases clients (S3 sockets) and flushes logs. Call it after in-flight requests are done. */
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
}

async function createStorage(config: AppConfig): Promise<(ArtifactStorage & { destroy?(): void }) | null> {
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

/** Deferred-persistence queues plug in here (memory / redis); none exists in this build yet. */
function createQueue(_config: AppConfig): ArtifactQueue | null {
  return null;
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
  const logger = createTslogLogger({
    format: resolveLogFormat(config.AUDO_EQ_LOG_FORMAT, options.isTty),
    level: config.AUDO_EQ_LOG_LEVEL,
    secretValues: secretValues(config),
  });
  const persistence = { mode: config.AUDO_EQ_ARTIFACT_PERSISTENCE_MODE, guarantee: config.AUDO_EQ_ARTIFACT_PERSISTENCE_GUARANTEE };
  const storage = await createStorage(config);
  const queue = createQueue(config);
  const problem = persistencePolicyProblem(persistence, storage, queue);
  if (problem) throw new ConfigError(`invalid configuration: AUDO_EQ_ARTIFACT_PERSISTENCE_MODE: ${problem}`);
  const runner: MasteringRunner & { close?(): Promise<void> } = options.createRunner?.({ config, logger }) ?? options.runner ?? createInProcessRunner();
  const handler = createHandler({
    runner,
    storage,
    queue,
    persistence,
    logger,
    limits: {
      maxFileBytes: config.AUDO_EQ_MAX_FILE_BYTES,
      maxRequestBytes: config.AUDO_EQ_MAX_REQUEST_BYTES,
      timeoutMs: config.AUDO_EQ_REQUEST_TIMEOUT_MS,
      idleTimeoutMs: config.AUDO_EQ_UPLOAD_IDLE_TIMEOUT_MS,
    },
    maxPending: config.AUDO_EQ_MAX_PENDING,
    apiKeys: config.AUDO_EQ_API_KEYS,
    corsOrigins: config.AUDO_EQ_CORS_ORIGINS,
    readyTimeoutMs: config.AUDO_EQ_S3_TIMEOUT_MS,
  });
  logger.info('audo-eq configured', {
    storage: storage ? storage.backend : 'disabled',
    persistence_mode: persistence.mode,
    persistence_guarantee: persistence.guarantee,
    api_keys: config.AUDO_EQ_API_KEYS.length > 0 ? 'required' : 'off',
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
      await runner.close?.();
      storage?.destroy?.();
      await logger.flush();
    },
  };
}
