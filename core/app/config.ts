import { z } from 'zod';
import { DEFAULT_LIMITS, requestBytesForFileBytes, uploadBytesForDuration } from '../domain/limits.ts';
import { DEFAULT_INGEST_POLICY, type IngestPolicy } from '../domain/policies.ts';

/** Enum values in env are case-insensitive, like the query parameters. */
const lowerCase = (value: unknown) => (typeof value === 'string' ? value.trim().toLowerCase() : value);

const MIB = 1024 * 1024;

const port = z.coerce.number().int().min(0).max(65535);
const positiveInt = (max = Number.MAX_SAFE_INTEGER) => z.coerce.number().int().min(1).max(max);
const text = z.string().trim().min(1);
const bool = z.stringbool();
const oneOf = <const T extends readonly [string, ...string[]]>(values: T) => z.preprocess(lowerCase, z.enum(values));
/** Comma-separated list; blanks dropped, so `""` and `" , "` both mean "none". */
const list = z.preprocess(
  (value) => (typeof value === 'string' ? value.split(',').map((item) => item.trim()).filter(Boolean) : value),
  z.array(z.string()),
);

/**
 * The one configuration schema every runtime feeds from its environment
 * (SPEC section 8). Env names live only here. Additions beyond the spec:
 * `AUDO_EQ_MAX_DURATION_SECONDS` (duration limit of API and CLI),
 * `AUDO_EQ_MAX_FILE_BYTES` / `AUDO_EQ_MAX_REQUEST_BYTES` (upload limits, by
 * default following from the duration limit),
 * `AUDO_EQ_UPLOAD_SPOOL_THRESHOLD_BYTES` / `AUDO_EQ_UPLOAD_SPOOL_DIR` (large uploads go to disk),
 * `AUDO_EQ_S3_TIMEOUT_MS` / `AUDO_EQ_S3_MAX_ATTEMPTS` (how long a dead S3
 * endpoint may cost one request), `AUDO_EQ_REQUEST_TIMEOUT_MS` /
 * `AUDO_EQ_UPLOAD_IDLE_TIMEOUT_MS` (slow and stalled uploads),
 * `AUDO_EQ_SHUTDOWN_TIMEOUT_MS` (graceful shutdown bound), and the deferred
 * queue's tuning (`AUDO_EQ_DEFERRED_WORKER*`, `AUDO_EQ_QUEUE_*`,
 * `AUDO_EQ_REDIS_TIMEOUT_MS`).
 */
