/**
 * Energy and peak of stretches of a stereo pair read in increasing order (the
 * analysis's level blocks): in WebAssembly SIMD where the runtime has it, the
 * switch allows and the stretches fit its chunk, else in JavaScript. Both sum
 * each channel's squares in float64 and add the two sums, so the figures are
 * identical either way.
 */
import { STEREO_STRETCH_MAX_FRAMES, stereoStretchMeterSimd, type StereoStretchMeter } from './stereo-levels-simd.ts';

export type { StereoStretchMeter } from './stereo-levels-simd.ts';

function javaScriptMeter(left: Float32Array, right: Float32Array): StereoStretchMeter {
  const result = { energy: 0, peak: 0 };
  return {
    measure(from, to) {
      let energyA = 0;
      let energyB = 0;
      let peakA = 0;
      let peakB = 0;
      for (let i = from; i < to; i++) {
        const x = left[i];
        const y = right[i];
        energyA += x * x;
        energyB += y * y;
        const ax = x < 0 ? -x : x;
        const ay = y < 0 ? -y : y;
        if (ax > peakA) peakA = ax;
        if (ay > peakB) peakB = ay;
      }
      result.energy = energyA + energyB;
      result.peak = peakA > peakB ? peakA : peakB;
      return result;
    },
  };
}

/**
 * A meter of stretches of `left`/`right`, none longer than `longestStretch`
 * frames. The returned figures are overwritten by the next `measure`.
 *
 * @example const meter = createStereoStretchMeter(left, right, 4410); meter.measure(0, 441).energy
 */
export function createStereoStretchMeter(left: Float32Array, right: Float32Array, longestStretch: number): StereoStretchMeter {
  return (longestStretch <= STEREO_STRETCH_MAX_FRAMES ? stereoStretchMeterSimd(left, right) : null) ?? javaScriptMeter(left, right);
}
