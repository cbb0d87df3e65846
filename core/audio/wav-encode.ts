/**
 * WAV writing: 16-bit PCM with TPDF dither, 24-bit PCM, 32-bit IEEE float.
 * Header choice follows Microsoft's WAVEFORMATEXTENSIBLE guidance: plain
 * WAVE_FORMAT_PCM for 16-bit mono/stereo, WAVE_FORMAT_IEEE_FLOAT (+ `fact`)
 * for 32-bit float mono/stereo, and WAVE_FORMAT_EXTENSIBLE (with a speaker
 * mask) for 24-bit and for anything above two channels. Samples are written
 * block-wise through typed arrays — no per-sample objects or DataView calls.
 */
import { AudoEqError } from '../domain/errors.ts';
import type { PcmAudio } from './pcm.ts';
import { encodeS24StereoSimd } from './pcm-simd.ts';
import {
  HOST_IS_LITTLE_ENDIAN,
  KSDATAFORMAT_GUID_TAIL,
  WAVE_FORMAT_EXTENSIBLE,
  WAVE_FORMAT_IEEE_FLOAT,
  WAVE_FORMAT_PCM,
  defaultChannelMask,
} from './wav-format.ts';

export type WavBitDepth = 16 | 24 | 32;

export interface WavEncodeOptions {
  /** 16 = PCM with TPDF dither, 24 = PCM, 32 = IEEE float. */
  readonly bitDepth: WavBitDepth;
  /** Seed of the 16-bit dither's PRNG; the same seed and input give the same bytes. */
  readonly ditherSeed?: number;
}

export interface WavLayout {
  readonly formatTag: number;
  readonly fmtBytes: number;
  readonly hasFact: boolean;
  readonly dataOffset: number;
  readonly dataBytes: number;
  readonly totalBytes: number;
}

/** Fixed default dither seed (any non-zero 32-bit value would do; this one is 2^32/φ). */
export const DEFAULT_DITHER_SEED = 0x9e3779b9;
const BLOCK_SAMPLES = 65536;
const MAX_RIFF_SIZE = 0xffffffff;

/**
 * Plans the file: format tag, header size, data size and total size. Throws
 * `AudoEqError('internal_error')` when the RIFF size field (32 bits) cannot
 * hold the result, i.e. the file would exceed 4 GiB.
 *
 * @example wavLayout(441000, 2, 16).totalBytes // 1764044
 */
export function wavLayout(frameCount: number, channelCount: number, bitDepth: WavBitDepth): WavLayout {
  const extensible = channelCount > 2 || bitDepth === 24;
  const formatTag = extensible ? WAVE_FORMAT_EXTENSIBLE : bitDepth === 32 ? WAVE_FORMAT_IEEE_FLOAT : WAVE_FORMAT_PCM;
  const fmtBytes = extensible ? 40 : formatTag === WAVE_FORMAT_IEEE_FLOAT ? 18 : 16;
  const hasFact = bitDepth === 32;
  const dataOffset = 12 + 8 + fmtBytes + (hasFact ? 12 : 0) + 8;
  const dataBytes = frameCount * channelCount * (bitDepth / 8);
  const totalBytes = dataOffset + dataBytes + (dataBytes & 1);
  if (totalBytes - 8 > MAX_RIFF_SIZE) {
    throw new AudoEqError(
      'internal_error',
      `WAV output would exceed 4 GiB (${totalBytes} bytes for ${frameCount} frames × ${channelCount} channels at ${bitDepth} bits); RIFF sizes are 32-bit.`,
    );
  }
  return { formatTag, fmtBytes, hasFact, dataOffset, dataBytes, totalBytes };
}

function writeAscii(out: Uint8Array, offset: number, text: string): void {
  for (let i = 0; i < text.length; i++) out[offset + i] = text.charCodeAt(i);
}

function writeHeader(out: Uint8Array, layout: WavLayout, audio: PcmAudio, bitDepth: WavBitDepth, frameCount: number): void {
  const view = new DataView(out.buffer, out.byteOffset, out.byteLength);
  const channelCount = audio.channels.length;
  const bytesPerSample = bitDepth / 8;
  writeAscii(out, 0, 'RIFF');
  view.setUint32(4, layout.totalBytes - 8, true);
  writeAscii(out, 8, 'WAVE');
  writeAscii(out, 12, 'fmt ');
  view.setUint32(16, layout.fmtBytes, true);
  view.setUint16(20, layout.formatTag, true);
  view.setUint16(22, channelCount, true);
  view.setUint32(24, audio.sampleRateHz, true);
  view.setUint32(28, audio.sampleRateHz * channelCount * bytesPerSample, true);
  view.setUint16(32, channelCount * bytesPerSample, true);
  view.setUint16(34, bitDepth, true);
  let offset = 36;
  if (layout.fmtBytes === 18) {
    view.setUint16(36, 0, true);
    offset = 38;
  } else if (layout.fmtBytes === 40) {
    view.setUint16(36, 22, true);
    view.setUint16(38, bitDepth, true);
    view.setUint32(40, defaultChannelMask(channelCount), true);
    view.setUint16(44, bitDepth === 32 ? WAVE_FORMAT_IEEE_FLOAT : WAVE_FORMAT_PCM, true);
    out.set(KSDATAFORMAT_GUID_TAIL, 46);
    offset = 60;
  }
  if (layout.hasFact) {
    writeAscii(out, offset, 'fact');
    view.setUint32(offset + 4, 4, true);
    view.setUint32(offset + 8, frameCount, true);
    offset += 12;
  }
  writeAscii(out, offset, 'data');
  view.setUint32(offset + 4, layout.dataBytes, true);
}

