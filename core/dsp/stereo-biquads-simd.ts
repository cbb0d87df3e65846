/**
 * Two-section recursive filters over a stereo pair in WebAssembly SIMD
 * (stereo-biquads.wat): both channels' recursions in the two lanes of f64x2
 * vectors, double precision and the scalar kernels' operation order, so the
 * results are the scalar ones. Used for the K-weighting of loudness metering
 * and for the static EQ. Stretches are copied into the module's memory in
 * chunks; samples that do not fill a vector of four finish in scalar code,
 * continuing the same state. Null / false where WebAssembly SIMD is missing.
 */
import { WASM_BASE64 } from './wasm/stereo-biquads.wasm.ts';
import { compileSimdModule, instantiateWithMemory, simdEnabled } from '../wasm/simd-module.ts';
import { runTwoSections, TWO_SECTION_STATE, type BiquadCoefficients } from './biquad.ts';
import { kWeightedSquareSumPair } from './kweighted-energy.ts';
import { copySamples } from '../audio/copy-samples.ts';

interface StereoBiquadExports {
  readonly memory: WebAssembly.Memory;
  kWeight(left: number, right: number, count: number, block: number, out: number): void;
  cascade(left: number, right: number, count: number): void;
}

/** Frames per call (a multiple of every block size used, 16). */
const CHUNK = 8192;
const COEFFICIENTS = 0;
const STATE = 80;
const WEIGHTS = 144;
const SUMS = 160;
const LEFT = 256;
const RIGHT = LEFT + 4 * CHUNK;
const OUT = RIGHT + 4 * CHUNK;
const BYTES = OUT + 8 * CHUNK;

interface Kernel {
  readonly exports: StereoBiquadExports;
  readonly f32: Float32Array;
  readonly f64: Float64Array;
  coefficients: Float64Array | null;
}

let kernel: Kernel | null | undefined;

function stereoKernel(): Kernel | null {
  if (!simdEnabled()) return null;
  if (kernel === undefined) {
    const module = compileSimdModule(WASM_BASE64);
    const exports = module && instantiateWithMemory<StereoBiquadExports>(module, BYTES, { kWeight: true, cascade: true });
    kernel = exports && { exports, f32: new Float32Array(exports.memory.buffer), f64: new Float64Array(exports.memory.buffer), coefficients: null };
  }
  return kernel;
}

function load(k: Kernel, c: Float64Array, state: Float64Array, offsetA: number, offsetB: number, weightA: number, weightB: number): void {
  if (k.coefficients !== c) {
    k.f64.set(c.subarray(0, 10), COEFFICIENTS / 8);
    k.coefficients = c;
  }
  for (let s = 0; s < 4; s++) {
    k.f64[STATE / 8 + 2 * s] = state[offsetA + s];
    k.f64[STATE / 8 + 2 * s + 1] = state[offsetB + s];
  }
  k.f64[WEIGHTS / 8] = weightA;
  k.f64[WEIGHTS / 8 + 1] = weightB;
  k.f64[SUMS / 8] = 0;
  k.f64[SUMS / 8 + 1] = 0;
}

/** States this small are set to zero between calls, as the scalar kernel does, so silence never decays into slow subnormal arithmetic. */
const STATE_FLOOR = 1e-25;

function flushTinyStates(k: Kernel): void {
  for (let i = STATE / 8; i < STATE / 8 + 8; i++) if (Math.abs(k.f64[i]) < STATE_FLOOR) k.f64[i] = 0;
}

function save(k: Kernel, state: Float64Array, offsetA: number, offsetB: number): void {
  for (let s = 0; s < 4; s++) {
    state[offsetA + s] = k.f64[STATE / 8 + 2 * s];
    state[offsetB + s] = k.f64[STATE / 8 + 2 * s + 1];
  }
}

/**
 * {@link kWeightedSquareSumPair} in SIMD (same arguments, same result), or
 * null where it cannot run.
 */
export function kWeightedSquareSumPairSimd(
  a: Float32Array,
  b: Float32Array,
  weightA: number,
  weightB: number,
  start: number,
  end: number,
  c: Float64Array,
  state: Float64Array,
  offsetA: number,
  offsetB: number,
): number | null {
  const k = stereoKernel();
  if (!k) return null;
  const vectorEnd = start + ((end - start) & ~3);
  load(k, c, state, offsetA, offsetB, weightA, weightB);
  for (let from = start; from < vectorEnd; from += CHUNK) {
    const count = Math.min(CHUNK, vectorEnd - from);
    copySamples(k.f32, LEFT / 4, a.subarray(from, from + count));
    copySamples(k.f32, RIGHT / 4, b.subarray(from, from + count));
    k.exports.kWeight(LEFT, RIGHT, count, 0, 0);
    flushTinyStates(k);
  }
  save(k, state, offsetA, offsetB);
  const vectorSum = weightA * k.f64[SUMS / 8] + weightB * k.f64[SUMS / 8 + 1];
  // The scalar kernel finishes the stretch (and flushes tiny states, as it always does at the end).
  return vectorSum + kWeightedSquareSumPair(a, b, weightA, weightB, vectorEnd, end, c, state, offsetA, offsetB);
}

/**
 * Weighted K-weighted energy per `block` frames (a multiple of 4 dividing
 * {@link CHUNK}) of a stereo pair from rest, into `energy` (one value per
 * block, the last block possibly short); null where SIMD cannot run.
 */
