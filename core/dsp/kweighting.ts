/**
 * ITU-R BS.1770-4 K-weighting for any sample rate.
 *
 * The recommendation publishes the two filters only as 48 kHz coefficients
 * (Tables 1 and 2). Reusing those numbers at another rate shifts every corner
 * frequency, so instead we recover the analog prototype they were sampled
 * from (corner frequency, Q and gains, the same parametrisation libebur128 and
 * ffmpeg use) and re-discretise it with a pre-warped bilinear transform at the
 * rate actually in use. At 48 kHz this reproduces the published coefficients.
 */
import type { BiquadCoefficients } from './biquad.ts';

/** The normative 48 kHz coefficients of BS.1770-4 (pre-filter, then RLB high-pass). */
const ITU_RATE_HZ = 48000;
const ITU_PRE_FILTER = { b0: 1.53512485958697, b1: -2.69169618940638, b2: 1.19839281085285, a1: -1.69065929318241, a2: 0.73248077421585 };
const ITU_RLB_FILTER = { b0: 1.0, b1: -2.0, b2: 1.0, a1: -1.99004745483398, a2: 0.99007225036621 };

/**
 * Analog second-order section H(s) = (hf·s² + mid·(w0/Q)·s + dc·w0²) / (s² + (w0/Q)·s + w0²),
 * described by its corner frequency, Q and the three gains of its numerator.
 */
export interface AnalogSection {
  readonly cornerHz: number;
  readonly q: number;
  /** Gain of the s² term: the response far above the corner. */
  readonly highGain: number;
  /** Gain of the s term: the response at the corner, relative to Q. */
  readonly midGain: number;
  /** Gain of the constant term: the response at DC. */
  readonly dcGain: number;
}

/**
 * Recovers the analog section a bilinear-transformed biquad was sampled from
 * (the inverse of {@link bilinearSection}).
 *
 * @example
 * const shelf = analogSectionFromBiquad({ b0: 1.535, b1: -2.692, b2: 1.198, a1: -1.691, a2: 0.732 }, 48000);
 * // shelf.cornerHz ≈ 1682, shelf.highGain ≈ 1.585 (+4 dB)
 */
export function analogSectionFromBiquad(c: BiquadCoefficients, sampleRateHz: number): AnalogSection {
  // With K = tan(pi f0 / fs) and a0 = 1 + K/Q + K², the bilinear transform gives
  // 1 + a1 + a2 = 4K²/a0, 1 - a1 + a2 = 4/a0 and 1 - a2 = 2(K/Q)/a0.
  const a0 = 4 / (1 - c.a1 + c.a2);
  const k = Math.sqrt((1 + c.a1 + c.a2) / (1 - c.a1 + c.a2));
  const kOverQ = ((1 - c.a2) * a0) / 2;
  // Numerator: b0 + b1 + b2 = 4·dc·K²/a0, b0 - b1 + b2 = 4·hf/a0, b0 - b2 = 2·mid·(K/Q)/a0.
  return {
    cornerHz: (Math.atan(k) * sampleRateHz) / Math.PI,
    q: k / kOverQ,
    highGain: ((c.b0 - c.b1 + c.b2) * a0) / 4,
    midGain: ((c.b0 - c.b2) * a0) / (2 * kOverQ),
    dcGain: ((c.b0 + c.b1 + c.b2) * a0) / (4 * k * k),
  };
}

/**
 * Samples an analog second-order section at `sampleRateHz` with the bilinear
 * transform, pre-warped so the corner frequency lands exactly where it should.
 *
 * @example
 * const hp = bilinearSection({ cornerHz: 38.1, q: 0.5, highGain: 1, midGain: 0, dcGain: 0 }, 44100);
 */
export function bilinearSection(section: AnalogSection, sampleRateHz: number): BiquadCoefficients {
  if (!(section.cornerHz > 0 && section.cornerHz < sampleRateHz / 2)) {
    throw new RangeError(`corner ${section.cornerHz} Hz is not below the Nyquist frequency of ${sampleRateHz} Hz`);
  }
  const k = Math.tan((Math.PI * section.cornerHz) / sampleRateHz);
  const kOverQ = k / section.q;
  const k2 = k * k;
  const a0 = 1 + kOverQ + k2;
  const { highGain: hf, midGain: mid, dcGain: dc } = section;
  return {
    b0: (hf + mid * kOverQ + dc * k2) / a0,
    b1: (2 * (dc * k2 - hf)) / a0,
    b2: (hf - mid * kOverQ + dc * k2) / a0,
    a1: (2 * (k2 - 1)) / a0,
    a2: (1 - kOverQ + k2) / a0,
  };
}

/** The analog pre-filter (high shelf, ≈ +4 dB above ≈ 1.68 kHz) behind the BS.1770-4 coefficients. */
export const K_WEIGHTING_SHELF: AnalogSection = analogSectionFromBiquad(ITU_PRE_FILTER, ITU_RATE_HZ);
/** The analog RLB high-pass (≈ 38 Hz, Q ≈ 0.5) behind the BS.1770-4 coefficients. */
export const K_WEIGHTING_HIGH_PASS: AnalogSection = analogSectionFromBiquad(ITU_RLB_FILTER, ITU_RATE_HZ);

/** Lowest and highest rates the K-weighting is designed for (the product accepts 8–192 kHz). */
export const K_WEIGHTING_MIN_RATE_HZ = 8000;
export const K_WEIGHTING_MAX_RATE_HZ = 384000;

/**
 * Designs BS.1770-4 K-weighting for `sampleRateHz`: the pre-filter shelf and the
 * RLB high-pass, each as one biquad, to be run in that order.
 *
 * Both sections keep the analog response of the published 48 kHz filters,
 * including the RLB section's passband gain of about +0.04 dB that the
 * published numerator (1, −2, 1) implies; that keeps the −0.691 dB calibration
 * of the loudness formula valid at every rate. (libebur128 and ffmpeg keep the
 * numerator at exactly (1, −2, 1) at every rate instead, which differs from
 * this by under 0.02 dB from 44.1 kHz upwards and by about 0.2 dB at 8 kHz.)
 *
 * @example
 * const [shelf, highPass] = designKWeighting(44100);
 * runBiquad(shelf, createBiquadState(), samples);
 * runBiquad(highPass, createBiquadState(), samples);
 */
export function designKWeighting(sampleRateHz: number): [BiquadCoefficients, BiquadCoefficients] {
  if (!(sampleRateHz >= K_WEIGHTING_MIN_RATE_HZ && sampleRateHz <= K_WEIGHTING_MAX_RATE_HZ)) {
    throw new RangeError(`K-weighting needs a sample rate in [${K_WEIGHTING_MIN_RATE_HZ}, ${K_WEIGHTING_MAX_RATE_HZ}] Hz, got ${sampleRateHz}`);
  }
  if (sampleRateHz === ITU_RATE_HZ) return [{ ...ITU_PRE_FILTER }, { ...ITU_RLB_FILTER }];
  return [bilinearSection(K_WEIGHTING_SHELF, sampleRateHz), bilinearSection(K_WEIGHTING_HIGH_PASS, sampleRateHz)];
}
