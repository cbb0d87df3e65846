/**
 * One mastering job from encoded uploads to an encoded WAV: decode both files
 * under the ingest policy, master, encode. Every runner runs exactly this
 * function — the in-process runner on the calling thread, the worker pools
 * inside their workers — so a job gives the same bytes, diagnostics and
 * events wherever it runs.
 */
import { foldToStereo } from '../audio/channels.ts';
import type { DecodedAudio } from '../audio/pcm.ts';
import { encodeWav } from '../audio/wav-encode.ts';
import { createRecordingPublisher, type DomainEvent, type EventPublisher } from '../domain/events.ts';
import { DEFAULT_INGEST_POLICY, DEFAULT_NORMALIZATION_POLICY, POLICY_VERSION, type IngestPolicy } from '../domain/policies.ts';
import { analyzeTrack, type TrackAnalysis } from '../mastering/analysis.ts';
import { createStageTimer } from '../mastering/stage-timer.ts';
import { master } from '../mastering/master.ts';
import type { TapHost } from '../mastering/tap-host.ts';
import type { CurveStoreFactory } from '../mastering/convergence.ts';
import { decodeUpload, ingestSummary } from './decode-upload.ts';
import { analyzeReferenceUploads, type AnalyzedReference, type ReferenceAnalyzer } from './reference-analysis.ts';
import type { JobStage } from './jobs/job-record.ts';
import type { AppliedPolicies, Clock, MasteringJob, MasteringJobResult, MasteringUploadFile } from './ports.ts';

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
  /**
   * Decodes and analyses the references somewhere else (another thread)
   * while the target is decoded and analysed here; default: here, first.
   */
  readonly referenceAnalyzer?: ReferenceAnalyzer;
  /** Where the render's taps run beside its stages (another thread); default here. */
  readonly tapHost?: TapHost;
  /**
   * Where the render keeps the limiter's curve, asked once the references are
   * analysed (a core is free from then on) for a render at the target's own
   * rate and length (not for a preview or another output rate); undefined:
   * the render's default. A Node pool worker with a core to spare gives
   * memory its tap thread pages in meanwhile (runtimes/node/warm-curve.ts).
   */
  readonly curveStoreFor?: (shape: { readonly sampleRateHz: number; readonly length: number }) => CurveStoreFactory | undefined;
  /**
   * The job's upload arrays are this run's own (a worker's copies): each is
   * released once decoded (its buffer detached), so a long upload's bytes do
   * not stay beside its decoded samples for the rest of the job. Arrays that
   * are views into a larger buffer, and a buffer two uploads share (the same
   * array sent as target and reference), are left alone.
   */
  readonly releaseUploads?: boolean;
}

/**
 * The buffers behind exactly one of `uploads`: only those may be released or
 * given away once that upload is done with (an embedder may send one array
 * as both target and reference, and a worker then receives one buffer).
 */
function buffersOfOneUpload(uploads: readonly MasteringUploadFile[]): Set<ArrayBufferLike> {
  const uses = new Map<ArrayBufferLike, number>();
  for (const { bytes } of uploads) uses.set(bytes.buffer, (uses.get(bytes.buffer) ?? 0) + 1);
  return new Set([...uses].filter(([, count]) => count === 1).map(([buffer]) => buffer));
}

/**
 * Detaches the buffer `bytes` spans, when it spans the whole of it, so its
 * memory can go at once; anything else (a view into a larger buffer, a
 * shared one) is left as it is.
 *
 * @example releaseUpload(job.target.bytes); job.target.bytes.byteLength // 0
 */
export function releaseUpload(bytes: Uint8Array): void {
  const { buffer } = bytes;
  if (!(buffer instanceof ArrayBuffer) || bytes.byteOffset !== 0 || bytes.byteLength !== buffer.byteLength || buffer.byteLength === 0) return;
  structuredClone(buffer, { transfer: [buffer] });
}

/**
 * The references of a job as a list, whichever shape it was given in.
 *
 * @example referenceList({ reference: { bytes } }).length // 1
 */
export function referenceList(job: Pick<MasteringJob, 'reference'>): readonly MasteringUploadFile[] {
  return Array.isArray(job.reference) ? (job.reference as readonly MasteringUploadFile[]) : [job.reference as MasteringUploadFile];
}

/** The clock a job uses unless it is given one. */
export const systemClock: Clock = { now: () => new Date() };

/**
 * `IngestValidated` for a job's files: the policy, the target's summary and
 * one summary per reference, in the shape the job was given (one, or a list
 * in the order sent).
 */
export function ingestValidated(
  correlationId: string,
  clock: Clock,
  policy: IngestPolicy,
  targetSummary: Record<string, unknown>,
  references: readonly AnalyzedReference[],
  listed: boolean,
): DomainEvent {
  const summaries = references.map((reference) => reference.summary);
  return {
    name: 'IngestValidated',
    correlationId,
    occurredAt: clock.now().toISOString(),
    payload: { policy_id: policy.id, policy_version: policy.version, target: targetSummary, reference: listed ? summaries : summaries[0] },
  };
}

