/**
 * FIR filtering by FFT blocks, in place over whole channels. Two real
 * channels share one complex transform (left in the real part, right in the
 * imaginary part): the kernel is real, so multiplying by its spectrum keeps the
 * two apart, and a stereo pass costs one forward and one inverse FFT per block.
 * With WebAssembly SIMD the blocks run overlap-save inside the transform's
 * memory; without it, overlap-add through fft.js.
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

/**
 * Filters every channel in place with `kernel` (causal; output keeps the input
 * length): by the SIMD FFT where it runs and the switch allows
 * (core/wasm/simd-module.ts), else by fft.js.
 */
export function convolveChannelsInPlace(channels: readonly Float32Array[], kernel: FirKernel): void {
  for (let c = 0; c < channels.length; c += 2) {
    const a = channels[c];
    const b = c + 1 < channels.length ? channels[c + 1] : null;
    if (!convolvePairSimd(a, b, kernel)) convolvePair(a, b, kernel);
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

/**
 * Overlap-save in the SIMD transform's memory: each block's input (the last
 * taps − 1 samples of the previous block, then the new ones) is interleaved,
 * transformed, multiplied and transformed back there, and only the valid
 * outputs come back split per channel — JavaScript just copies. Returns false
 * where SIMD cannot run.
 */
function convolvePairSimd(a: Float32Array, b: Float32Array | null, kernel: FirKernel): boolean {
  const { fftSize, blockSize, spectrum, taps } = kernel;
  const fft = createSimdFft(fftSize);
  if (!fft) return false;
  const history = taps.length - 1;
  const outputFloats = (blockSize + 3) & ~3;
  // Channel regions one transform long plus vector padding; the second one
  // starts `span` after the first, which is the hop windowPair reads it at.
  const span = fftSize + 4;
  const at = { ones: 0, left: fftSize, right: fftSize + span, outLeft: fftSize + 2 * span, outRight: fftSize + 2 * span + outputFloats };
  const workspace = fft.workspace(at.outRight + outputFloats);
  workspace.fill(1, at.ones, at.left);
  workspace.fill(0, at.left, at.outLeft);
  // The SIMD inverse is unscaled: fold 1/N into the kernel's spectrum.
  const scaled = new Float32Array(2 * fftSize);
  for (let k = 0; k < 2 * fftSize; k++) scaled[k] = spectrum[k] / fftSize;
  fft.setMultiplier(scaled);
  const length = a.length;
  for (let start = 0; start < length; start += blockSize) {
    const count = Math.min(blockSize, length - start);
    for (const [samples, region] of [[a, at.left], [b, at.right]] as const) {
      if (!samples) continue;
      // The previous block's last `history` inputs lead this one (zeros before the first).
      workspace.copyWithin(region, region + blockSize, region + blockSize + history);
      workspace.set(samples.subarray(start, start + count), region + history);
      workspace.fill(0, region + history + count, region + fftSize);
    }
    fft.windowPair(at.left, at.ones, fftSize, span, b !== null);
    fft.forward();
    fft.multiply();
    fft.inverse();
    // Circular wrap-around spoils the first `history` outputs; the rest are the block's.
    fft.splitResult(history, outputFloats, at.outLeft, at.outRight);
    a.set(workspace.subarray(at.outLeft, at.outLeft + count), start);
    if (b) b.set(workspace.subarray(at.outRight, at.outRight + count), start);
  }
  return true;
}

/** One block's circular convolution with the kernel: fill `input` (interleaved pair), then `filter()`. */
interface BlockFilter {
  readonly input: Float32Array | Float64Array;
  filter(): Float32Array | Float64Array;
}

function blockFilterFor(kernel: FirKernel): BlockFilter {
  const { fftSize, spectrum } = kernel;
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
