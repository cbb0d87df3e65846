/**
 * Stereo WAV sample conversion in WebAssembly SIMD (pcm-convert.wat): 16- and
 * 24-bit decode and 24-bit encode, the formats of most uploads and of the
 * default master. Bytes and samples are those of the scalar converters; chunks are
 * copied through the module's memory. Each function returns false where
 * WebAssembly SIMD is missing, so the caller runs its scalar loop.
 */
import { HOST_IS_LITTLE_ENDIAN } from './wav-format.ts';
import { WASM_BASE64 } from './wasm/pcm-convert.wasm.ts';
import { compileSimdModule, instantiateWithMemory, simdEnabled } from '../wasm/simd-module.ts';

interface PcmExports {
  readonly memory: WebAssembly.Memory;
  decodeS16Stereo(src: number, left: number, right: number, frames: number): void;
  decodeS24Stereo(src: number, left: number, right: number, frames: number): void;
  encodeS24Stereo(left: number, right: number, out: number, frames: number): number;
}

/** Frames per chunk (a multiple of 4). */
const CHUNK = 16384;
// Float regions for left and right, then bytes (room for 8 bytes per frame and the encoder's 4-byte overrun).
const LEFT = 0;
const RIGHT = 4 * CHUNK;
const BYTES = 8 * CHUNK;
const TOTAL = BYTES + 8 * CHUNK + 16;

let module: { exports: PcmExports; f32: Float32Array; u8: Uint8Array } | null | undefined;

function pcmModule() {
  if (!simdEnabled()) return null;
  if (module === undefined) {
    // The vector code reads little-endian words, as WebAssembly memory is; the host's typed arrays must agree.
    const compiled = HOST_IS_LITTLE_ENDIAN ? compileSimdModule(WASM_BASE64) : null;
    const exports = compiled && instantiateWithMemory<PcmExports>(compiled, TOTAL, { decodeS16Stereo: true, decodeS24Stereo: true, encodeS24Stereo: true });
    module = exports && { exports, f32: new Float32Array(exports.memory.buffer), u8: new Uint8Array(exports.memory.buffer) };
  }
  return module;
}

/**
 * Decodes the whole frames of interleaved 16-bit stereo at `bytes[start..]`
 * into `left` and `right` from frame 0, up to a multiple of four frames;
 * returns how many frames it did (0 where SIMD cannot run).
 */
export function decodeS16StereoSimd(bytes: Uint8Array, start: number, left: Float32Array, right: Float32Array, frames: number): number {
  const m = pcmModule();
  if (!m) return 0;
  const vectorFrames = frames & ~3;
  for (let first = 0; first < vectorFrames; first += CHUNK) {
    const count = Math.min(CHUNK, vectorFrames - first);
    m.u8.set(bytes.subarray(start + 4 * first, start + 4 * (first + count)), BYTES);
    m.exports.decodeS16Stereo(BYTES, LEFT, RIGHT, count);
    left.set(m.f32.subarray(LEFT / 4, LEFT / 4 + count), first);
    right.set(m.f32.subarray(RIGHT / 4, RIGHT / 4 + count), first);
  }
  return vectorFrames;
}

/**
 * Decodes the whole frames of interleaved 24-bit stereo at `bytes[start..]`
 * into `left` and `right` from frame 0, up to a multiple of four frames;
 * returns how many frames it did (0 where SIMD cannot run).
 */
export function decodeS24StereoSimd(bytes: Uint8Array, start: number, left: Float32Array, right: Float32Array, frames: number): number {
  const m = pcmModule();
  if (!m) return 0;
  const vectorFrames = frames & ~3;
  for (let first = 0; first < vectorFrames; first += CHUNK) {
    const count = Math.min(CHUNK, vectorFrames - first);
    m.u8.set(bytes.subarray(start + 6 * first, start + 6 * (first + count)), BYTES);
    m.exports.decodeS24Stereo(BYTES, LEFT, RIGHT, count);
    left.set(m.f32.subarray(LEFT / 4, LEFT / 4 + count), first);
    right.set(m.f32.subarray(RIGHT / 4, RIGHT / 4 + count), first);
  }
  return vectorFrames;
}

/**
 * Encodes frames [0, n) of `left` and `right` as interleaved 24-bit stereo
 * into `out[offset..]`, n the largest multiple of four below `frames` (the
 * last frame always stays for the caller, whose store must not overrun);
 * returns n, or −1 if a sample is NaN or infinite (0 where SIMD cannot run).
 */
export function encodeS24StereoSimd(out: Uint8Array, offset: number, left: Float32Array, right: Float32Array, frames: number): number {
  const m = pcmModule();
  if (!m) return 0;
  const vectorFrames = (frames - 1) & ~3;
  for (let first = 0; first < vectorFrames; first += CHUNK) {
    const count = Math.min(CHUNK, vectorFrames - first);
    m.f32.set(left.subarray(first, first + count), LEFT / 4);
    m.f32.set(right.subarray(first, first + count), RIGHT / 4);
    if (m.exports.encodeS24Stereo(LEFT, RIGHT, BYTES, count) !== 0) return -1;
    out.set(m.u8.subarray(BYTES, BYTES + 6 * count), offset + 6 * first);
  }
  return Math.max(0, vectorFrames);
}