/** The policies a job ran under, as its result reports them. */
export function appliedPolicies(policy: IngestPolicy): AppliedPolicies {
  return { policyVersion: POLICY_VERSION, ingestPolicyId: policy.id, normalizationPolicyId: DEFAULT_NORMALIZATION_POLICY.id };
}

/** The stage a pipeline event opens: the reference analysed means deciding comes next, and so on. */
function stageAfter(event: DomainEvent): JobStage | null {
  if (event.name === 'TrackAnalyzed') return event.payload.role === 'reference' ? 'decision' : null;
  if (event.name === 'MasteringDecided') return 'render';
  if (event.name === 'MasteringRendered') return 'encode';
  return null;
}

/** Records every event and reports the stage each one opens, once (every reference analysed opens `decision`). */
export function stageReporting(recorder: EventPublisher, onStage: (stage: JobStage) => void): EventPublisher {
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
  // This thread's stages around master()'s; they open its stage_ms, so the diagnostics time every stage.
  const { stageMs, lap } = createStageTimer();
  onStage('decode');
  // Sizes first: a worker may hand the upload buffers to the decoder in place.
  const targetBytes = job.target.bytes.byteLength;
  const uploads = referenceList(job);
  const analyzer = settings.referenceAnalyzer;
  const releasable = settings.releaseUploads ? buffersOfOneUpload([job.target, ...uploads]) : new Set<ArrayBufferLike>();
  const release = (upload: MasteringUploadFile) => {
    if (releasable.has(upload.bytes.buffer)) releaseUpload(upload.bytes);
  };
  // On the calling thread the references come first, one at a time, so no two
  // decoded tracks ever occupy memory together. A runtime that analyses them
  // elsewhere does so while this thread decodes and analyses the target.
  // A worker's own copies of the uploads are the analyzer's to move (released once analysed anyway).
  const owned = uploads.every((upload) => releasable.has(upload.bytes.buffer));
  const referencesPending = analyzer ? analyzer(uploads, ingestPolicy, { owned }) : null;
  referencesPending?.catch(() => undefined);
  const analyzedReferences = referencesPending ? null : await analyzeReferenceUploads(uploads, ingestPolicy);
  if (analyzedReferences) for (const upload of uploads) release(upload);
  // Decoding and analysing the references here, before the target.
  if (analyzedReferences) lap('reference_ms');
  let targetSummary: Record<string, unknown>;
  let target: DecodedAudio;
  let targetAnalysis: TrackAnalysis | undefined;
  try {
    // Where the tap host can measure a track in shared memory, the target is decoded there (`TapHost.measureShared`).
    const source = await decodeUpload('target', job.target, ingestPolicy, { sharedMemory: settings.tapHost?.measureShared !== undefined });
    release(job.target);
    targetSummary = ingestSummary(source, targetBytes);
    // Only the output is stereo: a surround target is processed as its stereo fold.
    target = foldToStereo(source);
    lap('target_decode_ms');
    onStage('analysis');
    const resampled = job.options.outputSampleRateHz !== undefined && job.options.outputSampleRateHz !== target.sampleRateHz;
    if (referencesPending && !resampled) {
      targetAnalysis = analyzeTrack(target);
      lap('target_analysis_ms');
    }
  } catch (error) {
    // A bad reference is reported before a bad target, wherever it was decoded.
    await referencesPending;
    throw error;
  }
  const references = analyzedReferences ?? (await referencesPending!);
  // Analysed elsewhere: whatever copy the analyzer needed is taken by now.
  if (!analyzedReferences) for (const upload of uploads) release(upload);
  // Analysed on another thread meanwhile: what is left to wait for once the target is done.
  if (!analyzedReferences) lap('reference_wait_ms');
  recorder.publish(ingestValidated(job.correlationId, clock, ingestPolicy, targetSummary, references, Array.isArray(job.reference)));
  const { bitDepth, ...masterOptions } = job.options;
  const events = settings.onStage ? stageReporting(recorder, onStage) : recorder;
  const atOwnRate = job.options.outputSampleRateHz === undefined || job.options.outputSampleRateHz === target.sampleRateHz;
  const curveStore =
    atOwnRate && job.options.preview !== true
      ? settings.curveStoreFor?.({ sampleRateHz: target.sampleRateHz, length: target.channels.length ? target.channels[0].length : 0 })
      : undefined;
  // The decoded target belongs to this job alone: process it in place rather than in a copy.
  const result = master(
    target,
    references.map((reference) => reference.analysis),
    { ...masterOptions, correlationId: job.correlationId, events, inPlace: true, targetAnalysis, tapHost: settings.tapHost, curveStore },
  );
  const encodeStart = performance.now();
  const wav = encodeWav(result.audio, { bitDepth });
  const encodeMs = Number((performance.now() - encodeStart).toFixed(1));
  const diagnostics = { ...result.diagnostics, stage_ms: { ...stageMs, ...result.diagnostics.stage_ms, encode_ms: encodeMs } };
  return {
    wav,
    policies: appliedPolicies(ingestPolicy),
    diagnostics,
    events: recorder.events,
  };
}
