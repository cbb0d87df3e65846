/**
 * Minimum-phase FIR design from a magnitude response, by the real-cepstrum
 * (homomorphic) method: fold the cepstrum of log|H| onto positive quefrencies,
 * exponentiate back, and keep the first `length` taps. Minimum phase puts the
 * energy at the start of the kernel, so the EQ adds no pre-ringing and almost
 * no latency, like the analog-style bells it replaces.
 */
import { fftPlan, nextPowerOfTwo } from './fft.ts';
import { createSimdFft } from './fft-simd.ts';

/**
 * Designs `length` taps whose magnitude follows `gainDbAt(frequencyHz)`.
 * The cepstrum is computed on a grid 8× the kernel length to keep its aliasing
 * negligible; the kernel end is tapered with a half-Hann over its last eighth.
 *
 * @example const taps = designMinimumPhaseFir((f) => (f > 3000 ? -2 : 0), 44100, 4096);
 */
export function designMinimumPhaseFir(
  gainDbAt: (frequencyHz: number) => number,
  sampleRateHz: number,
  length: number,
): Float32Array {
  const size = nextPowerOfTwo(length * 8);
  const transforms = cepstrumTransforms(size);
  const half = size >> 1;

  // log-magnitude spectrum (natural log), real and even
  const logMagnitude = new Float64Array(2 * size);
  for (let k = 0; k <= half; k++) {
    const value = (gainDbAt((k * sampleRateHz) / size) * Math.LN10) / 20;
    logMagnitude[2 * k] = value;
    if (k > 0 && k < half) logMagnitude[2 * (size - k)] = value;
  }
  const cepstrum = transforms.inverse(logMagnitude);

  // fold onto positive quefrencies (causal, minimum phase)
  const folded = new Float64Array(2 * size);
  folded[0] = cepstrum[0];
  for (let n = 1; n < half; n++) folded[2 * n] = 2 * cepstrum[2 * n];
  folded[2 * half] = cepstrum[2 * half];

  const logSpectrum = transforms.forward(folded);
  // complex exponential
  for (let k = 0; k < size; k++) {
    const re = logSpectrum[2 * k];
    const im = logSpectrum[2 * k + 1];
    const magnitude = Math.exp(re);
    logSpectrum[2 * k] = magnitude * Math.cos(im);
    logSpectrum[2 * k + 1] = magnitude * Math.sin(im);
  }
  const impulse = transforms.inverse(logSpectrum);

  const taps = new Float32Array(length);
  const taper = Math.max(1, Math.floor(length / 8));
  for (let n = 0; n < length; n++) {
    let w = 1;
    const fromEnd = length - 1 - n;
    if (fromEnd < taper) w = 0.5 - 0.5 * Math.cos((Math.PI * fromEnd) / taper);
    taps[n] = impulse[2 * n] * w;
  }
  return taps;
}

/**
 * Scaled transforms (inverse divides by the size) into fresh double arrays: the
 * SIMD transform where the runtime has it (single precision moves the taps by
 * about 1e-7 of their peak, far below what a 93 ms kernel resolves), else fft.js.
 */
function cepstrumTransforms(size: number): { forward(x: Float64Array): Float64Array; inverse(x: Float64Array): Float64Array } {
  const simd = createSimdFft(size);
  if (simd) {
    return {
      forward(x) {
        simd.input.set(x);
        // The constructor copies between typed arrays at memory speed; Float64Array.from iterates element by element.
        return new Float64Array(simd.forward());
      },
      inverse(x) {
        simd.input.set(x);
        const result = new Float64Array(simd.inverseOfInput());
        for (let i = 0; i < result.length; i++) result[i] /= size;
        return result;
      },
    };
  }
  const plan = fftPlan(size);
  return {
    forward(x) {
      const out = new Float64Array(2 * size);
      plan.transform(out, x);
      return out;
    },
    inverse(x) {
      const out = new Float64Array(2 * size);
      plan.inverseTransform(out, x);
      return out;
    },
  };
}

/** Magnitude in dB of FIR `taps` at `frequencyHz` (direct DTFT; for tests and diagnostics). */
export function firMagnitudeDb(taps: Float32Array, frequencyHz: number, sampleRateHz: number): number {
  const w = (2 * Math.PI * frequencyHz) / sampleRateHz;
  let re = 0;
  let im = 0;
  for (let n = 0; n < taps.length; n++) {
    re += taps[n] * Math.cos(w * n);
    im -= taps[n] * Math.sin(w * n);
  }
  return 10 * Math.log10(re * re + im * im + 1e-300);
}

