/**
 * The ingest policy's limits as checks that throw the exact error codes of
 * SPEC section 2. Decoders call them as soon as a header tells the stream's
 * shape, so a file outside the limits is refused before its samples are
 * decoded, and again on what was actually decoded.
 */
import { IngestValidationError } from '../domain/errors.ts';
import type { IngestPolicy } from '../domain/policies.ts';

/**
 * Refuses an empty upload (`empty_file`) or one over `maxFileBytes` (`file_too_large`).
 *
 * @example checkFileSize(DEFAULT_INGEST_POLICY, bytes.length);
 */
export function checkFileSize(policy: IngestPolicy, byteLength: number): void {
  if (byteLength === 0) throw new IngestValidationError('empty_file');
  if (byteLength > policy.maxFileBytes) {
    throw new IngestValidationError(
      'file_too_large',
      `The uploaded file is ${byteLength} bytes; the limit is ${policy.maxFileBytes} bytes.`,
      { max_bytes: policy.maxFileBytes },
    );
  }
}

/**
 * Refuses a channel count (`invalid_channel_count`) or sample rate
 * (`invalid_sample_rate`) outside the policy's inclusive ranges.
 *
 * @example checkStreamShape(DEFAULT_INGEST_POLICY, 2, 44100); // passes
 */
export function checkStreamShape(policy: IngestPolicy, channelCount: number, sampleRateHz: number): void {
  const { channels, sampleRateHz: rates } = policy;
  if (!Number.isInteger(channelCount) || channelCount < channels.min || channelCount > channels.max) {
    throw new IngestValidationError(
      'invalid_channel_count',
      `The file has ${channelCount} channels; ${channels.min} to ${channels.max} are supported.`,
      { channels: channelCount, min: channels.min, max: channels.max },
    );
  }
  if (!Number.isFinite(sampleRateHz) || sampleRateHz < rates.min || sampleRateHz > rates.max) {
    throw new IngestValidationError(
      'invalid_sample_rate',
      `The sample rate is ${sampleRateHz} Hz; ${rates.min} to ${rates.max} Hz are supported.`,
      { sample_rate_hz: sampleRateHz, min: rates.min, max: rates.max },
    );
  }
}

/**
 * Refuses a duration at or below `minDurationExclusiveSeconds` (`invalid_duration`)
 * or above `maxDurationSeconds` (`duration_too_long`).
 *
 * @example checkDuration(DEFAULT_INGEST_POLICY, 441000, 44100); // 10 s passes
 */
export function checkDuration(policy: IngestPolicy, frameCount: number, sampleRateHz: number): void {
  const seconds = frameCount / sampleRateHz;
  if (!(seconds > policy.minDurationExclusiveSeconds)) {
    throw new IngestValidationError('invalid_duration', 'The audio contains no samples.', { duration_seconds: seconds });
  }
  if (seconds > policy.maxDurationSeconds) {
    throw new IngestValidationError(
      'duration_too_long',
      `The audio lasts ${seconds.toFixed(1)} s; the limit is ${policy.maxDurationSeconds} s.`,
      { duration_seconds: seconds, max_seconds: policy.maxDurationSeconds },
    );
  }
}

/**
 * Largest frame count the policy allows at `sampleRateHz`; decoders stop reading past it.
 *
 * @example maxFramesAllowed(DEFAULT_INGEST_POLICY, 48000) // 172800000
 */
export function maxFramesAllowed(policy: IngestPolicy, sampleRateHz: number): number {
  return Math.floor(policy.maxDurationSeconds * sampleRateHz);
}
