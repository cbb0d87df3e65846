/**
 * Width change of a stereo pair by mid/side: S = (L − R) / 2 is filtered by a
 * minimum-phase FIR whose gain follows a per-band curve (smooth crossovers,
 * see `sideGainDbAt`), M = (L + R) / 2 is left alone, so the mono mix — and
 * the tone matched on it — does not change. A correlation guard then holds
 * every 50 ms block where widening would make the side outweigh the mid
 * (L/R correlation below 0) back to what the target had there: the widener
 * never turns an in-phase passage out of phase.
 */
import { convolveChannelsInPlace, prepareFirKernel } from './fir-convolution.ts';
import { designMinimumPhaseFir } from './minimum-phase.ts';

export interface StereoWidenerSettings {
  readonly sampleRateHz: number;
  /** Side gain (dB) at a frequency. */
  readonly sideGainDbAt: (frequencyHz: number) => number;
  /** FIR length in seconds (resolution of the side curve). */
  readonly firSeconds: number;
}

export interface StereoWidenerReport {
  /** Share of guard blocks where the correlation guard held the widening back. */
  readonly guardedFraction: number;
}

export interface StereoWidener {
  /** Changes the width of a stereo pair in place. */
  process(channels: readonly Float32Array[]): StereoWidenerReport;
}

/** Largest side/mid power ratio the widening may produce in a block: −0.5 dB, correlation ≥ 0.03. */
const GUARD_SIDE_TO_MID = Math.pow(10, -0.5 / 10);
const GUARD_BLOCK_SECONDS = 0.05;

/**
 * @example createStereoWidener({ sampleRateHz: 44100, sideGainDbAt: (hz) => (hz > 200 ? 6 : 0), firSeconds: 0.093 }).process([left, right]);
 */
export function createStereoWidener(settings: StereoWidenerSettings): StereoWidener {
  const { sampleRateHz } = settings;
  const kernel = prepareFirKernel(designMinimumPhaseFir(settings.sideGainDbAt, sampleRateHz, Math.round(settings.firSeconds * sampleRateHz)));
  const guardBlock = Math.max(1, Math.round(GUARD_BLOCK_SECONDS * sampleRateHz));
  return {
    process(channels) {
      if (channels.length !== 2) return { guardedFraction: 0 };
      const [left, right] = channels;
      const length = left.length;
      const blocks = Math.ceil(length / guardBlock);
      // Mid into the left, side into the right; the side's energy before filtering, per block.
      const sideEnergyBefore = new Float64Array(blocks);
      for (let b = 0; b < blocks; b++) {
        let sum = 0;
        const end = Math.min(length, (b + 1) * guardBlock);
        for (let i = b * guardBlock; i < end; i++) {
          const mid = 0.5 * (left[i] + right[i]);
          const side = 0.5 * (left[i] - right[i]);
          left[i] = mid;
          right[i] = side;
          sum += side * side;
        }
        sideEnergyBefore[b] = sum;
      }
      convolveChannelsInPlace([right], kernel);
      const limits = guardGains(left, right, sideEnergyBefore, guardBlock);
      let guarded = 0;
      for (let b = 0; b < blocks; b++) if (limits[b] < 1) guarded++;
      // Each block's gain is the smallest of its own and its neighbours' limits, so the ramps between never exceed one.
      const gains = new Float64Array(blocks + 1);
      for (let b = 0; b <= blocks; b++) gains[b] = Math.min(limits[Math.max(0, b - 1)], limits[Math.min(blocks - 1, b)]);
      for (let b = 0; b < blocks; b++) {
        const start = b * guardBlock;
        const end = Math.min(length, start + guardBlock);
        const g0 = gains[b];
        const dg = (gains[b + 1] - g0) / guardBlock;
        for (let i = start, k = 0; i < end; i++, k++) {
          const mid = left[i];
          const side = right[i] * (g0 + dg * k);
          left[i] = mid + side;
          right[i] = mid - side;
        }
      }
      return { guardedFraction: blocks ? guarded / blocks : 0 };
    },
  };
}

/**
 * Per block: 1, or the side gain that brings the widened side back under the
 * guard ratio — but never below what the block's side had before widening.
 */
function guardGains(mid: Float32Array, side: Float32Array, sideEnergyBefore: Float64Array, block: number): Float64Array {
  const blocks = sideEnergyBefore.length;
  const limits = new Float64Array(blocks).fill(1);
  for (let b = 0; b < blocks; b++) {
    let midEnergy = 0;
    let sideEnergy = 0;
    const end = Math.min(mid.length, (b + 1) * block);
    for (let i = b * block; i < end; i++) {
      midEnergy += mid[i] * mid[i];
      sideEnergy += side[i] * side[i];
    }
    if (!(sideEnergy > GUARD_SIDE_TO_MID * midEnergy) || sideEnergy <= sideEnergyBefore[b]) continue;
    const toGuard = Math.sqrt((GUARD_SIDE_TO_MID * midEnergy) / sideEnergy);
    const toBefore = Math.sqrt(sideEnergyBefore[b] / sideEnergy);
    limits[b] = Math.min(1, Math.max(toGuard, toBefore));
  }
  return limits;
}
