/**
 * WAV writing as the samples come: the header first (it needs only the frame
 * count, announced up front), then each block of planar frames as bytes. The
 * 16-bit dither's PRNG state lives in the encoder, so blocks of any size give
 * the very bytes of one whole-track encode; {@link encodeWav} is this encoder
 * run over the track as one block. Samples are written through typed arrays
 * in chunks — no per-sample objects or DataView calls beyond 24-bit's stores.
 */
import { AudoEqError } from '../domain/errors.ts';
import type { Frames } from '../dsp/stream-stage.ts';
import { encodeS24StereoSimd } from './pcm-simd.ts';
import { HOST_IS_LITTLE_ENDIAN } from './wav-format.ts';
import { wavHeader, wavLayout, type WavBitDepth, type WavLayout } from './wav-layout.ts';

export interface WavFormatOptions {
  /** 16 = PCM with TPDF dither, 24 = PCM, 32 = IEEE float. */
  readonly bitDepth: WavBitDepth;
  /** Seed of the 16-bit dither's PRNG; the same seed and input give the same bytes. */
  readonly ditherSeed?: number;
}

export interface WavEncoderOptions extends WavFormatOptions {
  readonly sampleRateHz: number;
  readonly channelCount: number;
  /** Frames the file will hold: the header announces them, and exactly this many must be encoded. */
  readonly frames: number;
}

export interface WavEncoder {
  readonly layout: WavLayout;
  /**
   * The header bytes (everything before the first sample). It announces
   * `frames`; if fewer frames arrive, {@link WavEncoder.finish} throws, and
   * the bytes already handed out describe a longer file than they are (a
   * caller writing a file must discard it).
   */
  header(): Uint8Array;
  /**
   * The bytes of the next `block` (planar, `channelCount` channels of equal
   * length; any length, also 0), in a new array. The block that completes
   * the data also carries the pad byte an odd data size needs. Throws
   * `AudoEqError('internal_error')` for a NaN or infinite sample, a block of
   * the wrong shape, or frames beyond those announced.
   */
  encode(block: Frames): Uint8Array;
  /** As {@link WavEncoder.encode}, into `out` at `offset` (which must have room); returns the bytes written. */
  encodeInto(block: Frames, out: Uint8Array, offset: number): number;
  /** Frames encoded so far. */
  readonly framesEncoded: number;
  /** Checks that all announced frames were encoded; throws `internal_error` if not. */
  finish(): void;
}

/** Fixed default dither seed (any non-zero 32-bit value would do; this one is 2^32/φ). */
export const DEFAULT_DITHER_SEED = 0x9e3779b9;
/** Samples per scratch chunk of the 16-bit and float writers. */
const CHUNK_SAMPLES = 65536;

function nonFinite(): AudoEqError {
  return new AudoEqError('internal_error', 'Cannot encode a NaN or infinite sample to WAV.');
}

function swapPairs(bytes: Uint8Array, byteCount: number): void {
  for (let i = 0; i < byteCount; i += 2) {
    const t = bytes[i];
    bytes[i] = bytes[i + 1];
    bytes[i + 1] = t;
  }
}

/** The dither PRNG's state, carried from block to block. */
interface DitherState {
  state: number;
}

/** 16-bit: TPDF dither (difference of two uniform draws, ±1 LSB) then rounding and clipping. */
function writePcm16(out: Uint8Array, offset: number, channels: Frames, frames: number, block: Int16Array, dither: DitherState): void {
  const channelCount = channels.length;
  const blockFrames = (block.length / channelCount) | 0;
  const blockBytes = new Uint8Array(block.buffer);
  let state = dither.state;
  try {
    for (let first = 0; first < frames; first += blockFrames) {
      const count = Math.min(blockFrames, frames - first);
      for (let i = 0, w = 0; i < count; i++) {
        for (let c = 0; c < channelCount; c++, w++) {
          const x = channels[c][first + i];
          if (x - x !== 0) throw nonFinite();
          // xorshift32, twice: two independent uniform draws in [0, 1).
          state ^= state << 13;
          state ^= state >>> 17;
          state ^= state << 5;
          const u1 = (state >>> 0) * 2.3283064365386963e-10;
          state ^= state << 13;
          state ^= state >>> 17;
          state ^= state << 5;
          const u2 = (state >>> 0) * 2.3283064365386963e-10;
          let q = Math.floor(x * 32768 + (u1 - u2) + 0.5);
          if (q > 32767) q = 32767;
          else if (q < -32768) q = -32768;
          block[w] = q;
        }
      }
      const byteCount = count * channelCount * 2;
      if (!HOST_IS_LITTLE_ENDIAN) swapPairs(blockBytes, byteCount);
      out.set(blockBytes.subarray(0, byteCount), offset + first * channelCount * 2);
    }
  } finally {
    dither.state = state;
  }
}