export const configSchema = z
  .object({
    API_HOST: text.default('0.0.0.0'),
    API_PORT: port.default(8000),
    /** Mastering workers (jobs running at once); unset means one per CPU (the runtime decides). */
    AUDO_EQ_WORKERS: positiveInt(256).optional(),
    /**
     * Masterings that may wait (uploading, or queued for a free worker) beside
     * the AUDO_EQ_WORKERS that run; the next one gets `503 overloaded` at once.
     */
    AUDO_EQ_MAX_PENDING: z.coerce.number().int().min(0).max(100_000).default(DEFAULT_LIMITS.maxPending),
    /** CPU nice value of mastering workers (Linux, per thread): above 0 the event loop is served first. */
    AUDO_EQ_WORKER_NICE: z.coerce.number().int().min(0).max(19).default(10),
    /** `off` runs every DSP and codec kernel in JavaScript instead of WebAssembly SIMD (comparison, diagnosis). */
    AUDO_EQ_SIMD: oneOf(['on', 'off']).default('on'),
    /** Longest time a `/master` upload may take to arrive in full. */
    AUDO_EQ_REQUEST_TIMEOUT_MS: positiveInt(86_400_000).default(DEFAULT_LIMITS.requestTimeoutMs),
    /** Longest silence in the middle of an upload before it counts as stalled. */
    AUDO_EQ_UPLOAD_IDLE_TIMEOUT_MS: positiveInt(86_400_000).default(DEFAULT_LIMITS.uploadIdleTimeoutMs),
    /** On SIGTERM/SIGINT, how long in-flight requests may take to finish before they are cut. */
    AUDO_EQ_SHUTDOWN_TIMEOUT_MS: positiveInt(3_600_000).default(DEFAULT_LIMITS.shutdownTimeoutMs),
    AUDO_EQ_LOG_LEVEL: oneOf(['debug', 'info', 'warn', 'error']).default('info'),
    /** `auto`: pretty on a TTY, JSON otherwise (containers). */
    AUDO_EQ_LOG_FORMAT: oneOf(['auto', 'json', 'pretty']).default('auto'),
    AUDO_EQ_STORAGE_ENABLED: bool.default(true),
    AUDO_EQ_STORAGE_BACKEND: oneOf(['filesystem', 's3']).default('filesystem'),
    AUDO_EQ_DATA_DIR: text.default('./data'),
    /** `host:port` (scheme from AUDO_EQ_S3_SECURE) or a full `http(s)://` URL. */
    AUDO_EQ_S3_ENDPOINT: text.default('minio:9000'),
    AUDO_EQ_S3_ACCESS_KEY: text.default('minioadmin'),
    AUDO_EQ_S3_SECRET_KEY: text.default('minioadmin'),
    AUDO_EQ_S3_BUCKET: z
      .string()
      .regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, 'must be a valid S3 bucket name')
      .default('audo-eq-mastered'),
    AUDO_EQ_S3_SECURE: bool.default(false),
    AUDO_EQ_S3_REGION: text.default('us-east-1'),
    /** Endpoint clients outside the compose network use; presigned URLs are signed for it. */
    AUDO_EQ_S3_PUBLIC_ENDPOINT: text.optional(),
    AUDO_EQ_S3_URL_TTL_SECONDS: positiveInt(604_800).default(3600),
    /** Whole-operation budget for one S3 store (bucket check + upload + presign). */
    AUDO_EQ_S3_TIMEOUT_MS: positiveInt(600_000).default(3000),
    AUDO_EQ_S3_MAX_ATTEMPTS: positiveInt(10).default(2),
    /** Longest a `/ready` check waits for each dependency (storage, queues) before it counts as unavailable. */
    AUDO_EQ_READY_TIMEOUT_MS: positiveInt(60_000).default(2000),
    /**
     * Days a mastered artifact is kept: the filesystem backend sweeps older ones
     * away (at start-up, then hourly), S3 gets a lifecycle rule on `mastered/`.
     * Unset: kept forever.
     */
    AUDO_EQ_ARTIFACT_RETENTION_DAYS: positiveInt(36_500).optional(),
    AUDO_EQ_ARTIFACT_PERSISTENCE_MODE: oneOf(['immediate', 'deferred']).default('immediate'),
    AUDO_EQ_ARTIFACT_PERSISTENCE_GUARANTEE: oneOf(['best-effort', 'guaranteed']).default('best-effort'),
    AUDO_EQ_QUEUE_BACKEND: oneOf(['memory', 'redis']).default('memory'),
    AUDO_EQ_REDIS_URL: z.url({ protocol: /^rediss?$/ }).default('redis://127.0.0.1:6379'),
    /** Connect and per-command budget for Redis: a dead Redis costs this long, not a hung request. */
    AUDO_EQ_REDIS_TIMEOUT_MS: positiveInt(60_000).default(2000),
    /** Run the deferred-persistence worker inside the API process (else run `npm run worker`). */
    AUDO_EQ_DEFERRED_WORKER: bool.default(true),
    /** Uploads one worker runs at once. */
    AUDO_EQ_DEFERRED_WORKER_CONCURRENCY: positiveInt(64).default(2),
    /** Queue name: `queue://<name>/<key>`; the BullMQ queue `<name>` (Redis keys `audo-eq:<name>:*`, dead letters its failed jobs). */
    AUDO_EQ_QUEUE_NAME: z
      .string()
      .regex(/^[A-Za-z0-9._-]{1,64}$/, 'must be 1-64 letters, digits, dots, dashes or underscores')
      .default('artifacts'),
    /** Most tasks the queue holds; a full queue answers `skipped` (best-effort) or 503 (guaranteed). */
    AUDO_EQ_QUEUE_CAPACITY: positiveInt(10_000_000).default(256),
    /** Most payload bytes the memory queue holds. */
    AUDO_EQ_QUEUE_MEMORY_MAX_BYTES: positiveInt().default(1024 * MIB),
    /** Silence after which a delivered task is given to another worker (its worker died). */
    AUDO_EQ_QUEUE_VISIBILITY_TIMEOUT_MS: positiveInt(86_400_000).default(60_000),
    /** Upload attempts per task before it goes to the dead-letter queue. */
    AUDO_EQ_QUEUE_MAX_ATTEMPTS: positiveInt(10_000).default(10),
    /** Retry delay after the first failed upload; doubles per attempt up to AUDO_EQ_QUEUE_RETRY_MAX_MS. */
    AUDO_EQ_QUEUE_RETRY_BASE_MS: positiveInt(3_600_000).default(1000),
    AUDO_EQ_QUEUE_RETRY_MAX_MS: positiveInt(3_600_000).default(30_000),
    /** Where asynchronous jobs (`/jobs`) queue: `memory` (this process) or `redis` (BullMQ, shared by API and worker processes). */
    AUDO_EQ_JOBS_BACKEND: oneOf(['memory', 'redis']).default('memory'),
    /** BullMQ queue name of mastering jobs (Redis keys `audo-eq:<name>:*`). */
    AUDO_EQ_JOBS_QUEUE_NAME: z
      .string()
      .regex(/^[A-Za-z0-9._-]{1,64}$/, 'must be 1-64 letters, digits, dots, dashes or underscores')
      .default('mastering-jobs'),
    /** Run a job worker inside the API process (else only `npm run worker` processes take jobs). */
    AUDO_EQ_JOBS_WORKER: bool.default(true),
    /** Jobs one worker process runs at once; unset: its mastering worker count (AUDO_EQ_WORKERS). */
    AUDO_EQ_JOBS_CONCURRENCY: positiveInt(256).optional(),
    /** Most jobs waiting to start; one more is `503 queue_full`. */
    AUDO_EQ_JOBS_CAPACITY: positiveInt(1_000_000).default(1000),
    /** Runs per job (a run its worker died in counts) before it ends `failed`. */
    AUDO_EQ_JOBS_MAX_ATTEMPTS: positiveInt(100).default(3),
    /** Delay before a failed run is tried again; doubles per attempt. */
    AUDO_EQ_JOBS_RETRY_BASE_MS: positiveInt(3_600_000).default(5000),
    /** Lock a worker holds on a running job (renewed at half of it); a dead worker's job is taken over after about this long. */
    AUDO_EQ_JOBS_LOCK_MS: z.coerce.number().int().min(1000).max(3_600_000).default(30_000),
    /** How long finished jobs stay readable (`GET /jobs/{id}`). */
    AUDO_EQ_JOBS_RETENTION_SECONDS: positiveInt(31_536_000).default(86_400),
    /** Seconds a succeeded job's result stays in storage after the job finished; 0: kept like any artifact (AUDO_EQ_ARTIFACT_RETENTION_DAYS). */
    AUDO_EQ_JOBS_RESULT_RETENTION_SECONDS: z.coerce.number().int().min(0).max(31_536_000).default(0),
    /** HMAC-SHA256 secret of job callbacks; without one, `callback_url` is refused. */
    AUDO_EQ_WEBHOOK_SECRET: text.optional(),
    /** Callback hosts or address ranges allowed although private/loopback/link-local (e.g. `hooks.internal,10.1.0.0/16`). */
    AUDO_EQ_WEBHOOK_ALLOWED_HOSTS: list.default([]),
    /** Delivery attempts per callback. */
    AUDO_EQ_WEBHOOK_MAX_ATTEMPTS: positiveInt(100).default(6),
    /** Delay after the first failed delivery; doubles per attempt up to AUDO_EQ_WEBHOOK_RETRY_MAX_MS. */
    AUDO_EQ_WEBHOOK_RETRY_BASE_MS: positiveInt(3_600_000).default(2000),
    AUDO_EQ_WEBHOOK_RETRY_MAX_MS: positiveInt(86_400_000).default(300_000),
    /** Time one delivery attempt may take. */
    AUDO_EQ_WEBHOOK_TIMEOUT_MS: positiveInt(600_000).default(10_000),
    /** Public base URL of the API (e.g. `https://master.example.com`), for absolute URLs in callback bodies. */
    AUDO_EQ_PUBLIC_URL: z.url({ protocol: /^https?$/ }).optional(),
    /** Comma-separated API keys; none means the API is open. */
    AUDO_EQ_API_KEYS: list.default([]),
    /** Comma-separated allowed origins (`*` for any); none means no CORS headers. */
    AUDO_EQ_CORS_ORIGINS: list.default([]),
    /** Longest accepted audio, in seconds: the API's ingest policy and the CLI's `--max-duration` default. */
    AUDO_EQ_MAX_DURATION_SECONDS: z.coerce.number().positive().max(86_400).default(DEFAULT_LIMITS.maxDurationSeconds),
    /** Largest accepted upload per file part; unset: what the duration limit implies at 24-bit 48 kHz stereo (`uploadBytesForDuration`). */
    AUDO_EQ_MAX_FILE_BYTES: positiveInt().optional(),
    /** Largest accepted request body; unset: two full files plus 1 MiB of form overhead. */
    AUDO_EQ_MAX_REQUEST_BYTES: positiveInt().optional(),
    /** Bytes of one uploaded file held in memory; a larger one is spooled to a temporary file as it arrives (Node server). */
    AUDO_EQ_UPLOAD_SPOOL_THRESHOLD_BYTES: z.coerce.number().int().min(0).max(Number.MAX_SAFE_INTEGER).default(DEFAULT_LIMITS.uploadSpoolThresholdBytes),
    /** Directory of spooled uploads; unset: the system's temporary directory. */
    AUDO_EQ_UPLOAD_SPOOL_DIR: text.optional(),
    MINIO_API_PORT: port.default(9000),
    MINIO_CONSOLE_PORT: port.default(9001),
  })
  // The byte limits follow from the duration limit unless set.
  .transform((config) => {
    const maxFileBytes = config.AUDO_EQ_MAX_FILE_BYTES ?? uploadBytesForDuration(config.AUDO_EQ_MAX_DURATION_SECONDS);
    return {
      ...config,
      AUDO_EQ_MAX_FILE_BYTES: maxFileBytes,
      AUDO_EQ_MAX_REQUEST_BYTES: config.AUDO_EQ_MAX_REQUEST_BYTES ?? requestBytesForFileBytes(maxFileBytes),
    };
  })
  .superRefine((config, context) => {
    const guaranteed = config.AUDO_EQ_ARTIFACT_PERSISTENCE_GUARANTEE === 'guaranteed';
    if (guaranteed && !config.AUDO_EQ_STORAGE_ENABLED) {
      context.addIssue({
        code: 'custom',
        path: ['AUDO_EQ_ARTIFACT_PERSISTENCE_GUARANTEE'],
        message: 'guaranteed persistence needs AUDO_EQ_STORAGE_ENABLED=true (every request would fail with 503)',
      });
    }
    if (guaranteed && config.AUDO_EQ_ARTIFACT_PERSISTENCE_MODE === 'deferred' && config.AUDO_EQ_QUEUE_BACKEND !== 'redis') {
      context.addIssue({
        code: 'custom',
        path: ['AUDO_EQ_QUEUE_BACKEND'],
        message: 'deferred + guaranteed persistence needs a durable queue (AUDO_EQ_QUEUE_BACKEND=redis); memory is not durable',
      });
    }
    if (config.AUDO_EQ_ARTIFACT_PERSISTENCE_MODE === 'deferred' && config.AUDO_EQ_QUEUE_BACKEND === 'memory' && !config.AUDO_EQ_DEFERRED_WORKER) {
      context.addIssue({
        code: 'custom',
        path: ['AUDO_EQ_DEFERRED_WORKER'],
        message: 'the memory queue lives inside the API process, so only its in-process worker can drain it; keep AUDO_EQ_DEFERRED_WORKER=true or use AUDO_EQ_QUEUE_BACKEND=redis',
      });
    }
    if (config.AUDO_EQ_QUEUE_RETRY_BASE_MS > config.AUDO_EQ_QUEUE_RETRY_MAX_MS) {
      context.addIssue({ code: 'custom', path: ['AUDO_EQ_QUEUE_RETRY_BASE_MS'], message: 'must not exceed AUDO_EQ_QUEUE_RETRY_MAX_MS' });
    }
    // A task waiting for its retry, or being uploaded, must not look abandoned to the other workers.
    // Checked only where a queue is in use (deferred mode, or a Redis worker).
    const queueInUse = config.AUDO_EQ_ARTIFACT_PERSISTENCE_MODE === 'deferred' || config.AUDO_EQ_QUEUE_BACKEND === 'redis';
    const longestHoldMs = Math.max(config.AUDO_EQ_QUEUE_RETRY_MAX_MS, config.AUDO_EQ_STORAGE_BACKEND === 's3' ? config.AUDO_EQ_S3_TIMEOUT_MS : 0);
    if (queueInUse && config.AUDO_EQ_QUEUE_VISIBILITY_TIMEOUT_MS <= longestHoldMs) {
      context.addIssue({
        code: 'custom',
        path: ['AUDO_EQ_QUEUE_VISIBILITY_TIMEOUT_MS'],
        message: 'must exceed AUDO_EQ_QUEUE_RETRY_MAX_MS (and AUDO_EQ_S3_TIMEOUT_MS with S3 storage), or other workers would take over tasks still being retried or uploaded',
      });
    }
    // Both are BullMQ queues under the same key prefix: one name would mix artifacts with mastering jobs.
    if ([config.AUDO_EQ_JOBS_QUEUE_NAME, `${config.AUDO_EQ_JOBS_QUEUE_NAME}-callbacks`, `${config.AUDO_EQ_JOBS_QUEUE_NAME}-expiry`].includes(config.AUDO_EQ_QUEUE_NAME)) {
      context.addIssue({ code: 'custom', path: ['AUDO_EQ_QUEUE_NAME'], message: 'must differ from AUDO_EQ_JOBS_QUEUE_NAME and its helper queues (<name>-callbacks, <name>-expiry): all are BullMQ queues in the same Redis' });
    }
    if (config.AUDO_EQ_JOBS_BACKEND === 'memory' && !config.AUDO_EQ_JOBS_WORKER) {
      context.addIssue({
        code: 'custom',
        path: ['AUDO_EQ_JOBS_WORKER'],
        message: 'the memory job queue lives inside the API process, so only its in-process worker can run its jobs; keep AUDO_EQ_JOBS_WORKER=true or use AUDO_EQ_JOBS_BACKEND=redis',
      });
    }
    if (config.AUDO_EQ_WEBHOOK_RETRY_BASE_MS > config.AUDO_EQ_WEBHOOK_RETRY_MAX_MS) {
      context.addIssue({ code: 'custom', path: ['AUDO_EQ_WEBHOOK_RETRY_BASE_MS'], message: 'must not exceed AUDO_EQ_WEBHOOK_RETRY_MAX_MS' });
    }
    if (config.AUDO_EQ_MAX_FILE_BYTES > config.AUDO_EQ_MAX_REQUEST_BYTES) {
      context.addIssue({
        code: 'custom',
        path: ['AUDO_EQ_MAX_FILE_BYTES'],
        message: 'must not exceed AUDO_EQ_MAX_REQUEST_BYTES',
      });
    }
  });

