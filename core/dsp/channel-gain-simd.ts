/**
 * Gains applied to channels in place in WebAssembly SIMD (see
 * channel-gain.wat): the compressor's ramps between control-block gains, the
 * limiter's gain curve and a plain scale. Every sample comes out identical to
 * the scalar loops these stand in for. Each returns false where WebAssembly
 * SIMD is missing, and the caller runs its scalar loop.
 */
import { WASM_BASE64 } from './wasm/channel-gain.wasm.ts';
import { compileSimdModule, instantiateWithMemory, simdEnabled } from '../wasm/simd-module.ts';

interface ChannelGainExports {
  readonly memory: WebAssembly.Memory;
  rampGain(pointer: number, gains: number, blocks: number): void;
  curveGain(pointer: number, curve: number, count: number, gain: number): void;
  scale(pointer: number, count: number, factor: number): void;
}

/** Samples per call, a whole number of ramp blocks; samples, curve and gains stay in cache. */
const CHUNK = 32768;
/** Samples per ramp block in the kernel. */
export const SIMD_RAMP_BLOCK = 16;
const SAMPLES = 0;
const CURVE = 4 * CHUNK;
const GAINS = 8 * CHUNK;

let instance: { exports: ChannelGainExports; heap: Float32Array } | null | undefined;

function channelGainInstance() {
  if (!simdEnabled()) return null;
  if (instance === undefined) {
    const module = compileSimdModule(WASM_BASE64);
    const exports = module && instantiateWithMemory<ChannelGainExports>(module, GAINS + 4 * (CHUNK / SIMD_RAMP_BLOCK + 1), { rampGain: true, curveGain: true, scale: true });
    instance = exports && { exports, heap: new Float32Array(exports.memory.buffer) };
  }
  return instance;
}

/** Copies [start, start + count) of `samples` in, zero-padded to `padded`, runs `kernel`, copies it back. */
function inPlace(heap: Float32Array, samples: Float32Array, start: number, count: number, padded: number, kernel: () => void): void {
  heap.set(samples.subarray(start, start + count), SAMPLES / 4);
  heap.fill(0, SAMPLES / 4 + count, SAMPLES / 4 + padded);
  kernel();
  samples.set(heap.subarray(SAMPLES / 4, SAMPLES / 4 + count), start);
}

const roundUp = (n: number, multiple: number) => Math.ceil(n / multiple) * multiple;

/**
 * samples[16b + k] *= gains[b] + (gains[b + 1] − gains[b]) / 16 · k on every
 * channel (`gains` holds one value per 16-sample block and one more).
 *
 * @example if (!applyRampGainsSimd(channels, gains)) interpolateInJavaScript(); // the compressor's scalar loop
 */
export function applyRampGainsSimd(channels: readonly Float32Array[], gains: Float32Array): boolean {
  const wasm = channelGainInstance();
  if (!wasm) return false;
  const { exports, heap } = wasm;
  for (const samples of channels) {
    for (let start = 0; start < samples.length; start += CHUNK) {
      const count = Math.min(CHUNK, samples.length - start);
      const blocks = Math.ceil(count / SIMD_RAMP_BLOCK);
      const firstBlock = start / SIMD_RAMP_BLOCK;
      heap.set(gains.subarray(firstBlock, firstBlock + blocks + 1), GAINS / 4);
      inPlace(heap, samples, start, count, blocks * SIMD_RAMP_BLOCK, () => exports.rampGain(SAMPLES, GAINS, blocks));
    }
  }
  return true;
}

/**
 * samples[i] *= curve[i] · gain for i in [start, end) on every channel.
 *
 * @example applyGainCurveSimd(channels, limiterCurve, 2.5, 0, length)
 */
export function applyGainCurveSimd(channels: readonly Float32Array[], curve: Float32Array, gain: number, start: number, end: number): boolean {
  const wasm = channelGainInstance();
  if (!wasm) return false;
  const { exports, heap } = wasm;
  for (let from = start; from < end; from += CHUNK) {
    const count = Math.min(CHUNK, end - from);
    const padded = roundUp(count, 4);
    heap.set(curve.subarray(from, from + count), CURVE / 4);
    for (const samples of channels) inPlace(heap, samples, from, count, padded, () => exports.curveGain(SAMPLES, CURVE, padded, gain));
  }
  return true;
}

/**
 * samples[i] *= factor on every channel.
 *
 * @example scaleChannelsSimd(channels, 0.99)
 */
export function scaleChannelsSimd(channels: readonly Float32Array[], factor: number): boolean {
  const wasm = channelGainInstance();
  if (!wasm) return false;
  const { exports, heap } = wasm;
  for (const samples of channels) {
    for (let start = 0; start < samples.length; start += CHUNK) {
      const count = Math.min(CHUNK, samples.length - start);
      const padded = roundUp(count, 4);
      inPlace(heap, samples, start, count, padded, () => exports.scale(SAMPLES, padded, factor));
    }
  }
  return true;
}