function nonFinite(): AudoEqError {
  return new AudoEqError('internal_error', 'Cannot encode a NaN or infinite sample to WAV.');
}

/** 16-bit: TPDF dither (difference of two uniform draws, ±1 LSB) then rounding and clipping. */
function writePcm16(out: Uint8Array, offset: number, channels: Float32Array[], frames: number, seed: number): void {
  const channelCount = channels.length;
  const blockFrames = Math.max(1, Math.floor(BLOCK_SAMPLES / channelCount));
  const block = new Int16Array(blockFrames * channelCount);
  const blockBytes = new Uint8Array(block.buffer);
  let state = seed | 0 || DEFAULT_DITHER_SEED | 0;
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
}

function swapPairs(bytes: Uint8Array, byteCount: number): void {
  for (let i = 0; i < byteCount; i += 2) {
    const t = bytes[i];
    bytes[i] = bytes[i + 1];
    bytes[i + 1] = t;
  }
}

function writePcm24(out: Uint8Array, offset: number, channels: Float32Array[], frames: number): void {
  const channelCount = channels.length;
  const total = frames * channelCount;
  if (total === 0) return;
  // Each sample is stored as a little-endian 32-bit word at its 3-byte slot:
  // one store instead of three, its fourth byte overwritten by the next
  // sample's word. The very last sample, with no successor, goes byte by byte.
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

function quantize24(x: number): number {
  if (x - x !== 0) throw nonFinite();
  // floor(x + 0.5) is Math.round for these magnitudes, and several times faster in V8.
  const q = Math.floor(x * 8388608 + 0.5);
  return q > 8388607 ? 8388607 : q < -8388608 ? -8388608 : q;
}

function writeFloat32(out: Uint8Array, offset: number, channels: Float32Array[], frames: number): void {
  const channelCount = channels.length;
  const blockFrames = Math.max(1, Math.floor(BLOCK_SAMPLES / channelCount));
  const block = new Float32Array(blockFrames * channelCount);
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

/**
 * Encodes planar float audio as a complete WAV file. Integer depths clip to
 * the format's range; 16-bit adds TPDF dither from a seeded xorshift32 PRNG,
 * so output is deterministic (same input and seed → identical bytes); float
 * keeps values beyond ±1. Throws `AudoEqError('internal_error')` for a
 * non-finite sample, channels of unequal length, or output over 4 GiB.
 *
 * @example
 * const wav = encodeWav({ sampleRateHz: 48000, channels: [left, right] }, { bitDepth: 24 });
 */
export function encodeWav(audio: PcmAudio, options: WavEncodeOptions): Uint8Array {
  const { bitDepth } = options;
  const channels = audio.channels;
  if (bitDepth !== 16 && bitDepth !== 24 && bitDepth !== 32) {
    throw new AudoEqError('internal_error', `WAV bit depth must be 16, 24 or 32, not ${String(bitDepth)}.`);
  }
  if (channels.length < 1 || channels.length > 18) {
    throw new AudoEqError('internal_error', `WAV output needs 1–18 channels, not ${channels.length}.`);
  }
  const byteRate = audio.sampleRateHz * channels.length * (bitDepth / 8);
  if (!Number.isInteger(audio.sampleRateHz) || audio.sampleRateHz < 1 || byteRate > 0xffffffff) {
    throw new AudoEqError('internal_error', `WAV sample rate must be a positive integer, not ${audio.sampleRateHz}.`);
  }
  const frames = channels[0].length;
  if (channels.some((channel) => channel.length !== frames)) {
    throw new AudoEqError('internal_error', 'All channels must have the same length to encode WAV.');
  }
  const layout = wavLayout(frames, channels.length, bitDepth);
  const out = new Uint8Array(layout.totalBytes);
  writeHeader(out, layout, audio, bitDepth, frames);
  if (bitDepth === 16) writePcm16(out, layout.dataOffset, channels, frames, options.ditherSeed ?? DEFAULT_DITHER_SEED);
  else if (bitDepth === 24) writePcm24(out, layout.dataOffset, channels, frames);
  else writeFloat32(out, layout.dataOffset, channels, frames);
  return out;
}
