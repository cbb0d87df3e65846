/**
 * FFT helpers over fft.js: cached plans and windows. Spectral passes in audo-eq
 * send two real signals through one complex transform (stereo channels or
 * consecutive frames as the real and imaginary parts), halving their cost.
 */
import FFT from 'fft.js';

const plans = new Map<number, FFT>();

/** A cached fft.js plan of `size` (a power of two). */
export function fftPlan(size: number): FFT {
  let plan = plans.get(size);
  if (!plan) {
    plan = new FFT(size);
    plans.set(size, plan);
  }
  return plan;
}

export function nextPowerOfTwo(n: number): number {
  let p = 1;
  while (p < n) p <<= 1;
  return p;
}

/** Periodic-free symmetric Hann window of `length` samples. */
export function hannWindow(length: number): Float64Array {
  const w = new Float64Array(length);
  if (length === 1) {
    w[0] = 1;
    return w;
  }
  for (let i = 0; i < length; i++) w[i] = 0.5 - 0.5 * Math.cos((2 * Math.PI * i) / (length - 1));
  return w;
}

/** A Hann window and its energy (the sum of its squares). */
export interface HannWindow {
  readonly window: Float64Array;
  readonly energy: number;
}

/** Windows kept, the most recently made last: a track shorter than a window gets one of its own length, so a server sees many. */
const windows = new Map<number, HannWindow>();
const KEPT_WINDOWS = 8;

/**
 * {@link hannWindow} of `length` with its energy, read only, kept for the
 * next caller of the same length: a render opens a dozen spectrum taps of
 * two or three lengths, and a fresh process runs the loops that make them
 * cold. The last {@link KEPT_WINDOWS} lengths are kept.
 *
 * @example const { window, energy } = cachedHannWindow(13230);
 */
export function cachedHannWindow(length: number): HannWindow {
  const known = windows.get(length);
  if (known) return known;
  const window = hannWindow(length);
  let energy = 0;
  for (let i = 0; i < length; i++) energy += window[i] * window[i];
  const made = { window, energy };
  if (windows.size >= KEPT_WINDOWS) windows.delete(windows.keys().next().value!);
  windows.set(length, made);
  return made;
}
