/**
 * K-weighted, channel-weighted energy per {@link ENERGY_BLOCK} samples: the
 * loudness meter's own filtering, kept at a fine grain so loudness over any
 * window (a gating block, a short-term window, a prediction with a gain curve)
 * is a sum of blocks instead of another pass over the samples. Measured whole
 * or as the track streams by, with the same sums.
 */
import { defaultChannelWeights } from './channel-weights.ts';
import {
  flushTiny,
  kWeightedSquareSum,
  kWeightedSquareSumPair,
  K_WEIGHTING_STATE_SLOTS,
  packKWeighting,
} from './kweighted-energy.ts';
import { kWeightedBlockStretchSimd, K_WEIGHTED_STRETCH_MAX_FRAMES, stereoKWeightingSimdAvailable } from './stereo-biquads-simd.ts';
import { designKWeighting } from './kweighting.ts';
import { frameLength, type Frames, type StreamTap } from './stream-stage.ts';

/** Samples per energy block (and per control-rate limiter and gain-rider step). */
export const ENERGY_BLOCK = 16;

/**
 * Sum of squares of the K-weighted signal per {@link ENERGY_BLOCK} samples, channel-weighted (BS.1770).
 *
 * @example const energy = kWeightedBlockEnergy([left, right], 44100); // energy.length === Math.ceil(left.length / 16)
 */
export function kWeightedBlockEnergy(channels: readonly Float32Array[], sampleRateHz: number): Float64Array {
  const tap = kWeightedBlockEnergyTap(sampleRateHz, channels.length, frameLength(channels));
  tap.push(channels);
  return tap.result();
}

/**
 * {@link kWeightedBlockEnergy} of a track of `length` frames as it streams
 * by, in pushes of any size. Each channel's filter state and the sums of a
 * block cut by a push carry over to the next push, and tiny filter states are
 * flushed where the whole-track run flushes them, so the energies are the
 * whole-track ones exactly. Stereo runs both recursions in WebAssembly SIMD
 * over whole blocks where it can, else in one JavaScript loop.
 *
 * @example const tap = kWeightedBlockEnergyTap(44100, 2, length); tap.push(block); ...; const energy = tap.result();
 */
