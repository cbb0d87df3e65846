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
