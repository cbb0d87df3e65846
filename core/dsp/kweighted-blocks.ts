/**
 * K-weighted, channel-weighted energy per {@link ENERGY_BLOCK} samples: the
 * loudness meter's own filtering, kept at a fine grain so loudness over any
 * window (a gating block, a short-term window, a prediction with a gain curve)
 * is a sum of blocks instead of another pass over the samples.
 */
import { defaultChannelWeights } from './channel-weights.ts';
import { kWeightedSquareSum, kWeightedSquareSumPair, K_WEIGHTING_STATE_SLOTS, packKWeighting } from './kweighted-energy.ts';
import { kWeightedBlockEnergyPairSimd } from './stereo-biquads-simd.ts';
import { designKWeighting } from './kweighting.ts';

/** Samples per energy block (and per control-rate limiter and gain-rider step). */
export const ENERGY_BLOCK = 16;

/**
 * Sum of squares of the K-weighted signal per {@link ENERGY_BLOCK} samples, channel-weighted (BS.1770).
 *
 * @example const energy = kWeightedBlockEnergy([left, right], 44100); // energy.length === Math.ceil(left.length / 16)
 */
export function kWeightedBlockEnergy(channels: readonly Float32Array[], sampleRateHz: number): Float64Array {
  const length = channels.length ? channels[0].length : 0;
  const blocks = Math.ceil(length / ENERGY_BLOCK);
  const energy = new Float64Array(blocks);
  const packed = packKWeighting(...designKWeighting(sampleRateHz));
  const weights = defaultChannelWeights(channels.length);
  const state = new Float64Array(2 * K_WEIGHTING_STATE_SLOTS);
  if (channels.length === 2) {
    const [left, right] = channels;
    if (kWeightedBlockEnergyPairSimd(left, right, weights[0], weights[1], ENERGY_BLOCK, packed, energy)) return energy;
    // Both recursions in one loop (the meter's pair kernel): the same sums, half the wall time.
    for (let b = 0; b < blocks; b++) {
      const start = b * ENERGY_BLOCK;
      const end = Math.min(length, start + ENERGY_BLOCK);
      energy[b] = kWeightedSquareSumPair(left, right, weights[0], weights[1], start, end, packed, state, 0, K_WEIGHTING_STATE_SLOTS);
    }
    return energy;
  }
  channels.forEach((samples, c) => {
    const weight = weights[c];
    if (weight === 0) return;
    state.fill(0);
    for (let b = 0; b < blocks; b++) {
      const start = b * ENERGY_BLOCK;
      energy[b] += weight * kWeightedSquareSum(samples, start, Math.min(length, start + ENERGY_BLOCK), packed, state, 0);
    }
  });
  return energy;
}

