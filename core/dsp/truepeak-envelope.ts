/**
 * Per-interval interpolated peaks for the limiter: for each sample m, the
 * largest magnitude of the reconstructed signal between m and m + 1, raised
 * into `envelope[m]`. Uses the same symmetric split of the polyphase branches
 * as the meter's kernel (branch L − p is branch p mirrored): with
 * s_k = x_k + x_(T−1−k) and d_k = x_k − x_(T−1−k), the mirrored pair is E ± O
 * and max(|E + O|, |E − O|) = |E| + |O|.
 */
import type { TruePeakFilter } from './truepeak-filter.ts';
import { splitBranches } from './truepeak-branches.ts';
import { createSimdEnvelopeKernel } from './truepeak-simd.ts';

/** Raises envelope[m] for m in [from, to) (input index m + latency must exist). */
export type InterpolatedEnvelopeKernel = (samples: Float32Array, from: number, to: number, envelope: Float32Array) => void;

/**
 * Builds the envelope kernel for `filter`: WebAssembly SIMD for 4× designs where
 * the runtime has it, else JavaScript unrolled for 4× with 16 or 12 taps per branch.
 *
 * @example createInterpolatedEnvelopeKernel(designTruePeakFilter(4, 12))(left, 11, left.length - 6, envelope);
 */
export function createInterpolatedEnvelopeKernel(filter: TruePeakFilter): InterpolatedEnvelopeKernel {
  return createSimdEnvelopeKernel(filter) ?? createScalarEnvelopeKernel(filter);
}

/** The JavaScript kernel alone (the SIMD one's fallback and yardstick). */
export function createScalarEnvelopeKernel(filter: TruePeakFilter): InterpolatedEnvelopeKernel {
  const taps = filter.tapsPerPhase;
  const half = taps / 2;
  const { pairs, middle } = splitBranches(filter);
  const latency = filter.latencySamples;
  if (taps === 16 && pairs.length === 1 && middle) return quad16(pairs[0], middle, latency);
  if (taps === 12 && pairs.length === 1 && middle) return quad12(pairs[0], middle, latency);
  return (samples, from, to, envelope) => {
    for (let m = from; m < to; m++) {
      const oldest = m + latency - taps + 1;
      const newest = m + latency;
      let peak = envelope[m];
      for (const eo of pairs) {
        let e = 0;
        let o = 0;
        for (let k = 0; k < half; k++) {
          const a = samples[oldest + k];
          const b = samples[newest - k];
          e += eo[k] * (a + b);
          o += eo[half + k] * (a - b);
        }
        const y = (e < 0 ? -e : e) + (o < 0 ? -o : o);
        if (y > peak) peak = y;
      }
      if (middle) {
        let v = 0;
        for (let k = 0; k < half; k++) v += middle[k] * (samples[oldest + k] + samples[newest - k]);
        const y = v < 0 ? -v : v;
        if (y > peak) peak = y;
      }
      envelope[m] = peak;
    }
  };
}

function quad12(eo: Float64Array, middle: Float64Array, latency: number): InterpolatedEnvelopeKernel {
  return (samples, from, to, envelope) => {
    const e0 = eo[0], e1 = eo[1], e2 = eo[2], e3 = eo[3], e4 = eo[4], e5 = eo[5];
    const o0 = eo[6], o1 = eo[7], o2 = eo[8], o3 = eo[9], o4 = eo[10], o5 = eo[11];
    const m0 = middle[0], m1 = middle[1], m2 = middle[2], m3 = middle[3], m4 = middle[4], m5 = middle[5];
    for (let m = from; m < to; m++) {
      const b = m + latency - 11;
      const x0 = samples[b], x1 = samples[b + 1], x2 = samples[b + 2], x3 = samples[b + 3];
      const x4 = samples[b + 4], x5 = samples[b + 5], x6 = samples[b + 6], x7 = samples[b + 7];
      const x8 = samples[b + 8], x9 = samples[b + 9], x10 = samples[b + 10], x11 = samples[b + 11];
      const s0 = x0 + x11, s1 = x1 + x10, s2 = x2 + x9, s3 = x3 + x8, s4 = x4 + x7, s5 = x5 + x6;
      const e = e0 * s0 + e1 * s1 + e2 * s2 + e3 * s3 + e4 * s4 + e5 * s5;
      const o = o0 * (x0 - x11) + o1 * (x1 - x10) + o2 * (x2 - x9) + o3 * (x3 - x8) + o4 * (x4 - x7) + o5 * (x5 - x6);
      const v = m0 * s0 + m1 * s1 + m2 * s2 + m3 * s3 + m4 * s4 + m5 * s5;
      let peak = envelope[m];
      const pair = (e < 0 ? -e : e) + (o < 0 ? -o : o);
      if (pair > peak) peak = pair;
      const mid = v < 0 ? -v : v;
      if (mid > peak) peak = mid;
      envelope[m] = peak;
    }
  };
}

function quad16(eo: Float64Array, middle: Float64Array, latency: number): InterpolatedEnvelopeKernel {
  return (samples, from, to, envelope) => {
    const e0 = eo[0], e1 = eo[1], e2 = eo[2], e3 = eo[3], e4 = eo[4], e5 = eo[5], e6 = eo[6], e7 = eo[7];
    const o0 = eo[8], o1 = eo[9], o2 = eo[10], o3 = eo[11], o4 = eo[12], o5 = eo[13], o6 = eo[14], o7 = eo[15];
    const m0 = middle[0], m1 = middle[1], m2 = middle[2], m3 = middle[3];
    const m4 = middle[4], m5 = middle[5], m6 = middle[6], m7 = middle[7];
    for (let m = from; m < to; m++) {
      const b = m + latency - 15;
      const x0 = samples[b], x1 = samples[b + 1], x2 = samples[b + 2], x3 = samples[b + 3];
      const x4 = samples[b + 4], x5 = samples[b + 5], x6 = samples[b + 6], x7 = samples[b + 7];
      const x8 = samples[b + 8], x9 = samples[b + 9], x10 = samples[b + 10], x11 = samples[b + 11];
      const x12 = samples[b + 12], x13 = samples[b + 13], x14 = samples[b + 14], x15 = samples[b + 15];
      const s0 = x0 + x15, s1 = x1 + x14, s2 = x2 + x13, s3 = x3 + x12;
      const s4 = x4 + x11, s5 = x5 + x10, s6 = x6 + x9, s7 = x7 + x8;
      const e = e0 * s0 + e1 * s1 + e2 * s2 + e3 * s3 + e4 * s4 + e5 * s5 + e6 * s6 + e7 * s7;
      const o =
        o0 * (x0 - x15) + o1 * (x1 - x14) + o2 * (x2 - x13) + o3 * (x3 - x12) +
        o4 * (x4 - x11) + o5 * (x5 - x10) + o6 * (x6 - x9) + o7 * (x7 - x8);
      const v = m0 * s0 + m1 * s1 + m2 * s2 + m3 * s3 + m4 * s4 + m5 * s5 + m6 * s6 + m7 * s7;
      let peak = envelope[m];
      const pair = (e < 0 ? -e : e) + (o < 0 ? -o : o);
      if (pair > peak) peak = pair;
      const mid = v < 0 ? -v : v;
      if (mid > peak) peak = mid;
      envelope[m] = peak;
    }
  };
}
