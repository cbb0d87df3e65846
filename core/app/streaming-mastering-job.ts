/**
 * One mastering job whose target is read as it is needed and whose WAV is
 * written as it is produced: the target is copied block by block from its
 * source into the render's working copy (a store the caller provides: memory
 * for a short track, a temporary file for a long one), analysed from there,
 * mastered in passes over it, and each block of the master is encoded and
 * handed to the output as the last pass releases it. Memory is then set by
 * the block size and the analysis data, not by the track's duration. The
 * bytes, diagnostics and events equal {@link runMasteringJob}'s for the same
 * job; a preview or another output rate needs the whole track at once and
 * goes there instead.
 */
import type { PcmSource, TrackStore } from '../audio/pcm-source.ts';
import type { Frames } from '../dsp/stream-stage.ts';
import type { CurveStoreFactory } from '../mastering/convergence.ts';
import type { TapHost } from '../mastering/tap-host.ts';
import { createWavEncoder } from '../audio/wav-stream-encoder.ts';
import { createRecordingPublisher, type EventPublisher } from '../domain/events.ts';
import { DEFAULT_INGEST_POLICY, type IngestPolicy } from '../domain/policies.ts';
import { clippedRunsTap } from '../dsp/clipped-runs.ts';
import { trackAnalysisTap } from '../mastering/analysis.ts';
import { createStageTimer } from '../mastering/stage-timer.ts';
import { masterStore } from '../mastering/master.ts';
import type { MasteringRequestOptions } from '../mastering/options.ts';
import { RENDER_BLOCK_FRAMES } from '../mastering/render-pass.ts';
import { appliedPolicies, ingestValidated, stageReporting, systemClock, type MasteringJobSettings } from './mastering-job.ts';
import { naming } from './decode-upload.ts';
import type { AnalyzedReference } from './reference-analysis.ts';
import type { MasteringJobResult } from './ports.ts';

/** The target of a streamed job: its decoded samples as a source, and what `IngestValidated` says about its file. */
export interface StreamedTarget {
  /** Stereo or mono (a caller folds a surround file first). */
  readonly source: PcmSource;
  readonly summary: Record<string, unknown>;
}

/** The references of a streamed job, however they are read. */
export interface StreamedReferences {
  /** Whether the job named them as a list (`IngestValidated` keeps the shape it was given). */
  readonly listed: boolean;
  /** Analysed on another thread while the target is read here; otherwise here, before the target. */
  readonly elsewhere: boolean;
  readonly analyze: (policy: IngestPolicy) => Promise<AnalyzedReference[]>;
}

export interface StreamedMasteringJob {
  readonly correlationId: string;
  readonly target: StreamedTarget;
  readonly references: StreamedReferences;
  readonly options: MasteringRequestOptions;
}

export interface StreamedJobSettings extends Omit<MasteringJobSettings, 'referenceAnalyzer' | 'tapHost' | 'curveStoreFor'> {
  /** The render's working copy for a track of this shape (memory, or a temporary file). */
  readonly createStore: (shape: { readonly sampleRateHz: number; readonly channelCount: number; readonly length: number }) => TrackStore;
  /** Where the render may keep the limiter's gain curve (see `ConvergenceOutput.curveStore`); without it the last pass limits again. */
  readonly createCurveStore?: CurveStoreFactory;
  /**
   * Where the render's taps run beside its stages (another thread, started
   * with the job), awaited once the target is read; null or absent: here.
   */
  readonly tapHost?: Promise<TapHost | null>;
  /**
   * Takes the encoded WAV in order: the header, then each block as it is
   * encoded. The bytes are valid only during the call (one buffer serves
   * every block): write or copy them before returning.
   */
  readonly output: (bytes: Uint8Array) => void;
}

/** Whether a job with these options can be streamed (a preview or a resampled master needs the whole track). */
export function canStreamJob(options: MasteringRequestOptions, targetSampleRateHz: number): boolean {
  return options.preview !== true && (options.outputSampleRateHz === undefined || options.outputSampleRateHz === targetSampleRateHz);
}

/**
 * Runs one streamed job (see the module comment); the WAV goes to
 * `settings.output`, everything else comes back as {@link runMasteringJob}
 * returns it.
 *
 * @example const { diagnostics } = await runStreamedMasteringJob(job, { createStore, output: (bytes) => writeSync(fd, bytes) });
 */
