/**
 * Energy and peak of stretches of a stereo pair in WebAssembly SIMD (see
 * stereo-levels.wat): the analysis reads its level blocks through this, the
 * de-esser its side chain, each sum identical to the scalar loop's. Null
 * where WebAssembly SIMD is missing (callers keep the scalar loop).
 */
import { WASM_BASE64 } from './wasm/stereo-levels.wasm.ts';
import { compileSimdModule, instantiateWithMemory, simdEnabled } from '../wasm/simd-module.ts';

interface StereoLevelsExports {
  readonly memory: WebAssembly.Memory;
  stereoEnergyPeak(left: number, right: number, count: number, peakOut: number): number;
  stereoBlockEnergy16(left: number, right: number, out: number, blocks: number): void;
}

/** Frames copied in at a time: both channels and the peak slot fit in 260 KiB. */
const CHUNK = 32768;
/** The longest stretch one `measure` takes. */
export const STEREO_STRETCH_MAX_FRAMES = CHUNK;
const LEFT = 0;
const RIGHT = 4 * CHUNK;
const PEAK = 8 * CHUNK;
/** Block energies of one chunk, after the peak slot. */
const BLOCK_ENERGY = PEAK + 16;
/** Frames per block of {@link stereoBlockEnergySimd}. */
export const SIMD_ENERGY_BLOCK = 16;

let instance: { exports: StereoLevelsExports; heap: Float32Array; energies: Float64Array } | null | undefined;
/** Bumped whenever the channel regions are overwritten, so a stretch meter knows its chunk is gone. */
let loads = 0;

function stereoLevelsInstance() {
  if (!simdEnabled()) return null;
  if (instance === undefined) {
    const module = compileSimdModule(WASM_BASE64);
    const exports = module && instantiateWithMemory<StereoLevelsExports>(module, BLOCK_ENERGY + 8 * (CHUNK / SIMD_ENERGY_BLOCK), { stereoEnergyPeak: true, stereoBlockEnergy16: true });
    instance = exports && {
      exports,
      heap: new Float32Array(exports.memory.buffer),
      energies: new Float64Array(exports.memory.buffer, BLOCK_ENERGY, CHUNK / SIMD_ENERGY_BLOCK),
    };
  }
  return instance;
}

/** Measures [from, to) of the pair: sum of squares of both channels, and the largest magnitude. */
export interface StereoStretchMeter {
  measure(from: number, to: number): { energy: number; peak: number };
}

/**
 * A meter of stretches of `left`/`right` read in increasing order (each at
 * most {@link STEREO_STRETCH_MAX_FRAMES} frames); null where SIMD cannot run.
 *
 * @example const meter = stereoStretchMeterSimd(left, right); meter?.measure(0, 441).energy
 */
export function stereoStretchMeterSimd(left: Float32Array, right: Float32Array): StereoStretchMeter | null {
  const wasm = stereoLevelsInstance();
  if (!wasm) return null;
  const { exports, heap } = wasm;
  const length = left.length;
  let chunkStart = 0;
  let chunkEnd = 0;
  let loaded = -1;
  const result = { energy: 0, peak: 0 };
  return {
    measure(from, to) {
      if (from < chunkStart || to > chunkEnd || loaded !== loads) {
        if (to - from > CHUNK) throw new RangeError(`a stretch of ${to - from} frames is longer than ${CHUNK}`);
        chunkStart = from;
        chunkEnd = Math.min(length, from + CHUNK);
        heap.set(left.subarray(chunkStart, chunkEnd), LEFT / 4);
        heap.set(right.subarray(chunkStart, chunkEnd), RIGHT / 4);
        loaded = ++loads;
      }
      const offset = 4 * (from - chunkStart);
      result.energy = exports.stereoEnergyPeak(LEFT + offset, RIGHT + offset, to - from, PEAK);
      result.peak = heap[PEAK / 4];
      return result;
    },
  };
}

/**
 * Σ left² + Σ right² (float64) per {@link SIMD_ENERGY_BLOCK} frames, the last
 * block cut at the end; null where SIMD cannot run.
 *
 * @example const energies = stereoBlockEnergySimd(bandLeft, bandRight);
 */
export function stereoBlockEnergySimd(left: Float32Array, right: Float32Array): Float64Array | null {
  const wasm = stereoLevelsInstance();
  if (!wasm) return null;
  const { exports, heap, energies } = wasm;
  const length = left.length;
  const out = new Float64Array(Math.ceil(length / SIMD_ENERGY_BLOCK));
  for (let start = 0; start < length; start += CHUNK) {
    const count = Math.min(CHUNK, length - start);
    const blocks = Math.ceil(count / SIMD_ENERGY_BLOCK);
    loads++;
    heap.set(left.subarray(start, start + count), LEFT / 4);
    heap.fill(0, LEFT / 4 + count, LEFT / 4 + blocks * SIMD_ENERGY_BLOCK);
    heap.set(right.subarray(start, start + count), RIGHT / 4);
    heap.fill(0, RIGHT / 4 + count, RIGHT / 4 + blocks * SIMD_ENERGY_BLOCK);
    exports.stereoBlockEnergy16(LEFT, RIGHT, BLOCK_ENERGY, blocks);
    out.set(energies.subarray(0, blocks), start / SIMD_ENERGY_BLOCK);
  }
  return out;
}
