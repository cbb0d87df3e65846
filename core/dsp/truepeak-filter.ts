/**
 * The polyphase interpolation filter behind true-peak measurement (ITU-R
 * BS.1770-4 Annex 2): it estimates the signal between samples by oversampling,
 * so peaks the DAC will reconstruct between two samples are seen. The meter and
 * the limiter share it, so both look at the same inter-sample peaks.
 */

/** A windowed-sinc interpolator split into its polyphase branches. */
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

/** Oversampling BS.1770-4 asks for: 4× below 96 kHz, 2× from 96 kHz up. */
export function truePeakOversamplingFor(sampleRateHz: number): number {
  return sampleRateHz < 96000 ? 4 : 2;
}

/** Zeroth-order modified Bessel function of the first kind (for the Kaiser window). */
function besselI0(x: number): number {
  let sum = 1;
  let term = 1;
  const quarterX2 = (x * x) / 4;
  for (let k = 1; k < 64; k++) {
    term *= quarterX2 / (k * k);
    sum += term;
    if (term < sum * 1e-17) break;
  }
  return sum;
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
  if (!Number.isInteger(oversampling) || oversampling < 2 || oversampling > 16) {
    throw new RangeError(`oversampling must be an integer in [2, 16], got ${oversampling}`);
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
