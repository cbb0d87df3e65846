/**
 * The gain rider's plan as a tap: the block statistics it plans on (K-weighted
 * energy and sample peaks) are taken as the signal streams by, and the plan is
 * solved the moment the last frame has arrived, not when the result is asked
 * for. On a tap thread that puts the planning beside whatever the render does
 * next: the probe's rider is planned while the probe's first passes run.
 */
import { samplePeakBlockMaximaTap } from '../dsp/block-peaks.ts';
import { kWeightedBlockEnergyTap } from '../dsp/kweighted-blocks.ts';
import { frameLength, type StreamTap } from '../dsp/stream-stage.ts';
import { planGainRider, type RiderPlan, type RiderSettings } from './dynamics-match.ts';

/**
 * The plan of a rider set by `settings` for a signal of `length` frames.
 *
 * @example const tap = riderPlanTap(44100, 2, length, settings); tap.push(block); ...; const plan = tap.result();
 */
export function riderPlanTap(sampleRateHz: number, channelCount: number, length: number, settings: RiderSettings): StreamTap<RiderPlan> {
  const energy = kWeightedBlockEnergyTap(sampleRateHz, channelCount, length);
  const peaks = samplePeakBlockMaximaTap(length);
  let received = 0;
  let plan: RiderPlan | null = null;
  const solve = () => planGainRider({ ...settings, energy: energy.result(), blockPeaks: peaks.result(), length, sampleRateHz });
  return {
    push(frames) {
      energy.push(frames);
      peaks.push(frames);
      received += frameLength(frames);
      if (received === length) plan = solve();
    },
    // A track of no frames gets no push; its statistics (and their errors for a short track) come here.
    result: () => (plan ??= solve()),
  };
}
