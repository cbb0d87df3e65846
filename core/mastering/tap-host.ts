/**
 * Where a render pass's measurements run. A pass's stages change the signal
 * and run in order on the render's thread; its taps only look at the signal,
 * so they can run at the same time on another thread (a {@link TapHost}) fed
 * copies of the blocks. A tap is named by plain data ({@link TapSpec}), so the
 * other thread builds the very same tap and, fed the same blocks, gives the
 * same result bit for bit.
 */
import { samplePeakBlockMaximaTap } from '../dsp/block-peaks.ts';
import { kWeightedBlockEnergyTap } from '../dsp/kweighted-blocks.ts';
import type { LoudnessResult } from '../dsp/loudness.ts';
import { loudnessTap } from '../dsp/loudness-tap.ts';
import { stereoWidthTap, type StereoWidth } from '../dsp/stereo-width.ts';
import type { StreamTap } from '../dsp/stream-stage.ts';
import { truePeakFilterFor } from '../dsp/truepeak-filter.ts';
import type { RiderPlan, RiderSettings } from './dynamics-match.ts';
import { riderPlanTap } from './rider-plan-tap.ts';

/** The taps a render pass may run elsewhere, by what they measure. */
export type TapSpec =
  /** K-weighted energy per loudness-prediction block (`kWeightedBlockEnergyTap`). */
  | { readonly kind: 'kweighted-energy'; readonly sampleRateHz: number; readonly channelCount: number; readonly length: number }
  /** Linked sample-peak maxima per block (`samplePeakBlockMaximaTap`). */
  | { readonly kind: 'sample-peaks'; readonly length: number }
  /** Stereo width per band (`stereoWidthTap`; null unless two channels). */
  | { readonly kind: 'stereo-width'; readonly sampleRateHz: number; readonly channelCount: number; readonly length: number }
  /** The meter the true-peak guard answers to: integrated, range, ffmpeg-grade true peak. */
  | { readonly kind: 'output-meter'; readonly sampleRateHz: number; readonly channelCount: number }
  /** The gain rider's plan, solved as soon as the last frame is in (`riderPlanTap`). */
  | { readonly kind: 'rider-plan'; readonly sampleRateHz: number; readonly channelCount: number; readonly length: number; readonly settings: RiderSettings };

export interface TapResults {
  readonly 'kweighted-energy': Float64Array;
  readonly 'sample-peaks': Float32Array;
  readonly 'stereo-width': StereoWidth | null;
  readonly 'output-meter': LoudnessResult;
  readonly 'rider-plan': RiderPlan;
}

export type TapResult<S extends TapSpec> = TapResults[S['kind']];

/** Runs the taps a render opens on it; `result()` waits for a tap run elsewhere to finish. */
export interface TapHost {
  open<S extends TapSpec>(spec: S): StreamTap<TapResult<S>>;
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
