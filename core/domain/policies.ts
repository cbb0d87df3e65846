/**
 * Versioned policies that decide what an upload may be (ingest) and what shape
 * audio takes before mastering (normalization). Their ids and version travel in
 * response headers (`X-Ingest-Policy-Id`, `X-Normalization-Policy-Id`,
 * `X-Policy-Version`), so a change of any limit must come with a new version.
 */

import { DEFAULT_LIMITS } from './limits.ts';

/** The version shared by every policy of this release (`X-Policy-Version`). */
export const POLICY_VERSION = 'v1';

/** Limits an uploaded file must meet before and after decoding (SPEC section 3). */
export interface IngestPolicy {
  readonly id: string;
  readonly version: string;
  /** Largest accepted upload, in bytes. */
  readonly maxFileBytes: number;
  /** The duration must be strictly greater than this. */
  readonly minDurationExclusiveSeconds: number;
  /** The duration may be at most this. */
  readonly maxDurationSeconds: number;
  /** Inclusive range of accepted sample rates. */
  readonly sampleRateHz: { readonly min: number; readonly max: number };
  /** Inclusive range of accepted channel counts (before downmix). */
  readonly channels: { readonly min: number; readonly max: number };
}

/** How decoded audio is brought to the canonical internal shape (SPEC section 3). */
export interface NormalizationPolicy {
  readonly id: string;
  readonly version: string;
}

/**
 * `ingest-validation-default` v1: ≤ 1,045,188,608 bytes (an hour of 24-bit
 * 48 kHz stereo plus 8 MiB, `uploadBytesForDuration`), duration in (0, 3600] s,
 * 8–192 kHz, 1–8 channels. A server's `AUDO_EQ_MAX_DURATION_SECONDS` and
 * `AUDO_EQ_MAX_FILE_BYTES` replace the two limits (`ingestPolicyFromConfig`).
 *
 * @example
 * await decodeAudio(bytes, { policy: { ...DEFAULT_INGEST_POLICY, maxDurationSeconds: 600 } });
 */
export const DEFAULT_INGEST_POLICY: IngestPolicy = Object.freeze({
  id: 'ingest-validation-default',
  version: POLICY_VERSION,
  maxFileBytes: DEFAULT_LIMITS.maxFileBytes,
  minDurationExclusiveSeconds: 0,
  maxDurationSeconds: DEFAULT_LIMITS.maxDurationSeconds,
  sampleRateHz: DEFAULT_LIMITS.sampleRateHz,
  channels: DEFAULT_LIMITS.channels,
});

/**
 * `pcm-canonical-default` v1: float PCM at the source's own sample rate, mono
 * stays mono, stereo stays stereo, 3–8 channels are downmixed to stereo,
 * non-finite samples are rejected.
 *
 * @example
 * headers.set('X-Normalization-Policy-Id', DEFAULT_NORMALIZATION_POLICY.id);
 */
export const DEFAULT_NORMALIZATION_POLICY: NormalizationPolicy = Object.freeze({
  id: 'pcm-canonical-default',
  version: POLICY_VERSION,
});
