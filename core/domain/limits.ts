/**
 * Every default limit in one place: the ingest policy's accepted audio, the
 * HTTP upload and admission bounds, and the shutdown bound. The config
 * schema's defaults (what `AUDO_EQ_*` fall back to), the HTTP app's defaults
 * when embedded without a config, the worker pools and the ingest policy all
 * read these values, so Node, Deno, Bun, the CLI and an embedding agree.
 */

const MIB = 1024 * 1024;

/** Default limits; each names its unit. */
export interface DefaultLimits {
  /** Longest accepted audio (ingest policy; the CLI's `--max-duration` default). */
  readonly maxDurationSeconds: number;
  /** Inclusive range of accepted sample rates. */
  readonly sampleRateHz: { readonly min: number; readonly max: number };
  /** Inclusive range of accepted channel counts (before any downmix). */
  readonly channels: { readonly min: number; readonly max: number };
  /** Largest uploaded file (`AUDO_EQ_MAX_FILE_BYTES`); local files read by the CLI have no byte limit. */
  readonly maxFileBytes: number;
  /** Largest request body (`AUDO_EQ_MAX_REQUEST_BYTES`): two files and the form around them. */
  readonly maxRequestBytes: number;
  /** Longest time an upload may take to arrive (`AUDO_EQ_REQUEST_TIMEOUT_MS`): 5 minutes is 201 MiB at about 0.7 MB/s. */
  readonly requestTimeoutMs: number;
  /** Longest silence inside an upload (`AUDO_EQ_UPLOAD_IDLE_TIMEOUT_MS`): a stalled client. */
  readonly uploadIdleTimeoutMs: number;
  /** Jobs that may wait beside the running ones before `503 overloaded` (`AUDO_EQ_MAX_PENDING`). */
  readonly maxPending: number;
  /** How long in-flight requests may take to finish after SIGTERM (`AUDO_EQ_SHUTDOWN_TIMEOUT_MS`). */
  readonly shutdownTimeoutMs: number;
}

/**
 * The defaults of this release.
 *
 * @example createHandler({ limits: { maxFileBytes: DEFAULT_LIMITS.maxFileBytes * 2, maxRequestBytes: DEFAULT_LIMITS.maxRequestBytes * 2 } });
 */
export const DEFAULT_LIMITS: DefaultLimits = Object.freeze({
  maxDurationSeconds: 3600,
  sampleRateHz: Object.freeze({ min: 8000, max: 192000 }),
  channels: Object.freeze({ min: 1, max: 8 }),
  maxFileBytes: 100 * MIB,
  maxRequestBytes: 201 * MIB,
  requestTimeoutMs: 300_000,
  uploadIdleTimeoutMs: 30_000,
  maxPending: 8,
  shutdownTimeoutMs: 25_000,
});

/**
 * Most references one mastering may be matched to (`reference` sent several
 * times, `-r` given several times): enough to describe a sound from a few
 * songs, few enough that their analyses stay a small part of the job.
 */
export const MAX_REFERENCES = 5;
