/**
 * The limiter's look-ahead maximum in WebAssembly SIMD (see sliding-max.wat):
 * the scalar van Herk scan is branchy, one compare at a time; here a window of
 * 133 samples costs eight vector max passes over a cache-sized chunk. Null
 * where WebAssembly SIMD is missing (callers keep the scalar scan).
 */
import { WASM_BASE64 } from './wasm/sliding-max.wasm.ts';
import { compileSimdModule, instantiateWithMemory, simdEnabled } from '../wasm/simd-module.ts';

interface SlidingMaxExports {
  readonly memory: WebAssembly.Memory;
  slidingMax(pointer: number, count: number, window: number): void;
  blockMax16(pointer: number, out: number, blocks: number): void;
  stereoMaxAbs(left: number, right: number, out: number, count: number): void;
  stereoBlockMax16(left: number, right: number, out: number, blocks: number): void;
}

/** Outputs per call: the chunk and its window stay in cache through every pass. */
const CHUNK = 32768;
/** Longer windows (none in practice) go to the scalar scan rather than grow memory without bound. */
const MAX_WINDOW = 1 << 20;
/** Zeros after the data, read by the last vectors of a pass. */
const PADDING = 4;

let instance: { exports: SlidingMaxExports; heap: Float32Array; capacity: number } | null | undefined;

function slidingMaxInstance(window: number) {
  if (!simdEnabled()) return null;
  if (instance === undefined) {
    const module = compileSimdModule(WASM_BASE64);
    const exports = module && instantiateWithMemory<SlidingMaxExports>(module, 0, { slidingMax: true, blockMax16: true, stereoMaxAbs: true, stereoBlockMax16: true });
    instance = exports && { exports, heap: new Float32Array(exports.memory.buffer), capacity: exports.memory.buffer.byteLength / 4 };
  }
  if (!instance) return null;
  const needed = Math.max(CHUNK + window - 1 + PADDING, 3 * CHUNK);
  if (needed > instance.capacity) {
    instance.exports.memory.grow(Math.ceil((needed - instance.capacity) / 16384));
    instance.heap = new Float32Array(instance.exports.memory.buffer);
    instance.capacity = instance.heap.length;
  }
  return instance;
}

/**
 * out[n] = max(values[n .. n + window − 1]), the window cut at the end, for
 * non-negative `values`; null where SIMD cannot run. `out` may be `values`
 * itself: each chunk reads only values no earlier chunk has overwritten.
 *
 * @example const peaks = slidingMaxSimd(envelope, 133);
 */
export function slidingMaxSimd(values: Float32Array, window: number, out: Float32Array = new Float32Array(values.length)): Float32Array | null {
  if (!Number.isInteger(window) || window < 1 || window > MAX_WINDOW) return null;
  if (out.length !== values.length) throw new RangeError('out must be as long as values');
  const wasm = slidingMaxInstance(window);
  if (!wasm) return null;
  const { exports, heap } = wasm;
  const length = values.length;
  for (let start = 0; start < length; start += CHUNK) {
    const count = Math.min(CHUNK, length - start);
    const available = Math.min(length, start + count + window - 1) - start;
    heap.set(values.subarray(start, start + available), 0);
    // Past the end the window is cut: zeros (the values are magnitudes).
    heap.fill(0, available, count + window - 1 + PADDING);
    exports.slidingMax(0, count, window);
    out.set(heap.subarray(0, count), start);
  }
  return out;
}

/** Samples per block of {@link blockMaximaSimd}. */
export const SIMD_MAX_BLOCK = 16;

/**
 * The largest value of each 16-value block (the last one cut at the end), for
 * non-negative `values`; null where SIMD cannot run.
 *
 * @example const blockPeaks = blockMaximaSimd(envelope);
 */
export function blockMaximaSimd(values: Float32Array): Float32Array | null {
  const wasm = slidingMaxInstance(1);
  if (!wasm) return null;
  const { exports, heap } = wasm;
  const blocks = Math.ceil(values.length / SIMD_MAX_BLOCK);
  const out = new Float32Array(blocks);
  // A chunk of CHUNK values is followed by its CHUNK / 16 maxima in the same memory.
  const perChunk = CHUNK / SIMD_MAX_BLOCK;
  for (let first = 0; first < blocks; first += perChunk) {
    const count = Math.min(perChunk, blocks - first);
    const start = first * SIMD_MAX_BLOCK;
    const available = Math.min(values.length - start, count * SIMD_MAX_BLOCK);
    heap.set(values.subarray(start, start + available), 0);
    heap.fill(0, available, count * SIMD_MAX_BLOCK);
    exports.blockMax16(0, CHUNK * 4, count);
    out.set(heap.subarray(CHUNK, CHUNK + count), first);
  }
  return out;
}

/**
 * max(|left[i]|, |right[i]|) per sample, into `out` when given; null where SIMD cannot run.
 *
 * @example const envelope = stereoPeakEnvelopeSimd(left, right);
 */
export function stereoPeakEnvelopeSimd(left: Float32Array, right: Float32Array, out?: Float32Array): Float32Array | null {
  const wasm = slidingMaxInstance(1);
  if (!wasm) return null;
  const { exports, heap } = wasm;
  const length = left.length;
  out ??= new Float32Array(length);
  // Left at floats [0, CHUNK), right at [CHUNK, 2·CHUNK), result at [2·CHUNK, 3·CHUNK).
  for (let start = 0; start < length; start += CHUNK) {
    const count = Math.min(CHUNK, length - start);
    heap.set(left.subarray(start, start + count), 0);
    heap.set(right.subarray(start, start + count), CHUNK);
    exports.stereoMaxAbs(0, CHUNK * 4, CHUNK * 8, (count + 3) & ~3);
    out.set(heap.subarray(2 * CHUNK, 2 * CHUNK + count), start);
  }
  return out;
}

/**
 * The largest of max(|left|, |right|) in each 16-frame block (the last one cut
 * at the end); null where SIMD cannot run.
 *
 * @example const blockPeaks = stereoBlockMaximaSimd(left, right);
 */
export function stereoBlockMaximaSimd(left: Float32Array, right: Float32Array): Float32Array | null {
  const wasm = slidingMaxInstance(1);
  if (!wasm) return null;
  const { exports, heap } = wasm;
  const length = left.length;
  const blocks = Math.ceil(length / SIMD_MAX_BLOCK);
  const out = new Float32Array(blocks);
  // Left at floats [0, CHUNK), right at [CHUNK, 2·CHUNK), block peaks from 2·CHUNK.
  for (let start = 0; start < length; start += CHUNK) {
    const count = Math.min(CHUNK, length - start);
    const chunkBlocks = Math.ceil(count / SIMD_MAX_BLOCK);
    heap.set(left.subarray(start, start + count), 0);
    heap.fill(0, count, chunkBlocks * SIMD_MAX_BLOCK);
    heap.set(right.subarray(start, start + count), CHUNK);
    heap.fill(0, CHUNK + count, CHUNK + chunkBlocks * SIMD_MAX_BLOCK);
    exports.stereoBlockMax16(0, CHUNK * 4, CHUNK * 8, chunkBlocks);
    out.set(heap.subarray(2 * CHUNK, 2 * CHUNK + chunkBlocks), start / SIMD_MAX_BLOCK);
  }
  return out;
}
