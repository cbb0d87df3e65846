/**
 * Energy and peak of stretches of a stereo pair in WebAssembly SIMD (see
 * stereo-levels.wat): the analysis reads its level blocks through this, each
 * stretch's sums identical to the scalar loop's. Null where WebAssembly SIMD
 * is missing (callers keep the scalar loop).
 */
import { WASM_BASE64 } from './wasm/stereo-levels.wasm.ts';
import { compileSimdModule, instantiateWithMemory } from '../wasm/simd-module.ts';

interface StereoLevelsExports {
  readonly memory: WebAssembly.Memory;
  stereoEnergyPeak(left: number, right: number, count: number, peakOut: number): number;
}

/** Frames copied in at a time: both channels and the peak slot fit in 260 KiB. */
const CHUNK = 32768;
/** The longest stretch one `measure` takes. */
export const STEREO_STRETCH_MAX_FRAMES = CHUNK;
const LEFT = 0;
const RIGHT = 4 * CHUNK;
const PEAK = 8 * CHUNK;

let instance: { exports: StereoLevelsExports; heap: Float32Array } | null | undefined;

function stereoLevelsInstance() {
  if (instance === undefined) {
    const module = compileSimdModule(WASM_BASE64);
    const exports = module && instantiateWithMemory<StereoLevelsExports>(module, PEAK + 16);
    instance = exports && { exports, heap: new Float32Array(exports.memory.buffer) };
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
  const result = { energy: 0, peak: 0 };
  return {
    measure(from, to) {
      if (from < chunkStart || to > chunkEnd) {
        if (to - from > CHUNK) throw new RangeError(`a stretch of ${to - from} frames is longer than ${CHUNK}`);
        chunkStart = from;
        chunkEnd = Math.min(length, from + CHUNK);
        heap.set(left.subarray(chunkStart, chunkEnd), LEFT / 4);
        heap.set(right.subarray(chunkStart, chunkEnd), RIGHT / 4);
      }
      const offset = 4 * (from - chunkStart);
      result.energy = exports.stereoEnergyPeak(LEFT + offset, RIGHT + offset, to - from, PEAK);
      result.peak = heap[PEAK / 4];
      return result;
    },
  };
}
