/**
 * Where a render pass's measurements run. A pass's stages change the signal
 * and run in order on the render's thread; its taps only look at the signal,
 * so they can run at the same time on another thread (a {@link TapHost}) fed
 * copies of the blocks. A tap is named by plain data ({@link TapSpec}), so the
 * other thread builds the very same tap and, fed the same blocks, gives the
 * same result bit for bit.
 */
import { isMemoryTrackStore, type TrackStore } from '../audio/pcm-source.ts';
import { samplePeakBlockMaximaTap } from '../dsp/block-peaks.ts';
import { kWeightedBlockEnergyTap } from '../dsp/kweighted-blocks.ts';
import type { LoudnessResult } from '../dsp/loudness.ts';
import { loudnessTap } from '../dsp/loudness-tap.ts';
import type { SpectrumAnalysis } from '../dsp/spectrum.ts';
import { sideSpectrumTap, stereoWidthTap, type StereoWidth } from '../dsp/stereo-width.ts';
import type { StreamTap } from '../dsp/stream-stage.ts';
import { truePeakFilterFor } from '../dsp/truepeak-filter.ts';
import type { RiderPlan, RiderSettings } from './dynamics-match.ts';
import { riderPlanTap } from './rider-plan-tap.ts';
import type { GuardTally } from '../dsp/stereo-widener.ts';
import type { WidenerPart } from './split-widener-pass.ts';

/** The taps a render pass may run elsewhere, by what they measure. */
export type TapSpec =
  /** K-weighted energy per loudness-prediction block (`kWeightedBlockEnergyTap`). */
  | { readonly kind: 'kweighted-energy'; readonly sampleRateHz: number; readonly channelCount: number; readonly length: number }
  /** Linked sample-peak maxima per block (`samplePeakBlockMaximaTap`). */
  | { readonly kind: 'sample-peaks'; readonly length: number }
  /** Stereo width per band (`stereoWidthTap`; null unless two channels). */
  | { readonly kind: 'stereo-width'; readonly sampleRateHz: number; readonly channelCount: number; readonly length: number }
  /** The side half of the stereo width of a pair (`sideSpectrumTap`), to join with a mid spectrum taken elsewhere. */
  | { readonly kind: 'side-spectrum'; readonly sampleRateHz: number; readonly length: number }
  /** The meter the true-peak guard answers to: integrated, range, ffmpeg-grade true peak. */
  | { readonly kind: 'output-meter'; readonly sampleRateHz: number; readonly channelCount: number }
  /** The gain rider's plan, solved as soon as the last frame is in (`riderPlanTap`). */
  | { readonly kind: 'rider-plan'; readonly sampleRateHz: number; readonly channelCount: number; readonly length: number; readonly settings: RiderSettings };

export interface TapResults {
  readonly 'kweighted-energy': Float64Array;
  readonly 'sample-peaks': Float32Array;
  readonly 'stereo-width': StereoWidth | null;
  readonly 'side-spectrum': SpectrumAnalysis;
  readonly 'output-meter': LoudnessResult;
  readonly 'rider-plan': RiderPlan;
}

export type TapResult<S extends TapSpec> = TapResults[S['kind']];

/** Runs the taps a render opens on it; `result()` waits for a tap run elsewhere to finish. */
export interface TapHost {
  open<S extends TapSpec>(spec: S): StreamTap<TapResult<S>>;
  /**
   * Takes the tap `spec` names over a whole track whose channels lie in
   * shared memory ({@link sharedChannelsOf}), fed in blocks of `blockFrames`
   * as a pass would feed it (the same figures), in the background: after
   * what the host was given before, and only while nothing given after waits
   * (a tap opened later is answered first). The channels must stay as they
   * are until `result()` has returned. Absent where the host cannot reach
   * shared memory (on the render's own thread it could only measure at once).
   */
  measureShared?<S extends TapSpec>(spec: S, channels: readonly Float32Array[], blockFrames: number): MeasurementInBackground<TapResult<S>>;
  /**
   * Widens the part of a stereo track in shared memory from `part.from` on,
   * in place (`widenPartFrom`), after what the host was given before,
   * while the caller widens the part before it (`split-widener-pass.ts`).
   * `part.settle` lies in shared memory too. The host takes nothing else
   * until `result()` has returned. Absent where the host cannot reach shared
   * memory.
   */
  widenShared?(channels: readonly Float32Array[], part: WidenerPart): MeasurementInBackground<GuardTally>;
}

/** A measurement a {@link TapHost} takes in the background; `result()` waits for it to finish. */
export interface MeasurementInBackground<T> {
  result(): T;
}

/**
 * The channels of `store` when they lie in memory that another thread can
 * read (views of a `SharedArrayBuffer`), else null.
 *
 * @example const shared = sharedChannelsOf(store); if (shared && host.measureShared) host.measureShared(spec, shared, 65536);
 */
export function sharedChannelsOf(store: TrackStore): readonly Float32Array[] | null {
  if (typeof SharedArrayBuffer === 'undefined' || !isMemoryTrackStore(store)) return null;
  return store.channels.every((samples) => samples.buffer instanceof SharedArrayBuffer) ? store.channels : null;
}

/**
 * The tap `spec` names, here.
 *
 * @example const meter = createTap({ kind: 'output-meter', sampleRateHz: 44100, channelCount: 2 });
 */
export function createTap<S extends TapSpec>(spec: S): StreamTap<TapResult<S>> {
  return createTapOf(spec) as StreamTap<TapResult<S>>;
}

function createTapOf(spec: TapSpec): StreamTap<unknown> {
  switch (spec.kind) {
    case 'kweighted-energy':
      return kWeightedBlockEnergyTap(spec.sampleRateHz, spec.channelCount, spec.length);
    case 'sample-peaks':
      return samplePeakBlockMaximaTap(spec.length);
    case 'stereo-width':
      return stereoWidthTap(spec.sampleRateHz, spec.length, spec.channelCount);
    case 'side-spectrum':
      return sideSpectrumTap(spec.sampleRateHz, spec.length);
    case 'output-meter':
      // Fed whole 10 ms sub-blocks whatever the pass's block size, so the figures do not depend on it.
      return loudnessTap({
        sampleRateHz: spec.sampleRateHz,
        channelCount: spec.channelCount,
        capabilities: { integrated: true, loudnessRange: true, truePeak: true },
        truePeakFilter: truePeakFilterFor(spec.sampleRateHz, 'compliance'),
      });
    case 'rider-plan':
      return riderPlanTap(spec.sampleRateHz, spec.channelCount, spec.length, spec.settings);
    default:
      throw new RangeError(`no tap of kind ${(spec as { kind: unknown }).kind}`);
  }
}

/** Every tap on the render's own thread (the default; runtimes without threads). */
export const LOCAL_TAPS: TapHost = { open: createTap };

/**
 * Where a pass takes its taps: beside its stages on the render's tap host,
 * or here when the pass only measures (nothing else would run here meanwhile).
 *
 * @example const meter = tapsBeside(output, true).open({ kind: 'output-meter', sampleRateHz, channelCount });
 */
export function tapsBeside(output: { readonly tapHost?: TapHost }, passHasStages: boolean): TapHost {
  return passHasStages && output.tapHost ? output.tapHost : LOCAL_TAPS;
}

