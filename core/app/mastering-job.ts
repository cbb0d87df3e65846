/**
 * One mastering job from encoded uploads to an encoded WAV: decode both files
 * under the ingest policy, master, encode. Every runner runs exactly this
 * function — the in-process runner on the calling thread, the worker pools
 * inside their workers — so a job gives the same bytes, diagnostics and
 * events wherever it runs.
 */
import { foldToStereo } from '../audio/channels.ts';
import { decodeAudio } from '../audio/decode.ts';
import { durationSeconds, type DecodedAudio } from '../audio/pcm.ts';
import { encodeWav } from '../audio/wav-encode.ts';
import { IngestValidationError } from '../domain/errors.ts';
import { createRecordingPublisher, type DomainEvent, type EventPublisher } from '../domain/events.ts';
import { DEFAULT_INGEST_POLICY, DEFAULT_NORMALIZATION_POLICY, POLICY_VERSION, type IngestPolicy } from '../domain/policies.ts';
import { channelWeightsFor, measureLoudness } from '../dsp/loudness.ts';
import { analyzeTrack, type TrackAnalysis } from '../mastering/analysis.ts';
import { master } from '../mastering/master.ts';
import type { JobStage } from './jobs/job-record.ts';
import type { Clock, MasteringJob, MasteringJobResult, MasteringUploadFile } from './ports.ts';

export interface MasteringJobSettings {
  /** Ingest limits; default `ingest-validation-default` v1. */
  readonly ingestPolicy?: IngestPolicy;
  /** Stamps `IngestValidated`; default the system clock. */
  readonly clock?: Clock;
  /**
   * Called as the job enters each stage (`decode`, `analysis`, `decision`,
   * `render`, `encode`); whatever it throws stops the job there (how a
   * cancelled job stops at its next stage boundary).
   */
  readonly onStage?: (stage: JobStage) => void;
}

type Part = 'target' | 'reference';

/**
 * The references of a job as a list, whichever shape it was given in.
 *
 * @example referenceList({ reference: { bytes } }).length // 1
 */
export function referenceList(job: Pick<MasteringJob, 'reference'>): readonly MasteringUploadFile[] {
  return Array.isArray(job.reference) ? (job.reference as readonly MasteringUploadFile[]) : [job.reference as MasteringUploadFile];
}

const systemClock: Clock = { now: () => new Date() };

/** The stage a pipeline event opens: the reference analysed means deciding comes next, and so on. */
function stageAfter(event: DomainEvent): JobStage | null {
  if (event.name === 'TrackAnalyzed') return event.payload.role === 'reference' ? 'decision' : null;
  if (event.name === 'MasteringDecided') return 'render';
  if (event.name === 'MasteringRendered') return 'encode';
  return null;
}

/** Records every event and reports the stage each one opens, once (every reference analysed opens `decision`). */
function stageReporting(recorder: EventPublisher, onStage: (stage: JobStage) => void): EventPublisher {
  let current: JobStage | null = null;
  return {
    publish(event) {
      recorder.publish(event);
      const stage = stageAfter(event);
      if (stage && stage !== current) {
        current = stage;
        onStage(stage);
      }
    },
  };
}

/**
 * Decodes one upload with all its channels; an ingest error gains `part` so
 * the client knows which file failed (and `reference_index`, 1-based, when
 * there are several references).
 */
async function decodePart(part: Part, upload: MasteringUploadFile, policy: IngestPolicy, referenceIndex?: number): Promise<DecodedAudio> {
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

function ingestSummary(audio: DecodedAudio, sizeBytes: number): Record<string, unknown> {
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

/**
 * The reference's analysis: tone and dynamics of the stereo fold (what the
 * target's fold is compared with), loudness and true peak of its own channels
 * with BS.1770 weights, so a surround reference sets the goal it is
 * measured at (a 5.0 mix at −23 LUFS reads about −19.4 once folded).
 */
function analyzeReference(reference: DecodedAudio): TrackAnalysis {
  const analysis = analyzeTrack(foldToStereo(reference));
  if (reference.channels.length <= 2) return analysis;
  const weights = channelWeightsFor(reference.channels.length, reference.channelMask);
  const loudness = measureLoudness(reference, { integrated: true, loudnessRange: true, truePeak: true }, weights);
  return { ...analysis, integratedLufs: loudness.integratedLufs, loudnessRangeLu: loudness.loudnessRangeLu, truePeakDbtp: loudness.truePeakDbtp };
}

/**
 * Runs one job. Events come back in pipeline order: `IngestValidated`, then
 * what `master()` publishes (`TrackAnalyzed` ×2, `MasteringDecided`,
 * `MasteringRendered`); the caller publishes them. Rejects with
 * `IngestValidationError` (its `details.part` naming the file) for a bad
 * upload; anything else it throws is a bug.
 *
 * @example
 * const { wav, diagnostics, events } = await runMasteringJob(
 *   { correlationId: 'c1', target: { bytes: targetWav }, reference: { bytes: referenceWav }, options: DEFAULT_MASTERING_OPTIONS },
 * );
 */
export async function runMasteringJob(job: MasteringJob, settings: MasteringJobSettings = {}): Promise<MasteringJobResult> {
  const ingestPolicy = settings.ingestPolicy ?? DEFAULT_INGEST_POLICY;
  const clock = settings.clock ?? systemClock;
  const recorder = createRecordingPublisher();
  const onStage = settings.onStage ?? (() => {});
  onStage('decode');
  // Sizes first: a worker may hand the upload buffers to the decoder in place.
  const targetBytes = job.target.bytes.byteLength;
  const uploads = referenceList(job);
  const referenceBytes = uploads.map((upload) => upload.bytes.byteLength);
  // Each reference is decoded, summarised and analysed in turn, and only its
  // analysis is kept: its samples are released before the next file is
  // decoded, so no two decoded tracks ever occupy memory together.
  const referenceSummaries: Record<string, unknown>[] = [];
  const referenceAnalyses: TrackAnalysis[] = [];
  for (const [index, upload] of uploads.entries()) {
    const reference = await decodePart('reference', upload, ingestPolicy, uploads.length > 1 ? index : undefined);
    referenceSummaries.push(ingestSummary(reference, referenceBytes[index]));
    referenceAnalyses.push(analyzeReference(reference));
  }
  let targetSummary: Record<string, unknown>;
  let target: DecodedAudio;
  {
    const source = await decodePart('target', job.target, ingestPolicy);
    targetSummary = ingestSummary(source, targetBytes);
    // Only the output is stereo: a surround target is processed as its stereo fold.
    target = foldToStereo(source);
  }
  recorder.publish({
    name: 'IngestValidated',
    correlationId: job.correlationId,
    occurredAt: clock.now().toISOString(),
    payload: {
      policy_id: ingestPolicy.id,
      policy_version: ingestPolicy.version,
      target: targetSummary,
      // One summary per reference, in the shape the job was given (one, or a list in the order sent).
      reference: Array.isArray(job.reference) ? referenceSummaries : referenceSummaries[0],
    },
  });
  onStage('analysis');
  const { bitDepth, ...masterOptions } = job.options;
  const events = settings.onStage ? stageReporting(recorder, onStage) : recorder;
  // The decoded target belongs to this job alone: process it in place rather than in a copy.
  const result = master(target, referenceAnalyses, { ...masterOptions, correlationId: job.correlationId, events, inPlace: true });
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
}
