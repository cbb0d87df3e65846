/**
 * FIR filtering by FFT overlap-add, in place over whole channels. Two real
 * channels share one complex transform (left in the real part, right in the
 * imaginary part): the kernel is real, so multiplying by its spectrum keeps the
 * two apart, and a stereo pass costs one forward and one inverse FFT per block.
 */
import { fftPlan, nextPowerOfTwo } from './fft.ts';

export interface FirKernel {
  readonly taps: Float32Array;
  /** Complex spectrum (interleaved) of the zero-padded kernel, `fftSize` bins. */
  readonly spectrum: Float64Array;
  readonly fftSize: number;
  /** Input samples consumed per block. */
  readonly blockSize: number;
}

/**
 * Prepares `taps` for {@link convolveChannelsInPlace}.
 *
 * @example const kernel = prepareFirKernel(minimumPhaseTaps); convolveChannelsInPlace([left, right], kernel);
 */
export function prepareFirKernel(taps: Float32Array): FirKernel {
  const fftSize = nextPowerOfTwo(2 * taps.length);
  const blockSize = fftSize - taps.length + 1;
  const plan = fftPlan(fftSize);
  const padded = new Float64Array(fftSize);
  padded.set(taps);
  const spectrum = new Float64Array(2 * fftSize);
  plan.realTransform(spectrum, padded);
  plan.completeSpectrum(spectrum);
  return { taps, spectrum, fftSize, blockSize };
}

/** Filters every channel in place with `kernel` (causal; output keeps the input length). */
export function convolveChannelsInPlace(channels: readonly Float32Array[], kernel: FirKernel): void {
  for (let c = 0; c < channels.length; c += 2) {
    convolvePair(channels[c], c + 1 < channels.length ? channels[c + 1] : null, kernel);
  }
}

function convolvePair(a: Float32Array, b: Float32Array | null, kernel: FirKernel): void {
  const { fftSize, blockSize, spectrum } = kernel;
  const plan = fftPlan(fftSize);
  const length = a.length;
  const input = new Float64Array(2 * fftSize);
  const transformed = new Float64Array(2 * fftSize);
  const output = new Float64Array(2 * fftSize);
  // Overlap-add tail carried between blocks (the last fftSize - blockSize outputs).
  const tailLength = fftSize - blockSize;
  const tailA = new Float64Array(tailLength);
  const tailB = new Float64Array(tailLength);

  for (let start = 0; start < length; start += blockSize) {
    const count = Math.min(blockSize, length - start);
    input.fill(0);
    for (let i = 0; i < count; i++) {
      input[2 * i] = a[start + i];
      if (b) input[2 * i + 1] = b[start + i];
    }
    plan.transform(transformed, input);
    for (let k = 0; k < fftSize; k++) {
      const xr = transformed[2 * k];
      const xi = transformed[2 * k + 1];
      const hr = spectrum[2 * k];
      const hi = spectrum[2 * k + 1];
      transformed[2 * k] = xr * hr - xi * hi;
      transformed[2 * k + 1] = xr * hi + xi * hr;
    }
    plan.inverseTransform(output, transformed);

    const writable = Math.min(blockSize, length - start);
    for (let i = 0; i < writable; i++) {
      const carryA = i < tailLength ? tailA[i] : 0;
      a[start + i] = output[2 * i] + carryA;
      if (b) b[start + i] = output[2 * i + 1] + (i < tailLength ? tailB[i] : 0);
    }
    // New tail: outputs blockSize.. of this block plus what remains of the old tail.
    for (let i = 0; i < tailLength; i++) {
      const old = blockSize + i < tailLength ? tailA[blockSize + i] : 0;
      tailA[i] = output[2 * (blockSize + i)] + old;
      if (b) tailB[i] = output[2 * (blockSize + i) + 1] + (blockSize + i < tailLength ? tailB[blockSize + i] : 0);
    }
  }
}
