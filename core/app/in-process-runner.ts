/**
 * The default `MasteringRunner`: decodes both uploads under the ingest policy,
 * masters in the calling thread and encodes the WAV. Fine for the CLI, tests
 * and small embeds; servers hand the same work to a worker pool.
 */
import { decodeAudio } from '../audio/decode.ts';
import { durationSeconds, type DecodedAudio } from '../audio/pcm.ts';
import { encodeWav } from '../audio/wav-encode.ts';
import { IngestValidationError } from '../domain/errors.ts';
import { createRecordingPublisher } from '../domain/events.ts';
import { DEFAULT_INGEST_POLICY, DEFAULT_NORMALIZATION_POLICY, POLICY_VERSION, type IngestPolicy } from '../domain/policies.ts';
import { master } from '../mastering/master.ts';
import type { Clock, MasteringJob, MasteringJobResult, MasteringRunner } from './ports.ts';

export interface InProcessRunnerOptions {
  /** Ingest limits; default `ingest-validation-default` v1. */
  readonly ingestPolicy?: IngestPolicy;
  /** Stamps `IngestValidated`; default the system clock. */
  readonly clock?: Clock;
}

type Part = 'target' | 'reference';

/** Decodes one upload; an ingest error gains `part` so the client knows which file failed. */
async function decodePart(part: Part, upload: MasteringJob['target'], policy: IngestPolicy): Promise<DecodedAudio> {
  try {
    return await decodeAudio(upload.bytes, { filename: upload.filename, policy });
  } catch (error) {
    if (error instanceof IngestValidationError) {
      throw new IngestValidationError(error.code, error.message, { ...error.details, part }, { cause: error.cause });
    }
    throw error;
  }
}

function ingestSummary(audio: DecodedAudio, upload: MasteringJob['target']): Record<string, unknown> {
  return {
    container: audio.container,
    codec: audio.codec,
    bit_depth: audio.bitDepth,
    sample_rate_hz: audio.sampleRateHz,
    channels: audio.channels.length,
    duration_seconds: Number(durationSeconds(audio).toFixed(3)),
    size_bytes: upload.bytes.byteLength,
  };
}

/**
 * Creates the in-process runner. Events come back in pipeline order:
 * `IngestValidated`, then what `master()` publishes (`TrackAnalyzed` ×2,
 * `MasteringDecided`, `MasteringRendered`).
 *
 * @example
 * const runner = createInProcessRunner();
 * const { wav, diagnostics, events } = await runner.run({ correlationId: 'c1', target, reference, options: DEFAULT_MASTERING_OPTIONS });
 */
export function createInProcessRunner(options: InProcessRunnerOptions = {}): MasteringRunner {
  const ingestPolicy = options.ingestPolicy ?? DEFAULT_INGEST_POLICY;
  const clock = options.clock ?? { now: () => new Date() };
  return {
    async run(job: MasteringJob): Promise<MasteringJobResult> {
      const recorder = createRecordingPublisher();
      const target = await decodePart('target', job.target, ingestPolicy);
      const reference = await decodePart('reference', job.reference, ingestPolicy);
      recorder.publish({
        name: 'IngestValidated',
        correlationId: job.correlationId,
        occurredAt: clock.now().toISOString(),
        payload: {
          policy_id: ingestPolicy.id,
          policy_version: ingestPolicy.version,
          target: ingestSummary(target, job.target),
          reference: ingestSummary(reference, job.reference),
        },
      });
      const { bitDepth, ...masterOptions } = job.options;
      const result = master(target, reference, { ...masterOptions, correlationId: job.correlationId, events: recorder });
      const wav = encodeWav(result.audio, { bitDepth });
      return {
        wav,
        policies: {
          policyVersion: POLICY_VERSION,
          ingestPolicyId: ingestPolicy.id,
          normalizationPolicyId: DEFAULT_NORMALIZATION_POLICY.id,
        },
        diagnostics: result.diagnostics as unknown as Record<string, unknown>,
        events: recorder.events,
      };
    },
  };
}
