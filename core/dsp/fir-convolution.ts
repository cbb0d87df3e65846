/**
 * FIR filtering by FFT overlap-add, in place over whole channels. Two real
 * channels share one complex transform (left in the real part, right in the
 * imaginary part): the kernel is real, so multiplying by its spectrum keeps the
 * two apart, and a stereo pass costs one forward and one inverse FFT per block.
 * Blocks go through the WebAssembly SIMD transform where the runtime has it.
 */
import { fftPlan, nextPowerOfTwo } from './fft.ts';
import { createSimdFft } from './fft-simd.ts';

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
  const { fftSize, blockSize } = kernel;
  const length = a.length;
  const block = blockFilterFor(kernel);
  const input = block.input;
  // Overlap-add tail carried between blocks (the last fftSize - blockSize outputs).
  const tailLength = fftSize - blockSize;
  const tailA = new Float64Array(tailLength);
  const tailB = new Float64Array(tailLength);

  for (let start = 0; start < length; start += blockSize) {
    const count = Math.min(blockSize, length - start);
    for (let i = 0; i < count; i++) {
      input[2 * i] = a[start + i];
      input[2 * i + 1] = b ? b[start + i] : 0;
    }
    input.fill(0, 2 * count);
    const output = block.filter();

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

/** One block's circular convolution with the kernel: fill `input` (interleaved pair), then `filter()`. */
interface BlockFilter {
  readonly input: Float32Array | Float64Array;
  filter(): Float32Array | Float64Array;
}

function blockFilterFor(kernel: FirKernel): BlockFilter {
  const { fftSize, spectrum } = kernel;
  const simd = createSimdFft(fftSize);
  if (simd) {
    // The SIMD inverse is unscaled: fold 1/N into the kernel's spectrum.
    const scaled = new Float32Array(2 * fftSize);
    for (let k = 0; k < 2 * fftSize; k++) scaled[k] = spectrum[k] / fftSize;
    simd.setMultiplier(scaled);
    return {
      input: simd.input,
      filter() {
        simd.forward();
        simd.multiply();
        return simd.inverse();
      },
    };
  }
  const plan = fftPlan(fftSize);
  const input = new Float64Array(2 * fftSize);
  const transformed = new Float64Array(2 * fftSize);
  const output = new Float64Array(2 * fftSize);
  return {
    input,
    filter() {
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
      return output;
    },
  };
}
