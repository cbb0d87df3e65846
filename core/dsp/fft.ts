/**
 * FFT helpers over fft.js: cached plans, and the "two real signals in one complex
 * transform" trick that halves the cost of every spectral pass in audo-eq
 * (stereo channels or consecutive frames travel as the real and imaginary parts).
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

/**
 * Given the complex spectrum `z` (interleaved re/im, `size` bins) of `a + i·b`
 * for real signals a and b, adds |A[k]|² and |B[k]|² for k = 0..size/2 into
 * `powerA` and `powerB`, scaled by `scale`.
 */
export function accumulateSplitPower(
  z: ArrayLike<number>,
  size: number,
  powerA: Float64Array,
  powerB: Float64Array | null,
  scale: number,
): void {
  const half = size >> 1;
  for (let k = 0; k <= half; k++) {
    const nk = k === 0 ? 0 : size - k;
    const zr = z[2 * k];
    const zi = z[2 * k + 1];
    const wr = z[2 * nk];
    const wi = z[2 * nk + 1];
    // A = (Z[k] + conj(Z[N-k])) / 2 ; B = (Z[k] - conj(Z[N-k])) / 2i
    const ar = 0.5 * (zr + wr);
    const ai = 0.5 * (zi - wi);
    powerA[k] += scale * (ar * ar + ai * ai);
    if (powerB) {
      const br = 0.5 * (zi + wi);
      const bi = -0.5 * (zr - wr);
      powerB[k] += scale * (br * br + bi * bi);
    }
  }
}