export type AppConfig = z.infer<typeof configSchema>;

/** What a storage failure asks an operator to check (core/app/storage-failure.ts). */
export type StorageSetting = 'endpoint' | 'timeout' | 'tls' | 'credentials' | 'permissions' | 'bucket' | 'region' | 'data_dir';

/** The variables behind each storage setting, per backend: failure messages name them. */
export const STORAGE_SETTING_ENV: Readonly<Record<'s3' | 'filesystem', Readonly<Record<StorageSetting, readonly string[]>>>> = {
  s3: {
    endpoint: ['AUDO_EQ_S3_ENDPOINT'],
    timeout: ['AUDO_EQ_S3_ENDPOINT', 'AUDO_EQ_S3_TIMEOUT_MS'],
    tls: ['AUDO_EQ_S3_SECURE', 'AUDO_EQ_S3_ENDPOINT'],
    credentials: ['AUDO_EQ_S3_ACCESS_KEY', 'AUDO_EQ_S3_SECRET_KEY'],
    permissions: ['AUDO_EQ_S3_BUCKET', 'AUDO_EQ_S3_ACCESS_KEY'],
    bucket: ['AUDO_EQ_S3_BUCKET'],
    region: ['AUDO_EQ_S3_REGION', 'AUDO_EQ_S3_ENDPOINT'],
    data_dir: ['AUDO_EQ_S3_BUCKET'],
  },
  filesystem: {
    endpoint: ['AUDO_EQ_DATA_DIR'],
    timeout: ['AUDO_EQ_DATA_DIR'],
    tls: ['AUDO_EQ_DATA_DIR'],
    credentials: ['AUDO_EQ_DATA_DIR'],
    permissions: ['AUDO_EQ_DATA_DIR'],
    bucket: ['AUDO_EQ_DATA_DIR'],
    region: ['AUDO_EQ_DATA_DIR'],
    data_dir: ['AUDO_EQ_DATA_DIR'],
  },
};

