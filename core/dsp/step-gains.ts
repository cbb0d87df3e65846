/**
 * Gains given in dB per step of a control grid, as linear gains per block:
 * what the gain rider applies, and what its planner predicts with for every
 * slope it tries.
 */

/**
 * 10^(dB / 20) of `valuesDb` (one per `step` samples, each at the middle of
 * its step) interpolated linearly in dB onto `blocks` + 1 points every
 * `block` samples, placed as `interpolateStepAt` places them, into `out`.
 * Between two middles the dB rise per point is constant, so the gain grows by
 * one constant factor per point: one exponential per step and a product per
 * point instead of an exponential per point (a 3-minute plan computes ~0.5 M
 * points per slope it tries). Each step starts again from an exponential, so
 * the products' rounding stays within a few float64 ulps, far below the
 * float32 the gains are kept in.
 *
 * @example const gains = interpolateStepGains(stepGainsDb, 4410, 16, blocks, new Float32Array(blocks + 1));
 */
export function interpolateStepGains(valuesDb: ArrayLike<number>, step: number, block: number, blocks: number, out: Float32Array): Float32Array {
  if (out.length !== blocks + 1) throw new RangeError(`interpolateStepGains writes ${blocks + 1} points, not ${out.length}`);
  const perDb = Math.LN10 / 20;
  const last = valuesDb.length - 1;
  if (last < 0) return out.fill(NaN);
  let b = 0;
  for (let j = 0; j <= last && b <= blocks; j++) {
    const from = valuesDb[j];
    const rise = valuesDb[j < last ? j + 1 : last] - from;
    const factor = Math.exp((perDb * rise * block) / step);
    // The gain of the point before, while it lies strictly between this step's middle and the next.
    let growing = NaN;
    for (; b <= blocks; b++) {
      const position = (b * block) / step - 0.5;
      if (j < last && Math.floor(position) > j) break;
      const t = position - j;
      const inside = t > 0 && t < 1;
      const gain = inside && growing === growing ? growing * factor : Math.exp(perDb * (from + Math.max(0, Math.min(1, t)) * rise));
      out[b] = gain;
      growing = inside ? gain : NaN;
    }
  }
  return out;
}