export function kWeightedBlockEnergyPairSimd(
  a: Float32Array,
  b: Float32Array,
  weightA: number,
  weightB: number,
  block: number,
  c: Float64Array,
  energy: Float64Array,
): Float64Array | null {
  if (!stereoKernel() || block % 4 !== 0 || CHUNK % block !== 0) return null;
  const length = a.length;
  const whole = length - (length % block);
  const state = new Float64Array(8);
  for (let from = 0; from < whole; from += CHUNK) {
    const to = Math.min(whole, from + CHUNK);
    kWeightedBlockStretchSimd(a, b, from, to, weightA, weightB, block, c, state, energy, from / block, true);
  }
  if (whole < length) energy[whole / block] = kWeightedSquareSumPair(a, b, weightA, weightB, whole, length, c, state, 0, 4);
  return energy;
}

/** Whether the stereo kernels can run here now (WebAssembly SIMD present and switched on). */
export function stereoKWeightingSimdAvailable(): boolean {
  return stereoKernel() !== null;
}

/** Frames one {@link kWeightedBlockStretchSimd} call takes at most. */
export const K_WEIGHTED_STRETCH_MAX_FRAMES = CHUNK;

/**
 * Weighted K-weighted energy per `block` frames of `a[from..to)` and
 * `b[from..to)` (a whole number of blocks, at most
 * {@link K_WEIGHTED_STRETCH_MAX_FRAMES}) into `energy[at..]`, from and back
 * into `state` (a's four slots, then b's, as {@link kWeightedSquareSumPair}
 * with offsets 0 and 4); tiny states are set to zero afterwards when `flush`
 * (where a whole run does: after each of its chunks). False where SIMD
 * cannot run.
 *
 * @example kWeightedBlockStretchSimd(left, right, 0, 8192, 1, 1, 16, packed, state, energy, 0, true);
 */
export function kWeightedBlockStretchSimd(
  a: Float32Array,
  b: Float32Array,
  from: number,
  to: number,
  weightA: number,
  weightB: number,
  block: number,
  c: Float64Array,
  state: Float64Array,
  energy: Float64Array,
  at: number,
  flush: boolean,
): boolean {
  const k = stereoKernel();
  if (!k) return false;
  const count = to - from;
  if (count % block !== 0 || block % 4 !== 0 || count > CHUNK) throw new RangeError(`a stretch of ${count} frames is not a whole number of ${block}-frame blocks up to ${CHUNK}`);
  load(k, c, state, 0, 4, weightA, weightB);
  copySamples(k.f32, LEFT / 4, a.subarray(from, to));
  copySamples(k.f32, RIGHT / 4, b.subarray(from, to));
  k.exports.kWeight(LEFT, RIGHT, count, block, OUT);
  if (flush) flushTinyStates(k);
  save(k, state, 0, 4);
  energy.set(k.f64.subarray(OUT / 8, OUT / 8 + count / block), at);
  return true;
}

/**
 * Runs `first` then `second` over channels `a` and `b` in place, continuing
 * from and leaving each channel's memory in `state` at `offsetA` and
 * `offsetB` ({@link TWO_SECTION_STATE} numbers each; rest by default), so a
 * stream can run block by block; false where SIMD cannot run.
 *
 * @example runTwoSectionsOnPairSimd(highPass, lowShelf, left, right);
 */
export function runTwoSectionsOnPairSimd(
  first: BiquadCoefficients,
  second: BiquadCoefficients,
  a: Float32Array,
  b: Float32Array,
  state: Float64Array = new Float64Array(2 * TWO_SECTION_STATE),
  offsetA = 0,
  offsetB = TWO_SECTION_STATE,
): boolean {
  const k = stereoKernel();
  if (!k) return false;
  k.f64.set([first.b0, first.b1, first.b2, first.a1, first.a2, second.b0, second.b1, second.b2, second.a1, second.a2], COEFFICIENTS / 8);
  k.coefficients = null; // the K-weighting's coefficients must be loaded again
  for (let slot = 0; slot < 4; slot++) {
    k.f64[STATE / 8 + 2 * slot] = state[offsetA + slot];
    k.f64[STATE / 8 + 2 * slot + 1] = state[offsetB + slot];
  }
  const length = a.length;
  const vectorEnd = length & ~3;
  for (let from = 0; from < vectorEnd; from += CHUNK) {
    const count = Math.min(CHUNK, vectorEnd - from);
    copySamples(k.f32, LEFT / 4, a.subarray(from, from + count));
    copySamples(k.f32, RIGHT / 4, b.subarray(from, from + count));
    k.exports.cascade(LEFT, RIGHT, count);
    flushTinyStates(k);
    copySamples(a, from, k.f32.subarray(LEFT / 4, LEFT / 4 + count));
    copySamples(b, from, k.f32.subarray(RIGHT / 4, RIGHT / 4 + count));
  }
  // The last one to three samples continue from the vectors' state (lane 0 left, lane 1 right), which the scalar code leaves in `state`.
  save(k, state, offsetA, offsetB);
  runTwoSections(first, second, a, vectorEnd, state, offsetA);
  runTwoSections(first, second, b, vectorEnd, state, offsetB);
  return true;
}