/** Env names that hold secrets: their values never reach a log line. */
export const SECRET_CONFIG_KEYS = ['AUDO_EQ_S3_SECRET_KEY', 'AUDO_EQ_API_KEYS', 'AUDO_EQ_WEBHOOK_SECRET'] as const;

/** Thrown when the environment holds a bad value; its message is one line naming the variable. */
export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

/**
 * Validates an environment map. The error names the first bad variable and
 * never echoes its value (it may be a secret).
 *
 * @example const config = loadConfig({ API_PORT: '8080' }); // config.API_PORT === 8080
 */
export function loadConfig(env: Record<string, string | undefined>): AppConfig {
  // Empty strings mean "unset" (zod would coerce '' to 0 or false and skip the default).
  const present = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== undefined && value.trim() !== ''));
  const result = configSchema.safeParse(present);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const variable = issue.path.join('.') || 'environment';
  const message = issue.message.replace(/\s+/g, ' ');
  throw new ConfigError(`invalid configuration: ${variable}: ${message}`);
}

/** The secret values of a configuration, for log redaction. */
export function secretValues(config: AppConfig): string[] {
  return [config.AUDO_EQ_S3_SECRET_KEY, ...config.AUDO_EQ_API_KEYS, config.AUDO_EQ_WEBHOOK_SECRET ?? ''].filter((value) => value.length >= 4);
}

/**
 * The ingest policy a configuration asks for: the default one with the
 * configured duration limit and upload byte limit. Every runtime hands it to
 * its worker pool, so the API refuses what the operator's limits refuse.
 *
 * @example createNodeWorkerPool({ ingestPolicy: ingestPolicyFromConfig(loadConfig(environment)) })
 */
export function ingestPolicyFromConfig(config: Pick<AppConfig, 'AUDO_EQ_MAX_DURATION_SECONDS' | 'AUDO_EQ_MAX_FILE_BYTES'>): IngestPolicy {
  return Object.freeze({ ...DEFAULT_INGEST_POLICY, maxDurationSeconds: config.AUDO_EQ_MAX_DURATION_SECONDS, maxFileBytes: config.AUDO_EQ_MAX_FILE_BYTES });
}
