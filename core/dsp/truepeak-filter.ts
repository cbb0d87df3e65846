/**
 * The polyphase interpolation filter behind true-peak measurement (ITU-R
 * BS.1770-4 Annex 2): it estimates the signal between samples by oversampling,
 * so peaks the DAC will reconstruct between two samples are seen. The meter and
 * the limiter share it, so both look at the same inter-sample peaks.
 */

/** A windowed-sinc interpolator split into its polyphase branches. */
import { besselI0 } from './bessel.ts';
export interface TruePeakFilter {
  /** Output samples per input sample. */
  readonly oversampling: number;
  /** Taps of each interpolating branch (the input history one output needs). */
  readonly tapsPerPhase: number;
  /**
   * Branch p (1 ≤ p < oversampling) in `coefficients[(p - 1) * tapsPerPhase ...]`,
   * oldest sample first: Σ_k coefficients[k] · x[n − tapsPerPhase + 1 + k] is
   * the signal at fraction p/oversampling of the way from sample
   * n − latencySamples to the next one. Branch 0 is the input sample itself
   * (the prototype is a Nyquist filter) and is not stored.
   */
  readonly coefficients: Float64Array;
  /**
   * Input samples between the newest sample a branch reads and the interval it
   * interpolates: branch outputs computed at input index n lie between samples
   * n − latencySamples and n − latencySamples + 1.
   */
  readonly latencySamples: number;
  /**
   * The largest Σ|coefficient| over the branches: no interpolated value can
   * exceed this times the largest input magnitude in the branch's window. The
   * meter uses it to skip stretches that cannot raise the peak found so far.
   */
  readonly maxGain: number;
}

/** Oversampled rate the meter reaches at least, below 96 kHz (4 × 44.1 kHz). */
export const TRUE_PEAK_MIN_OVERSAMPLED_RATE_HZ = 176400;

/**
 * Oversampling factor: what BS.1770-4 asks for (4× below 96 kHz, 2× from
 * 96 kHz up), raised at low rates so the oversampled rate still reaches
 * 176.4 kHz. At 8–32 kHz, speech and telephone audio carry energy close to
 * Nyquist, where 4× can miss an inter-sample peak by up to 0.7 dB; ffmpeg's
 * meter upsamples to 192 kHz there, and so must the limiter that answers to it.
 */
export function truePeakOversamplingFor(sampleRateHz: number): number {
  if (sampleRateHz >= 96000) return 2;
  return Math.max(4, Math.min(MAX_OVERSAMPLING, Math.ceil(TRUE_PEAK_MIN_OVERSAMPLED_RATE_HZ / sampleRateHz)));
}

const MAX_OVERSAMPLING = 32;

/**
 * Taps per branch. 16 keep every branch flat within ±0.05 dB up to 0.4 × the
 * rate, enough for measuring music at 44.1 kHz and up. Below 32 kHz (speech,
 * telephone) energy sits right under Nyquist, and the `compliance` use — the
 * final check that a master stays under its ceiling — must not miss a peak
 * there at any rate: both get 32 taps, flat to about 0.45 × the rate.
 */
export function truePeakFilterFor(sampleRateHz: number, use: 'meter' | 'compliance' = 'meter'): TruePeakFilter {
  const taps = use === 'compliance' || sampleRateHz < 32000 ? 32 : 16;
  return designTruePeakFilter(truePeakOversamplingFor(sampleRateHz), taps);
}

/**
 * Designs the true-peak interpolator: a Kaiser-windowed sinc of
 * `oversampling · tapsPerPhase + 1` taps cut off at the input Nyquist
 * frequency, split into `oversampling` branches. Each branch is scaled to unity
 * gain at DC, so a DC offset reads as itself at every fractional position.
 *
 * With the defaults (16 taps, β = 5) every branch is flat within ±0.05 dB up to
 * 0.4 × the input sample rate (17.6 kHz at 44.1 kHz), which keeps measured
 * true peaks within a few hundredths of a dB of an ideal reconstruction for
 * programme material; 12 taps (the size of the BS.1770-4 example filter) is
 * flat within ±0.05 dB up to 0.35 × the rate, for callers that need speed.
 *
 * @example
 * const filter = designTruePeakFilter(4);          // 4×, 16 taps per branch
 * const limiterFilter = designTruePeakFilter(4, 12); // cheaper, for per-sample use
 */
export function designTruePeakFilter(oversampling: number, tapsPerPhase = 16, kaiserBeta = 5): TruePeakFilter {
  if (!Number.isInteger(oversampling) || oversampling < 2 || oversampling > MAX_OVERSAMPLING) {
    throw new RangeError(`oversampling must be an integer in [2, ${MAX_OVERSAMPLING}], got ${oversampling}`);
  }
  if (!Number.isInteger(tapsPerPhase) || tapsPerPhase < 4 || tapsPerPhase % 2 !== 0 || tapsPerPhase > 64) {
    throw new RangeError(`tapsPerPhase must be an even integer in [4, 64], got ${tapsPerPhase}`);
  }
  const length = oversampling * tapsPerPhase + 1;
  const centre = (length - 1) / 2;
  const windowNorm = besselI0(kaiserBeta);
  const prototype = new Float64Array(length);
  for (let i = 0; i < length; i++) {
    const t = (i - centre) / oversampling;
    const sinc = t === 0 ? 1 : Math.sin(Math.PI * t) / (Math.PI * t);
    const r = (i - centre) / centre;
    prototype[i] = (sinc * besselI0(kaiserBeta * Math.sqrt(Math.max(0, 1 - r * r)))) / windowNorm;
  }
  // Tap i = k·L + p of the prototype belongs to branch p; within a branch the
  // taps run newest sample first, so reverse them to store oldest first.
  const coefficients = new Float64Array((oversampling - 1) * tapsPerPhase);
  let maxGain = 1;
  for (let p = 1; p < oversampling; p++) {
    const base = (p - 1) * tapsPerPhase;
    let sum = 0;
    for (let k = 0; k < tapsPerPhase; k++) sum += prototype[k * oversampling + p];
    let absSum = 0;
    for (let k = 0; k < tapsPerPhase; k++) {
      const value = prototype[k * oversampling + p] / sum;
      coefficients[base + tapsPerPhase - 1 - k] = value;
      absSum += Math.abs(value);
    }
    maxGain = Math.max(maxGain, absSum);
  }
  return { oversampling, tapsPerPhase, coefficients, latencySamples: tapsPerPhase / 2, maxGain };
}
