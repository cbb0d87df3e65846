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

function flushed(value: number): number {
  return Math.abs(value) < SUBNORMAL_GUARD ? 0 : value;
}

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
  state[0] = flushed(z1);
  state[1] = flushed(z2);
  return output;
}

/** Memory of two sections over one channel: first z1 z2, second z1 z2. */
export const TWO_SECTION_STATE = 4;

/**
 * `first` then `second` over x[from..] in place, continuing from and leaving
 * their memory in `state` at `offset` ({@link TWO_SECTION_STATE} numbers; rest
 * by default) — also how the SIMD cascade finishes the samples that do not
 * fill a vector.
 */
export function runTwoSections(first: BiquadCoefficients, second: BiquadCoefficients, x: Float32Array, from = 0, state: Float64Array = new Float64Array(TWO_SECTION_STATE), offset = 0): void {
  const { b0: f0, b1: f1, b2: f2, a1: fa1, a2: fa2 } = first;
  const { b0: g0, b1: g1, b2: g2, a1: ga1, a2: ga2 } = second;
  let p1 = state[offset], p2 = state[offset + 1], q1 = state[offset + 2], q2 = state[offset + 3];
  for (let i = from; i < x.length; i++) {
    const v = x[i];
    const y = f0 * v + p1;
    p1 = f1 * v - fa1 * y + p2;
    p2 = f2 * v - fa2 * y;
    const z = g0 * y + q1;
    q1 = g1 * y - ga1 * z + q2;
    q2 = g2 * y - ga2 * z;
    x[i] = z;
  }
  state[offset] = flushed(p1);
  state[offset + 1] = flushed(p2);
  state[offset + 2] = flushed(q1);
  state[offset + 3] = flushed(q2);
}

/**
 * `first` then `second` over two channels in place, their recursions
 * interleaved (the scalar stereo cascade), continuing from and leaving each
 * channel's memory in `state` at `offsetA` and `offsetB` (rest by default).
 */
export function runTwoSectionsOnPair(
  first: BiquadCoefficients,
  second: BiquadCoefficients,
  a: Float32Array,
  b: Float32Array,
  state: Float64Array = new Float64Array(2 * TWO_SECTION_STATE),
  offsetA = 0,
  offsetB = TWO_SECTION_STATE,
): void {
  const { b0: f0, b1: f1, b2: f2, a1: fa1, a2: fa2 } = first;
  const { b0: g0, b1: g1, b2: g2, a1: ga1, a2: ga2 } = second;
  let p1 = state[offsetA], p2 = state[offsetA + 1], q1 = state[offsetA + 2], q2 = state[offsetA + 3];
  let r1 = state[offsetB], r2 = state[offsetB + 1], s1 = state[offsetB + 2], s2 = state[offsetB + 3];
  for (let i = 0; i < a.length; i++) {
    const u = a[i];
    const v = b[i];
    const y = f0 * u + p1;
    const w = f0 * v + r1;
    p1 = f1 * u - fa1 * y + p2;
    r1 = f1 * v - fa1 * w + r2;
    p2 = f2 * u - fa2 * y;
    r2 = f2 * v - fa2 * w;
    const z = g0 * y + q1;
    const zz = g0 * w + s1;
    q1 = g1 * y - ga1 * z + q2;
    s1 = g1 * w - ga1 * zz + s2;
    q2 = g2 * y - ga2 * z;
    s2 = g2 * w - ga2 * zz;
    a[i] = z;
    b[i] = zz;
  }
  state[offsetA] = flushed(p1);
  state[offsetA + 1] = flushed(p2);
  state[offsetA + 2] = flushed(q1);
  state[offsetA + 3] = flushed(q2);
  state[offsetB] = flushed(r1);
  state[offsetB + 1] = flushed(r2);
  state[offsetB + 2] = flushed(s1);
  state[offsetB + 3] = flushed(s2);
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

/** Power response |H(f)|² of a cascade of sections, as a function of frequency. */
export function cascadePowerResponse(sections: readonly BiquadCoefficients[], sampleRateHz: number): (frequencyHz: number) => number {
  return (frequencyHz) => {
    let gain = 1;
    for (const section of sections) gain *= biquadMagnitude(section, frequencyHz, sampleRateHz);
    return gain * gain;
  };
}

/** A section is stable when both poles lie inside the unit circle (Jury criterion for order 2). */
export function isStableBiquad(c: BiquadCoefficients): boolean {
  return Math.abs(c.a2) < 1 && Math.abs(c.a1) < 1 + c.a2;
}
