/**
 * Decoding one uploaded file of a job under the ingest policy, and the
 * summary of it that `IngestValidated` carries. Shared by the job itself and
 * by reference analysis wherever it runs (the calling thread or another).
 */
import { decodeAudio } from '../audio/decode.ts';
import type { PcmSource } from '../audio/pcm-source.ts';
import { durationSeconds, type DecodedAudio, type DecodedFormat } from '../audio/pcm.ts';
import { IngestValidationError } from '../domain/errors.ts';
import type { IngestPolicy } from '../domain/policies.ts';
import type { MasteringUploadFile } from './ports.ts';

export type UploadPart = 'target' | 'reference';

/**
 * Decodes one upload with all its channels; an ingest error gains `part` so
 * the client knows which file failed (and `reference_index`, 1-based, when
 * there are several references: `options.referenceIndex`, 0-based). With
 * `options.sharedMemory` a WAV upload's channels lie in shared memory
 * (`DecodeOptions.sharedMemory`).
 *
 * @example const audio = await decodeUpload('target', { bytes, filename: 'mix.wav' }, DEFAULT_INGEST_POLICY);
 */
export async function decodeUpload(
  part: UploadPart,
  upload: MasteringUploadFile,
  policy: IngestPolicy,
  options: { readonly referenceIndex?: number; readonly sharedMemory?: boolean } = {},
): Promise<DecodedAudio> {
  const { referenceIndex, sharedMemory } = options;
  try {
    return await decodeAudio(upload.bytes, { filename: upload.filename, policy, keepChannels: true, sharedMemory });
  } catch (error) {
    throw naming(error, part, referenceIndex);
  }
}

/**
 * An ingest error with the file it is about (`part`, and `reference_index`,
 * 1-based, among several references); any other error as it is.
 */
export function naming(error: unknown, part: UploadPart, referenceIndex?: number): unknown {
  if (!(error instanceof IngestValidationError)) return error;
  const where = referenceIndex === undefined ? { part } : { part, reference_index: referenceIndex + 1 };
  return new IngestValidationError(error.code, error.message, { ...error.details, ...where }, { cause: error.cause });
}

/** What `IngestValidated` says about one decoded file. */
export function ingestSummary(audio: DecodedAudio, sizeBytes: number): Record<string, unknown> {
  return summaryOf(audio, audio.sampleRateHz, audio.channels.length, durationSeconds(audio), sizeBytes);
}

/** {@link ingestSummary} of a file read as a source (a long WAV read in blocks). */
export function sourceIngestSummary(source: PcmSource & DecodedFormat, sizeBytes: number): Record<string, unknown> {
  return summaryOf(source, source.sampleRateHz, source.channelCount, source.length / source.sampleRateHz, sizeBytes);
}

function summaryOf(format: DecodedFormat, sampleRateHz: number, channels: number, seconds: number, sizeBytes: number): Record<string, unknown> {
  return {
    container: format.container,
    codec: format.codec,
    bit_depth: format.bitDepth,
    sample_rate_hz: sampleRateHz,
    channels,
    duration_seconds: Number(seconds.toFixed(3)),
    size_bytes: sizeBytes,
  };
}