export async function runStreamedMasteringJob(job: StreamedMasteringJob, settings: StreamedJobSettings): Promise<Omit<MasteringJobResult, 'wav'>> {
  const ingestPolicy = settings.ingestPolicy ?? DEFAULT_INGEST_POLICY;
  const clock = settings.clock ?? systemClock;
  const recorder = createRecordingPublisher();
  const onStage = settings.onStage ?? (() => {});
  const { stageMs, lap, lapInterleaved } = createStageTimer();
  onStage('decode');
  const { references: given } = job;
  const referencesPending = given.elsewhere ? given.analyze(ingestPolicy) : null;
  referencesPending?.catch(() => undefined);
  const analyzedReferences = referencesPending ? null : await given.analyze(ingestPolicy);
  if (analyzedReferences) lap('reference_ms');

  const { source } = job.target;
  const store = settings.createStore({ sampleRateHz: source.sampleRateHz, channelCount: source.channelCount, length: source.length });
  try {
    let clipping;
    let analysis;
    try {
      // Read once: each block is copied into the store and analysed on the way
      // (clipping is judged on the target as it came in); decoding and
      // analysing are one stage to a caller watching stages, two in stage_ms.
      onStage('analysis');
      const clipped = clippedRunsTap(source.channelCount);
      const analyzing = trackAnalysisTap(source.sampleRateHz, source.channelCount, source.length);
      let analysisMs = 0;
      for (let start = 0; start < source.length; start += RENDER_BLOCK_FRAMES) {
        const frames = source.read(start, RENDER_BLOCK_FRAMES);
        clipped.push(frames);
        store.write(start, frames);
        const measuring = performance.now();
        analyzing.push(frames);
        analysisMs += performance.now() - measuring;
      }
      clipping = clipped.result();
      const measuring = performance.now();
      analysis = analyzing.result();
      analysisMs += performance.now() - measuring;
      lapInterleaved('target_decode_ms', 'target_analysis_ms', analysisMs);
    } catch (error) {
      // A bad reference is reported before a bad target, wherever it was decoded.
      await referencesPending;
      throw naming(error, 'target');
    }
    const references = analyzedReferences ?? (await referencesPending!);
    if (!analyzedReferences) lap('reference_wait_ms');
    recorder.publish(ingestValidated(job.correlationId, clock, ingestPolicy, job.target.summary, references, given.listed));
    const { bitDepth, preview: _preview, outputSampleRateHz: _rate, ...masterOptions } = job.options;
    const events: EventPublisher = settings.onStage ? stageReporting(recorder, onStage) : recorder;
    const encoder = createWavEncoder({ sampleRateHz: store.sampleRateHz, channelCount: store.channelCount, frames: store.length, bitDepth });
    settings.output(encoder.header());
    // Encoding happens inside the last pass, block by block: its share of the time is counted there.
    let encodeMs = 0;
    // One buffer for every block's bytes (the output has used them when it returns):
    // a new array per block is fresh memory the system must map in again each time.
    let encoded = new Uint8Array(0);
    const encodeReusing = (frames: Frames): Uint8Array => {
      // At most 4 bytes a sample, and a pad byte after the last block.
      const needed = frames[0].length * store.channelCount * 4 + 1;
      if (encoded.length < needed) encoded = new Uint8Array(needed);
      return encoded.subarray(0, encoder.encodeInto(frames, encoded, 0));
    };
    const tapHost = (await settings.tapHost) ?? undefined;
    const { diagnostics } = masterStore(
      { store, analysis, clipping },
      references.map((reference) => reference.analysis),
      {
        ...masterOptions,
        correlationId: job.correlationId,
        events,
        curveStore: settings.createCurveStore,
        tapHost,
        sink: (frames) => {
          const start = performance.now();
          const bytes = encodeReusing(frames);
          encodeMs += performance.now() - start;
          settings.output(bytes);
        },
      },
    );
    // Every announced frame was encoded, or the output is not a WAV file to keep.
    encoder.finish();
    return {
      policies: appliedPolicies(ingestPolicy),
      diagnostics: { ...diagnostics, stage_ms: { ...stageMs, ...diagnostics.stage_ms, encode_ms: Number(encodeMs.toFixed(1)) } },
      events: recorder.events,
    };
  } finally {
    store.close();
  }
}
