/**
 * FIR filtering by FFT blocks, in place, over whole channels or as a stream
 * with no latency. Two real channels share one complex transform (left in the
 * real part, right in the imaginary part): the kernel is real, so multiplying
 * by its spectrum keeps the two apart, and a stereo pass costs one forward and
 * one inverse FFT per block.
 * With WebAssembly SIMD the blocks run overlap-save inside the transform's
 * memory; without it, overlap-add through fft.js.
 */
import { fftPlan, nextPowerOfTwo } from './fft.ts';
import { createSimdFft, type SimdFft } from './fft-simd.ts';
import { processWhole, type Frames, type StreamStage } from './stream-stage.ts';

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
  return { taps, spectrum: kernelSpectrum(taps, fftSize), fftSize, blockSize };
}

/**
 * The spectrum of `taps` zero-padded to `fftSize`: by the SIMD transform the
 * convolution itself runs on where it runs (single precision, which the SIMD
 * path multiplies in anyway; fft.js, in JavaScript, took ~20 ms for a 93 ms
 * kernel in a fresh process, where its code had not been compiled yet), else
 * by fft.js in double precision for the fft.js path.
 */
function kernelSpectrum(taps: Float32Array, fftSize: number): Float64Array {
  const simd = createSimdFft(fftSize);
  if (simd) {
    const input = simd.input;
    input.fill(0);
    for (let n = 0; n < taps.length; n++) input[2 * n] = taps[n];
    return new Float64Array(simd.forward());
  }
  const plan = fftPlan(fftSize);
  const padded = new Float64Array(fftSize);
  padded.set(taps);
  const spectrum = new Float64Array(2 * fftSize);
  plan.realTransform(spectrum, padded);
  plan.completeSpectrum(spectrum);
  return spectrum;
}

/**
 * Filters every channel in place with `kernel` (causal; output keeps the input
 * length): by the SIMD FFT where it runs and the switch allows
 * (core/wasm/simd-module.ts), else by fft.js.
 */
export function convolveChannelsInPlace(channels: readonly Float32Array[], kernel: FirKernel): void {
  processWhole(createFirConvolution(kernel), channels);
}

/**
 * The convolution as a stream stage with no latency: each push is filtered in
 * place, in chunks of at most the kernel's block size (a short push is one
 * short chunk), and what the next chunk needs of the past — the last
 * taps − 1 inputs, or the overlap-add tail — is carried per channel. The
 * path (SIMD or fft.js) is chosen when the stream is made.
 *
 * @example const stage = createFirConvolution(kernel); for (const block of blocks) write(stage.push(block));
 */
export function createFirConvolution(kernel: FirKernel): StreamStage {
  const fft = createSimdFft(kernel.fftSize);
  const multiplier = fft && scaledSpectrum(kernel);
  let pairs: PairFilter[] | null = null;
  let rest: Frames = [];
  return {
    push(input) {
      if (!pairs) {
        pairs = [];
        for (let c = 0; c < input.length; c += 2) {
          const stereo = c + 1 < input.length;
          pairs.push(fft && multiplier ? simdPairFilter(kernel, fft, multiplier, stereo) : pairFilter(kernel, stereo));
        }
        rest = input.map(() => new Float32Array(0));
      }
      for (let c = 0; c < input.length; c += 2) pairs[c / 2](input[c], c + 1 < input.length ? input[c + 1] : null);
      return input;
    },
    finish: () => rest,
    report() {},
  };
}

/** Filters the next frames of a pair of channels (or one, `b` null) in place, continuing the convolution. */
type PairFilter = (a: Float32Array, b: Float32Array | null) => void;

/** Overlap-add through fft.js: the tail of each chunk's convolution past its own length is added to what follows. */
function pairFilter(kernel: FirKernel, stereo: boolean): PairFilter {
  const { blockSize } = kernel;
  const block = blockFilterFor(kernel);
  const input = block.input;
  const tailLength = kernel.taps.length - 1;
  const tailA = new Float64Array(tailLength);
  const tailB = new Float64Array(stereo ? tailLength : 0);
  return (a, b) => {
    const length = a.length;
    for (let start = 0; start < length; start += blockSize) {
      const count = Math.min(blockSize, length - start);
      for (let i = 0; i < count; i++) {
        input[2 * i] = a[start + i];
        input[2 * i + 1] = b ? b[start + i] : 0;
      }
      input.fill(0, 2 * count);
      const output = block.filter();
      for (let i = 0; i < count; i++) {
        a[start + i] = output[2 * i] + (i < tailLength ? tailA[i] : 0);
        if (b) b[start + i] = output[2 * i + 1] + (i < tailLength ? tailB[i] : 0);
      }
      // New tail: outputs count.. of this chunk plus what remains of the old tail.
      for (let i = 0; i < tailLength; i++) {
        tailA[i] = output[2 * (count + i)] + (count + i < tailLength ? tailA[count + i] : 0);
        if (b) tailB[i] = output[2 * (count + i) + 1] + (count + i < tailLength ? tailB[count + i] : 0);
      }
    }
  };
}

