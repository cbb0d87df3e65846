/**
 * The inner loop of true-peak measurement: the largest interpolated magnitude
 * over a stretch of samples. It exploits the symmetry of the interpolator
 * (branch L − p is branch p reversed, the middle branch is its own mirror):
 * with s_k = x_k + x_(T−1−k) and d_k = x_k − x_(T−1−k), the pair of branches is
 * E ± O where E = Σ e_k·s_k and O = Σ o_k·d_k, which halves the multiplies, and
 * max(|E + O|, |E − O|) = |E| + |O| needs no second sum.
 */
import type { TruePeakFilter } from './truepeak-filter.ts';
import { splitBranches, type SymmetricBranches } from './truepeak-branches.ts';
import { createSimdPeakKernel } from './truepeak-simd.ts';

/**
 * Raises `peak` to the largest interpolated magnitude at input indices
 * [start, end) of `buffer`; index j reads buffer[j − tapsPerPhase + 1 .. j].
 */
export type InterpolatedPeakKernel = (buffer: Float32Array, start: number, end: number, peak: number) => number;

/**
 * Builds the fastest kernel for `filter`: WebAssembly SIMD for 4× designs
 * where the runtime has it; else in JavaScript a fully unrolled one for the
 * default 4× / 16-tap design, a fused loop for other 4× designs, a general
 * symmetric loop otherwise.
 *
 * @example
 * const kernel = createInterpolatedPeakKernel(designTruePeakFilter(4));
 * const peak = kernel(samplesWithHistory, 15, samplesWithHistory.length, 0);
 */
export function createInterpolatedPeakKernel(filter: TruePeakFilter): InterpolatedPeakKernel {
  return createSimdPeakKernel(filter) ?? createScalarPeakKernel(filter);
}

/** The JavaScript kernel alone (the SIMD one's fallback and yardstick). */
export function createScalarPeakKernel(filter: TruePeakFilter): InterpolatedPeakKernel {
  const branches = splitBranches(filter);
  if (filter.tapsPerPhase === 16 && branches.pairs.length === 1 && branches.middle) {
    return quad16Kernel(branches.pairs[0], branches.middle);
  }
  if (branches.pairs.length === 1 && branches.middle) {
    return quadKernel(filter.tapsPerPhase, branches.pairs[0], branches.middle);
  }
  return generalKernel(filter.tapsPerPhase, branches);
}

/** 4× with any tap count: one fused pass per output for the mirrored pair and the middle branch. */
function quadKernel(taps: number, eo: Float64Array, middle: Float64Array): InterpolatedPeakKernel {
  const half = taps / 2;
  const even = eo.subarray(0, half);
  const odd = eo.subarray(half);
  return (buffer, start, end, peak) => {
    for (let j = start; j < end; j++) {
      const oldest = j - taps + 1;
      let e = 0;
      let o = 0;
      let m = 0;
      for (let k = 0; k < half; k++) {
        const a = buffer[oldest + k];
        const b = buffer[j - k];
        const sum = a + b;
        e += even[k] * sum;
        o += odd[k] * (a - b);
        m += middle[k] * sum;
      }
      const pair = (e < 0 ? -e : e) + (o < 0 ? -o : o);
      if (pair > peak) peak = pair;
      const mid = m < 0 ? -m : m;
      if (mid > peak) peak = mid;
    }
    return peak;
  };
}

function generalKernel(taps: number, { pairs, middle }: SymmetricBranches): InterpolatedPeakKernel {
  const half = taps / 2;
  const sums = new Float64Array(half);
  const diffs = new Float64Array(half);
  return (buffer, start, end, peak) => {
    for (let j = start; j < end; j++) {
      const oldest = j - taps + 1;
      for (let k = 0; k < half; k++) {
        const a = buffer[oldest + k];
        const b = buffer[j - k];
        sums[k] = a + b;
        diffs[k] = a - b;
      }
      for (let p = 0; p < pairs.length; p++) {
        const eo = pairs[p];
        let e = 0;
        let o = 0;
        for (let k = 0; k < half; k++) {
          e += eo[k] * sums[k];
          o += eo[half + k] * diffs[k];
        }
        const y = (e < 0 ? -e : e) + (o < 0 ? -o : o);
        if (y > peak) peak = y;
      }
      if (middle) {
        let m = 0;
        for (let k = 0; k < half; k++) m += middle[k] * sums[k];
        const y = m < 0 ? -m : m;
        if (y > peak) peak = y;
      }
    }
    return peak;
  };
}

/** 4× with 16 taps per branch, unrolled so every coefficient lives in a register or close to one. */
function quad16Kernel(eo: Float64Array, middle: Float64Array): InterpolatedPeakKernel {
  return (buffer, start, end, peak) => {
    // Locals, not closure variables: V8 keeps locals in registers across the loop.
    const e0 = eo[0], e1 = eo[1], e2 = eo[2], e3 = eo[3], e4 = eo[4], e5 = eo[5], e6 = eo[6], e7 = eo[7];
    const o0 = eo[8], o1 = eo[9], o2 = eo[10], o3 = eo[11], o4 = eo[12], o5 = eo[13], o6 = eo[14], o7 = eo[15];
    const m0 = middle[0], m1 = middle[1], m2 = middle[2], m3 = middle[3];
    const m4 = middle[4], m5 = middle[5], m6 = middle[6], m7 = middle[7];
    for (let j = start; j < end; j++) {
      const b = j - 15;
      const x0 = buffer[b], x1 = buffer[b + 1], x2 = buffer[b + 2], x3 = buffer[b + 3];
      const x4 = buffer[b + 4], x5 = buffer[b + 5], x6 = buffer[b + 6], x7 = buffer[b + 7];
      const x8 = buffer[b + 8], x9 = buffer[b + 9], x10 = buffer[b + 10], x11 = buffer[b + 11];
      const x12 = buffer[b + 12], x13 = buffer[b + 13], x14 = buffer[b + 14], x15 = buffer[j];
      const s0 = x0 + x15, s1 = x1 + x14, s2 = x2 + x13, s3 = x3 + x12;
      const s4 = x4 + x11, s5 = x5 + x10, s6 = x6 + x9, s7 = x7 + x8;
      const e = e0 * s0 + e1 * s1 + e2 * s2 + e3 * s3 + e4 * s4 + e5 * s5 + e6 * s6 + e7 * s7;
      const o =
        o0 * (x0 - x15) + o1 * (x1 - x14) + o2 * (x2 - x13) + o3 * (x3 - x12) +
        o4 * (x4 - x11) + o5 * (x5 - x10) + o6 * (x6 - x9) + o7 * (x7 - x8);
      const m = m0 * s0 + m1 * s1 + m2 * s2 + m3 * s3 + m4 * s4 + m5 * s5 + m6 * s6 + m7 * s7;
      const pair = (e < 0 ? -e : e) + (o < 0 ? -o : o);
      if (pair > peak) peak = pair;
      const mid = m < 0 ? -m : m;
      if (mid > peak) peak = mid;
    }
    return peak;
  };
}
