/**
 * Every default limit in one place: the ingest policy's accepted audio, the
 * HTTP upload and admission bounds, and the shutdown bound. The config
 * schema's defaults (what `AUDO_EQ_*` fall back to), the HTTP app's defaults
 * when embedded without a config, the worker pools and the ingest policy all
 * read these values, so Node, Deno, Bun, the CLI and an embedding agree.
 */

const MIB = 1024 * 1024;

/**
 * The upload format the byte limit is sized for: the highest rate, bit depth
 * and channel count people send to be mastered (48 kHz, the delivery rate of
 * video and streaming; 24-bit; stereo). 96 kHz stereo fits half the duration,
 * 44.1 kHz about 65 minutes of the hour; 32-bit float 45 minutes.
 */
export const UPLOAD_SIZING_FORMAT = Object.freeze({ sampleRateHz: 48_000, bytesPerSample: 3, channels: 2 });

/** Room beside the PCM for the WAV header and metadata chunks (cover art, iXML, BWF). */
const CONTAINER_HEADROOM_BYTES = 8 * MIB;

/**
 * Largest upload the duration policy implies: `seconds` of 24-bit 48 kHz
 * stereo PCM plus 8 MiB of container headroom. For the default hour:
 * 3600 s × 48,000 Hz × 3 B × 2 ch = 1,036,800,000 B, + 8 MiB = 1,045,188,608 B (≈ 997 MiB).
 *
 * @example uploadBytesForDuration(3600) // 1045188608
 */
export function uploadBytesForDuration(seconds: number): number {
  const { sampleRateHz, bytesPerSample, channels } = UPLOAD_SIZING_FORMAT;
  return Math.ceil(seconds * sampleRateHz) * bytesPerSample * channels + CONTAINER_HEADROOM_BYTES;
}

/** Largest request the per-file limit implies: a target and a reference at the limit, plus 1 MiB of form around them. */
export function requestBytesForFileBytes(maxFileBytes: number): number {
  return 2 * maxFileBytes + MIB;
}

const MAX_DURATION_SECONDS = 3600;
const MAX_FILE_BYTES = uploadBytesForDuration(MAX_DURATION_SECONDS);

/** Default limits; each names its unit. */
export interface DefaultLimits {
  /** Longest accepted audio (`AUDO_EQ_MAX_DURATION_SECONDS`; ingest policy, the CLI's `--max-duration` default). */
  readonly maxDurationSeconds: number;
  /** Inclusive range of accepted sample rates. */
  readonly sampleRateHz: { readonly min: number; readonly max: number };
  /** Inclusive range of accepted channel counts (before any downmix). */
  readonly channels: { readonly min: number; readonly max: number };
  /**
   * Largest uploaded file (`AUDO_EQ_MAX_FILE_BYTES`): the duration limit at the
   * upload sizing format (`uploadBytesForDuration`). Local files read by the CLI have no byte limit.
   */
  readonly maxFileBytes: number;
  /** Largest request body (`AUDO_EQ_MAX_REQUEST_BYTES`): two files and the form around them. */
  readonly maxRequestBytes: number;
  /** Longest time an upload may take to arrive (`AUDO_EQ_REQUEST_TIMEOUT_MS`): 30 minutes is the largest request (about 2 GB) at about 1.2 MB/s (10 Mbit/s). */
  readonly requestTimeoutMs: number;
  /** Longest silence inside an upload (`AUDO_EQ_UPLOAD_IDLE_TIMEOUT_MS`): a stalled client. */
  readonly uploadIdleTimeoutMs: number;
  /**
   * Bytes of one uploaded file held in memory (`AUDO_EQ_UPLOAD_SPOOL_THRESHOLD_BYTES`);
   * beyond it the Node server spools the file to a temporary file while it
   * arrives (runtimes without a filesystem spool keep it in memory).
   */
  readonly uploadSpoolThresholdBytes: number;
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
  maxDurationSeconds: MAX_DURATION_SECONDS,
  sampleRateHz: Object.freeze({ min: 8000, max: 192000 }),
  channels: Object.freeze({ min: 1, max: 8 }),
  maxFileBytes: MAX_FILE_BYTES,
  maxRequestBytes: requestBytesForFileBytes(MAX_FILE_BYTES),
  requestTimeoutMs: 1_800_000,
  uploadIdleTimeoutMs: 30_000,
  uploadSpoolThresholdBytes: 64 * MIB,
  maxPending: 8,
  shutdownTimeoutMs: 25_000,
});

/**
 * Most references one mastering may be matched to (`reference` sent several
 * times, `-r` given several times): enough to describe a sound from a few
 * songs, few enough that their analyses stay a small part of the job.
 */
export const MAX_REFERENCES = 5;