function quantize24(x: number): number {
  if (x - x !== 0) throw nonFinite();
  // floor(x + 0.5) is Math.round for these magnitudes, and several times faster in V8.
  const q = Math.floor(x * 8388608 + 0.5);
  return q > 8388607 ? 8388607 : q < -8388608 ? -8388608 : q;
}

function writePcm24(out: Uint8Array, offset: number, channels: Frames, frames: number): void {
  const channelCount = channels.length;
  const total = frames * channelCount;
  if (total === 0) return;
  // Each sample is stored as a little-endian 32-bit word at its 3-byte slot:
  // one store instead of three, its fourth byte overwritten by the next
  // sample's word. The block's last sample, with no successor, goes byte by byte.
  const view = new DataView(out.buffer, out.byteOffset, out.byteLength);
  let p = offset;
  let n = 0;
  if (channelCount === 2) {
    const [left, right] = channels;
    // Stereo, the common case: in SIMD where the runtime has it, else with the channel loop unrolled.
    const done = encodeS24StereoSimd(out, offset, left, right, frames);
    if (done < 0) throw nonFinite();
    n = 2 * done;
    p = offset + 6 * done;
    for (; n + 2 < total; n += 2, p += 6) {
      const i = n >> 1;
      view.setInt32(p, quantize24(left[i]), true);
      view.setInt32(p + 3, quantize24(right[i]), true);
    }
  }
  for (let i = n / channelCount; i < frames; i++) {
    for (let c = 0; c < channelCount; c++, n++, p += 3) {
      const q = quantize24(channels[c][i]);
      if (n + 1 < total) {
        view.setInt32(p, q, true);
      } else {
        out[p] = q & 0xff;
        out[p + 1] = (q >> 8) & 0xff;
        out[p + 2] = (q >> 16) & 0xff;
      }
    }
  }
}

function writeFloat32(out: Uint8Array, offset: number, channels: Frames, frames: number, block: Float32Array): void {
  const channelCount = channels.length;
  const blockFrames = (block.length / channelCount) | 0;
  const blockBytes = new Uint8Array(block.buffer);
  for (let first = 0; first < frames; first += blockFrames) {
    const count = Math.min(blockFrames, frames - first);
    for (let c = 0; c < channelCount; c++) {
      const channel = channels[c];
      for (let i = 0, w = c; i < count; i++, w += channelCount) {
        const x = channel[first + i];
        if (x - x !== 0) throw nonFinite();
        block[w] = x;
      }
    }
    const byteCount = count * channelCount * 4;
    if (!HOST_IS_LITTLE_ENDIAN) {
      for (let i = 0; i < byteCount; i += 4) blockBytes.subarray(i, i + 4).reverse();
    }
    out.set(blockBytes.subarray(0, byteCount), offset + first * channelCount * 4);
  }
}

function checkFormat(options: WavEncoderOptions): void {
  const { bitDepth, channelCount, sampleRateHz, frames } = options;
  if (bitDepth !== 16 && bitDepth !== 24 && bitDepth !== 32) {
    throw new AudoEqError('internal_error', `WAV bit depth must be 16, 24 or 32, not ${String(bitDepth)}.`);
  }
  if (!Number.isInteger(channelCount) || channelCount < 1 || channelCount > 18) {
    throw new AudoEqError('internal_error', `WAV output needs 1–18 channels, not ${channelCount}.`);
  }
  const byteRate = sampleRateHz * channelCount * (bitDepth / 8);
  if (!Number.isInteger(sampleRateHz) || sampleRateHz < 1 || byteRate > 0xffffffff) {
    throw new AudoEqError('internal_error', `WAV sample rate must be a positive integer, not ${sampleRateHz}.`);
  }
  if (!Number.isInteger(frames) || frames < 0) {
    throw new AudoEqError('internal_error', `A WAV file holds a whole, non-negative number of frames, not ${frames}.`);
  }
}

