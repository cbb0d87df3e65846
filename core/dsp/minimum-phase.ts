/**
 * Minimum-phase FIR design from a magnitude response, by the real-cepstrum
 * (homomorphic) method: fold the cepstrum of log|H| onto positive quefrencies,
 * exponentiate back, and keep the first `length` taps. Minimum phase puts the
 * energy at the start of the kernel, so the EQ adds no pre-ringing and almost
 * no latency, like the analog-style bells it replaces.
 */
import { fftPlan, nextPowerOfTwo } from './fft.ts';
import { createSimdFft, type SimdFft } from './fft-simd.ts';

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
  const simd = createSimdFft(size);
  const logMagnitudeAt = (k: number) => (gainDbAt((k * sampleRateHz) / size) * Math.LN10) / 20;
  const impulse = simd ? minimumPhaseImpulseInPlace(simd, logMagnitudeAt, length) : minimumPhaseImpulse(fftPlan(size), size, logMagnitudeAt, length);
  const taps = new Float32Array(length);
  const taper = Math.max(1, Math.floor(length / 8));
  for (let n = 0; n < length; n++) {
    let w = 1;
    const fromEnd = length - 1 - n;
    if (fromEnd < taper) w = 0.5 - 0.5 * Math.cos((Math.PI * fromEnd) / taper);
    taps[n] = impulse[n] * w;
  }
  return taps;
}

/**
 * The first `length` samples of the minimum-phase impulse whose log-magnitude
 * (natural log) at bin k is `logMagnitudeAt(k)`, by the SIMD transform
 * (single precision moves the taps by about 1e-7 of their peak, far below
 * what a 93 ms kernel resolves), working in the transform's own buffers: each
 * step writes only what the next reads (the real half of the cepstrum, the
 * first `length` samples of the impulse). Whole-grid double arrays between
 * the steps (five of 1 MB for the widener's 65536-point grid) made a design
 * take 76 ms in a fresh process instead of 44, and 17–20 ms warm instead of 6–8.
 */
function minimumPhaseImpulseInPlace(simd: SimdFft, logMagnitudeAt: (k: number) => number, length: number): Float64Array {
  const { size } = simd;
  const half = size >> 1;
  let input = simd.input;
  input.fill(0);
  fillLogMagnitude(input, size, logMagnitudeAt);
  // Its cepstrum, folded onto positive quefrencies (causal, minimum phase):
  // the real parts up to the middle, kept before the input is cleared (the
  // result may lie in the input's buffer).
  const cepstrum = simd.inverseOfInput();
  const folded = new Float64Array(half + 1);
  folded[0] = cepstrum[0] / size;
  for (let n = 1; n < half; n++) folded[n] = 2 * (cepstrum[2 * n] / size);
  folded[half] = cepstrum[2 * half] / size;
  input = simd.input;
  input.fill(0);
  for (let n = 0; n <= half; n++) input[2 * n] = folded[n];
  // The result may lie in the input's buffer: each bin is read before it is written.
  exponentiateBins(simd.forward(), simd.input, size);
  const spectrum = simd.inverseOfInput();
  const impulse = new Float64Array(length);
  for (let n = 0; n < length; n++) impulse[n] = spectrum[2 * n] / size;
  return impulse;
}

/** {@link minimumPhaseImpulseInPlace} by fft.js in double precision, where the SIMD transform cannot run. */
function minimumPhaseImpulse(plan: ReturnType<typeof fftPlan>, size: number, logMagnitudeAt: (k: number) => number, length: number): Float64Array {
  const half = size >> 1;
  const logMagnitude = new Float64Array(2 * size);
  fillLogMagnitude(logMagnitude, size, logMagnitudeAt);
  const cepstrum = new Float64Array(2 * size);
  plan.inverseTransform(cepstrum, logMagnitude);
  const folded = new Float64Array(2 * size);
  folded[0] = cepstrum[0];
  for (let n = 1; n < half; n++) folded[2 * n] = 2 * cepstrum[2 * n];
  folded[2 * half] = cepstrum[2 * half];
  const logSpectrum = new Float64Array(2 * size);
  plan.transform(logSpectrum, folded);
  exponentiateBins(logSpectrum, logSpectrum, size);
  const spectrum = new Float64Array(2 * size);
  plan.inverseTransform(spectrum, logSpectrum);
  const impulse = new Float64Array(length);
  for (let n = 0; n < length; n++) impulse[n] = spectrum[2 * n];
  return impulse;
}

/** log|H| (natural log, real and even) into the real parts of the `size`-bin grid `spectrum`, interleaved; the other entries stay as they are. */
function fillLogMagnitude(spectrum: Float32Array | Float64Array, size: number, logMagnitudeAt: (k: number) => number): void {
  const half = size >> 1;
  for (let k = 0; k <= half; k++) {
    const value = logMagnitudeAt(k);
    spectrum[2 * k] = value;
    if (k > 0 && k < half) spectrum[2 * (size - k)] = value;
  }
}

/** The complex exponential of each of `size` interleaved bins of `from`, into `to` (which may be `from`: each bin is read before it is written). */
function exponentiateBins(from: Float32Array | Float64Array, to: Float32Array | Float64Array, size: number): void {
  for (let k = 0; k < size; k++) {
    const magnitude = Math.exp(from[2 * k]);
    const phase = from[2 * k + 1];
    to[2 * k] = magnitude * Math.cos(phase);
    to[2 * k + 1] = magnitude * Math.sin(phase);
  }
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

