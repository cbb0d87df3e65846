/**
 * Coefficient design for the mastering EQ: RBJ-cookbook high-pass, shelves and
 * bells, designed by fili and normalised to {@link BiquadCoefficients}.
 * Centre frequencies are kept below 0.45 × the sample rate so every design is
 * stable and meaningful at every supported rate (8–192 kHz): a 6 kHz shelf at
 * 8 kHz sampling moves to 3.6 kHz rather than folding past Nyquist.
 */
import Fili from 'fili';
import type { BiquadCoefficients } from './biquad.ts';

const iir = new Fili.IirCoeffs();

/** Butterworth Q: maximally flat second-order section. */
export const BUTTERWORTH_Q = Math.SQRT1_2;

const MAX_RELATIVE_FREQUENCY = 0.45;

/** The frequency a design actually uses at `sampleRateHz` (see module note). */
export function usableFrequencyHz(frequencyHz: number, sampleRateHz: number): number {
  return Math.min(frequencyHz, MAX_RELATIVE_FREQUENCY * sampleRateHz);
}

/** A fili section: b already divided by a0 (times k), a = [a1, a2]. Declared here so Deno, which has no types for fili, checks it too. */
interface FiliBiquad {
  readonly a: readonly number[];
  readonly b: readonly number[];
  readonly k?: number;
}

function normalise(c: FiliBiquad): BiquadCoefficients {
  const k = c.k ?? 1;
  return { b0: c.b[0] * k, b1: c.b[1] * k, b2: c.b[2] * k, a1: c.a[0], a2: c.a[1] };
}

/** Unity section (passes audio unchanged). */
export const IDENTITY_BIQUAD: BiquadCoefficients = { b0: 1, b1: 0, b2: 0, a1: 0, a2: 0 };

/**
 * Second-order high-pass (12 dB/octave), −3 dB at `cutoffHz` with Butterworth Q.
 *
 * @example const rumble = designHighPass(30, 44100);
 */
export function designHighPass(cutoffHz: number, sampleRateHz: number, q = BUTTERWORTH_Q): BiquadCoefficients {
  return normalise(iir.highpass({ Fs: sampleRateHz, Fc: usableFrequencyHz(cutoffHz, sampleRateHz), Q: q }));
}

/**
 * Low shelf: `gainDb` below `cornerHz`, unity above (half gain at the corner).
 *
 * @example const warmth = designLowShelf(125, +1.5, 48000);
 */
export function designLowShelf(cornerHz: number, gainDb: number, sampleRateHz: number, q = BUTTERWORTH_Q): BiquadCoefficients {
  if (gainDb === 0) return IDENTITY_BIQUAD;
  return normalise(iir.lowshelf({ Fs: sampleRateHz, Fc: usableFrequencyHz(cornerHz, sampleRateHz), Q: q, gain: gainDb }));
}

/**
 * High shelf: `gainDb` above `cornerHz`, unity below.
 *
 * @example const air = designHighShelf(6000, -0.8, 44100);
 */
export function designHighShelf(cornerHz: number, gainDb: number, sampleRateHz: number, q = BUTTERWORTH_Q): BiquadCoefficients {
  if (gainDb === 0) return IDENTITY_BIQUAD;
  return normalise(iir.highshelf({ Fs: sampleRateHz, Fc: usableFrequencyHz(cornerHz, sampleRateHz), Q: q, gain: gainDb }));
}

/**
 * Peaking bell: `gainDb` at `centreHz`, bandwidth set by `q` (RBJ definition).
 *
 * @example const presence = designPeaking(3000, +0.8, 0.7, 44100);
 */
export function designPeaking(centreHz: number, gainDb: number, q: number, sampleRateHz: number): BiquadCoefficients {
  if (gainDb === 0) return IDENTITY_BIQUAD;
  return normalise(iir.peak({ Fs: sampleRateHz, Fc: usableFrequencyHz(centreHz, sampleRateHz), Q: q, gain: gainDb }));
}

/** Q of a bell spanning `octaves` between its half-gain points (RBJ bandwidth relation). */
export function qFromOctaves(octaves: number): number {
  const p = Math.pow(2, octaves);
  return Math.sqrt(p) / (p - 1);
}