/** The kernel's spectrum × 1/N in single precision: the SIMD inverse is unscaled. */
function scaledSpectrum(kernel: FirKernel): Float32Array {
  const { spectrum, fftSize } = kernel;
  const scaled = new Float32Array(2 * fftSize);
  for (let k = 0; k < 2 * fftSize; k++) scaled[k] = spectrum[k] / fftSize;
  return scaled;
}

/**
 * Overlap-save in the SIMD transform's memory: each chunk's input (the last
 * taps − 1 inputs before it, then the new ones) is interleaved, transformed,
 * multiplied and transformed back there, and only the valid outputs come back
 * split per channel — JavaScript just copies. A pair's two channels share
 * each transform; one channel alone puts two consecutive chunks in one. The
 * transform is shared with every other user of its size, so each call sets up
 * its workspace and multiplier again and the history lives here, not there.
 */
function simdPairFilter(kernel: FirKernel, fft: SimdFft, multiplier: Float32Array, stereo: boolean): PairFilter {
  const { fftSize, blockSize } = kernel;
  const history = kernel.taps.length - 1;
  const outputFloats = (blockSize + 3) & ~3;
  // Channel regions one transform long plus vector padding; the second one
  // starts `span` after the first, which is the hop windowPair reads it at.
  const span = fftSize + 4;
  const at = { ones: 0, left: fftSize, right: fftSize + span, outLeft: fftSize + 2 * span, outRight: fftSize + 2 * span + outputFloats };
  const pastA = new Float32Array(history);
  const pastB = new Float32Array(stereo ? history : 0);
  /** Copies `count` inputs from `start` of `samples` into `region` after the `history` before them (kept in `past`, then advanced). */
  const load = (samples: Float32Array, start: number, count: number, region: number, past: Float32Array, workspace: Float32Array) => {
    workspace.set(past, region);
    workspace.set(samples.subarray(start, start + count), region + history);
    workspace.fill(0, region + history + count, region + fftSize);
    // The next chunk is led by this one's last `history` inputs.
    past.set(workspace.subarray(region + count, region + count + history));
  };
  /** One transform of the loaded regions (the right one only with `second`); the valid outputs land at outLeft / outRight. */
  const filterLoaded = (second: boolean, count: number) => {
    fft.windowPair(at.left, at.ones, fftSize, span, second);
    fft.forward();
    fft.multiply();
    fft.inverse();
    // Circular wrap-around spoils the first `history` outputs; the rest are the chunk's.
    fft.splitResult(history, (count + 3) & ~3, at.outLeft, at.outRight);
  };
  return (a, b) => {
    const workspace = fft.workspace(at.outRight + outputFloats);
    workspace.fill(1, at.ones, at.left);
    fft.setMultiplier(multiplier);
    const length = a.length;
    if (b) {
      for (let start = 0; start < length; start += blockSize) {
        const count = Math.min(blockSize, length - start);
        load(a, start, count, at.left, pastA, workspace);
        load(b, start, count, at.right, pastB, workspace);
        filterLoaded(true, count);
        a.set(workspace.subarray(at.outLeft, at.outLeft + count), start);
        b.set(workspace.subarray(at.outRight, at.outRight + count), start);
      }
      return;
    }
    // One channel: two consecutive chunks share a transform, the second in
    // the imaginary part (the kernel is real, so they stay apart): one
    // transform for every two chunks.
    for (let start = 0; start < length; ) {
      const first = Math.min(blockSize, length - start);
      const second = Math.min(blockSize, length - start - first);
      load(a, start, first, at.left, pastA, workspace);
      if (second > 0) load(a, start + first, second, at.right, pastA, workspace);
      filterLoaded(second > 0, first);
      a.set(workspace.subarray(at.outLeft, at.outLeft + first), start);
      if (second > 0) a.set(workspace.subarray(at.outRight, at.outRight + second), start + first);
      start += first + second;
    }
  };
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
