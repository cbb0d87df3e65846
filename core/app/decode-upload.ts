/**
 * Decoding one uploaded file of a job under the ingest policy, and the
 * summary of it that `IngestValidated` carries. Shared by the job itself and
 * by reference analysis wherever it runs (the calling thread or another).
 */
import { decodeAudio } from '../audio/decode.ts';
import { durationSeconds, type DecodedAudio } from '../audio/pcm.ts';
import { IngestValidationError } from '../domain/errors.ts';
import type { IngestPolicy } from '../domain/policies.ts';
import type { MasteringUploadFile } from './ports.ts';

export type UploadPart = 'target' | 'reference';

/**
 * Decodes one upload with all its channels; an ingest error gains `part` so
 * the client knows which file failed (and `reference_index`, 1-based, when
 * there are several references).
 *
 * @example const audio = await decodeUpload('target', { bytes, filename: 'mix.wav' }, DEFAULT_INGEST_POLICY);
 */
export async function decodeUpload(part: UploadPart, upload: MasteringUploadFile, policy: IngestPolicy, referenceIndex?: number): Promise<DecodedAudio> {
  try {
    return await decodeAudio(upload.bytes, { filename: upload.filename, policy, keepChannels: true });
  } catch (error) {
    if (error instanceof IngestValidationError) {
      const where = referenceIndex === undefined ? { part } : { part, reference_index: referenceIndex + 1 };
      throw new IngestValidationError(error.code, error.message, { ...error.details, ...where }, { cause: error.cause });
    }
    throw error;
  }
}

/** What `IngestValidated` says about one decoded file. */
export function ingestSummary(audio: DecodedAudio, sizeBytes: number): Record<string, unknown> {
  return {
    container: audio.container,
    codec: audio.codec,
    bit_depth: audio.bitDepth,
    sample_rate_hz: audio.sampleRateHz,
    channels: audio.channels.length,
    duration_seconds: Number(durationSeconds(audio).toFixed(3)),
    size_bytes: sizeBytes,
  };
}