/**
 * An encoder for a WAV file of `frames` frames: `header()`, then `encode`
 * each block in order, then `finish()`. The concatenated bytes equal
 * `encodeWav` of the whole track, for blocks of any size. Integer depths clip
 * to the format's range; 16-bit adds TPDF dither from a seeded xorshift32
 * PRNG; float keeps values beyond ±1. Throws `AudoEqError('internal_error')`
 * for an unsupported format or output over 4 GiB.
 *
 * @example
 * const encoder = createWavEncoder({ sampleRateHz: 48000, channelCount: 2, frames, bitDepth: 24 });
 * write(encoder.header());
 * for (const block of blocks) write(encoder.encode(block));
 * encoder.finish();
 */
export function createWavEncoder(options: WavEncoderOptions): WavEncoder {
  checkFormat(options);
  const { sampleRateHz, channelCount, frames, bitDepth } = options;
  const layout = wavLayout(frames, channelCount, bitDepth);
  const bytesPerFrame = channelCount * (bitDepth / 8);
  // One scratch chunk for the 16-bit and float writers, no larger than the track.
  const chunkFrames = Math.max(1, Math.min(frames, Math.floor(CHUNK_SAMPLES / channelCount)));
  let pcm16Chunk: Int16Array | null = null;
  let floatChunk: Float32Array | null = null;
  const dither: DitherState = { state: (options.ditherSeed ?? DEFAULT_DITHER_SEED) | 0 || DEFAULT_DITHER_SEED | 0 };
  let framesEncoded = 0;

  const blockFrames = (block: Frames): number => {
    if (block.length !== channelCount) {
      throw new AudoEqError('internal_error', `The WAV encoder takes ${channelCount} channels, not ${block.length}.`);
    }
    const count = block[0].length;
    if (block.some((channel) => channel.length !== count)) {
      throw new AudoEqError('internal_error', 'All channels must have the same length to encode WAV.');
    }
    if (framesEncoded + count > frames) {
      throw new AudoEqError('internal_error', `The WAV header announced ${frames} frames; ${framesEncoded + count} were given.`);
    }
    return count;
  };
  const padBytes = (count: number) => (framesEncoded + count === frames ? layout.dataBytes & 1 : 0);

  const encodeInto = (block: Frames, out: Uint8Array, offset: number): number => {
    const count = blockFrames(block);
    const byteCount = count * bytesPerFrame + padBytes(count);
    if (offset < 0 || offset + byteCount > out.length) {
      throw new AudoEqError('internal_error', `${byteCount} WAV bytes do not fit at ${offset} in ${out.length}.`);
    }
    if (bitDepth === 16) writePcm16(out, offset, block, count, (pcm16Chunk ??= new Int16Array(chunkFrames * channelCount)), dither);
    else if (bitDepth === 24) writePcm24(out, offset, block, count);
    else writeFloat32(out, offset, block, count, (floatChunk ??= new Float32Array(chunkFrames * channelCount)));
    // The pad byte stays 0, as it is in a new array; a reused buffer gets it written.
    if (byteCount > count * bytesPerFrame) out[offset + byteCount - 1] = 0;
    framesEncoded += count;
    return byteCount;
  };

  return {
    layout,
    header: () => wavHeader(layout, { sampleRateHz, channelCount, bitDepth, frameCount: frames }),
    encode(block) {
      const count = blockFrames(block);
      const out = new Uint8Array(count * bytesPerFrame + padBytes(count));
      encodeInto(block, out, 0);
      return out;
    },
    encodeInto,
    get framesEncoded() {
      return framesEncoded;
    },
    finish() {
      if (framesEncoded !== frames) {
        throw new AudoEqError('internal_error', `The WAV header announced ${frames} frames; only ${framesEncoded} were encoded.`);
      }
    },
  };
}