export function kWeightedBlockEnergyTap(sampleRateHz: number, channelCount: number, length: number): StreamTap<Float64Array> {
  const energy = new Float64Array(Math.ceil(length / ENERGY_BLOCK));
  const packed = packKWeighting(...designKWeighting(sampleRateHz));
  const weights = defaultChannelWeights(channelCount);
  const state = new Float64Array(Math.max(2, channelCount) * K_WEIGHTING_STATE_SLOTS);
  /** Per channel, the sum of squares of the block in progress. */
  const sums = new Float64Array(Math.max(2, channelCount));
  const stereo = channelCount === 2;
  /** Where the whole-track SIMD run ends its last whole block (and flushes). */
  const wholeBlocksEnd = length - (length % ENERGY_BLOCK);
  let position = 0;

  /** Continues the block in progress with frames[from..to) of the push (under a block: the speed of this loop does not matter). */
  const accumulate = (frames: Frames, from: number, to: number) => {
    frames.forEach((samples, c) => {
      if (weights[c] !== 0) sums[c] = kWeightedSquareSum(samples, from, to, packed, state, K_WEIGHTING_STATE_SLOTS * c, sums[c], false);
    });
  };
  /** The block in progress ended at `position`: its weighted energy, and the flush the whole run does there. */
  const closeBlock = (simd: boolean) => {
    let total = 0;
    if (stereo) total = weights[0] * sums[0] + weights[1] * sums[1];
    else for (let c = 0; c < channelCount; c++) if (weights[c] !== 0) total += weights[c] * sums[c];
    energy[Math.ceil(position / ENERGY_BLOCK) - 1] = total;
    sums.fill(0);
    // The SIMD run flushes after each of its chunks and after the last whole block; the scalar run after every block.
    if (!simd || position % K_WEIGHTED_STRETCH_MAX_FRAMES === 0 || position === wholeBlocksEnd) {
      for (let c = 0; c < channelCount; c++) flushTiny(state, K_WEIGHTING_STATE_SLOTS * c);
    }
  };
  /** Whole blocks frames[from..to) from a block boundary. */
  const wholeBlocks = (frames: Frames, from: number, to: number, simd: boolean) => {
    if (simd) {
      for (let start = from; start < to; ) {
        const absolute = position + start - from;
        const end = Math.min(to, start + K_WEIGHTED_STRETCH_MAX_FRAMES - (absolute % K_WEIGHTED_STRETCH_MAX_FRAMES));
        const absoluteEnd = absolute + end - start;
        const flush = absoluteEnd % K_WEIGHTED_STRETCH_MAX_FRAMES === 0 || absoluteEnd === wholeBlocksEnd;
        kWeightedBlockStretchSimd(frames[0], frames[1], start, end, weights[0], weights[1], ENERGY_BLOCK, packed, state, energy, absolute / ENERGY_BLOCK, flush);
        start = end;
      }
      return;
    }
    const first = position / ENERGY_BLOCK;
    if (stereo) {
      pairBlocks(frames[0], frames[1], from, to, weights[0], weights[1], packed, state, energy, first);
      return;
    }
    // Channel by channel, each block's energy summed over the channels in order (these blocks start at zero).
    for (let c = 0; c < channelCount; c++) {
      if (weights[c] !== 0) addChannelBlocks(frames[c], from, to, weights[c], packed, state, K_WEIGHTING_STATE_SLOTS * c, energy, first);
    }
  };

  return {
    push(frames) {
      const count = frameLength(frames);
      if (position + count > length) throw new RangeError(`the energy tap was told of ${length} frames and got ${position + count}`);
      const simd = stereo && stereoKWeightingSimdAvailable();
      let i = 0;
      while (i < count) {
        const open = position % ENERGY_BLOCK;
        const whole = open === 0 ? (count - i) - ((count - i) % ENERGY_BLOCK) : 0;
        if (whole > 0) {
          wholeBlocks(frames, i, i + whole, simd);
          i += whole;
          position += whole;
          continue;
        }
        // A block that began in an earlier push, or one this push only begins.
        const take = Math.min(count - i, ENERGY_BLOCK - open);
        accumulate(frames, i, i + take);
        i += take;
        position += take;
        if (position % ENERGY_BLOCK === 0 || position === length) closeBlock(simd);
      }
    },
    result() {
      if (position !== length) throw new RangeError(`the energy tap was told of ${length} frames and got ${position}`);
      return energy;
    },
  };
}

/** energy[first + k] += weight · Σ K-weighted² of block k of samples[from..to) (whole blocks). */
function addChannelBlocks(samples: Float32Array, from: number, to: number, weight: number, packed: Float64Array, state: Float64Array, offset: number, energy: Float64Array, first: number): void {
  for (let start = from, b = first; start < to; start += ENERGY_BLOCK, b++) {
    energy[b] += weight * kWeightedSquareSum(samples, start, start + ENERGY_BLOCK, packed, state, offset);
  }
}

/** energy[first + k] = weighted K-weighted energy of block k of a pair over [from, to) (whole blocks), both recursions in one loop. */
function pairBlocks(a: Float32Array, b: Float32Array, from: number, to: number, weightA: number, weightB: number, packed: Float64Array, state: Float64Array, energy: Float64Array, first: number): void {
  for (let start = from, block = first; start < to; start += ENERGY_BLOCK, block++) {
    energy[block] = kWeightedSquareSumPair(a, b, weightA, weightB, start, start + ENERGY_BLOCK, packed, state, 0, K_WEIGHTING_STATE_SLOTS);
  }
}
