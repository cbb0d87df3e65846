/**
 * WAV sample decoding: interleaved little-endian PCM or IEEE float straight
 * into planar Float32Array channels, with the same integer→float scaling as
 * ffmpeg (value / 2^(bits−1); unsigned 8-bit is offset by 128 first), so the
 * result is bit-identical to `ffmpeg -f f32le` for every supported format.
 */
import { IngestValidationError } from '../domain/errors.ts';
import { HOST_IS_LITTLE_ENDIAN } from './wav-format.ts';
import type { WavSampleCodec, WavStreamInfo } from './wav-header.ts';
import { decodeS16StereoSimd, decodeS24StereoSimd } from './pcm-simd.ts';

/** Frames converted per block: large enough to amortise the copy, small enough to stay in cache. */
const BLOCK_FRAMES = 16384;

function nonFinite(frame: number, channel: number): IngestValidationError {
  return new IngestValidationError('corrupted_file', 'The WAV file contains a NaN or infinite sample.', {
    frame,
    channel,
  });
}

/** Reverses the byte order of each `width`-byte word, for big-endian hosts. */
function swapWords(block: Uint8Array, byteLength: number, width: number): void {
  for (let i = 0; i < byteLength; i += width) {
    for (let a = i, b = i + width - 1; a < b; a++, b--) {
      const t = block[a];
      block[a] = block[b];
      block[b] = t;
    }
  }
}

function decodeU8(bytes: Uint8Array, start: number, out: Float32Array[], frames: number): void {
  const channelCount = out.length;
  for (let c = 0; c < channelCount; c++) {
    const channel = out[c];
    for (let i = 0, p = start + c; i < frames; i++, p += channelCount) channel[i] = (bytes[p] - 128) / 128;
  }
}

/**
 * 24-bit samples with one 32-bit little-endian load each: the word that ends
 * with a sample's three bytes (it starts one byte before them; the data chunk
 * always follows a header) shifted down by 8 is the sign-extended sample.
 * The same values as a byte-by-byte loop, twice as fast in V8; DataView
 * reads little-endian on any host.
 */
function decodeS24(bytes: Uint8Array, start: number, out: Float32Array[], frames: number): void {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const channelCount = out.length;
  const stride = channelCount * 3;
  if (channelCount === 2) {
    const [left, right] = out;
    for (let i = 0, p = start - 1; i < frames; i++, p += 6) {
      left[i] = (view.getInt32(p, true) >> 8) / 8388608;
      right[i] = (view.getInt32(p + 3, true) >> 8) / 8388608;
    }
    return;
  }
  for (let c = 0; c < channelCount; c++) {
    const channel = out[c];
    for (let i = 0, p = start - 1 + c * 3; i < frames; i++, p += stride) channel[i] = (view.getInt32(p, true) >> 8) / 8388608;
  }
}

type WordArray = Int16Array | Int32Array | Float32Array | Float64Array;

/**
 * Formats whose samples are whole 2-, 4- or 8-byte words: copy each block into
 * an aligned scratch buffer (a memcpy), view it as the word type, deinterleave.
 * `firstFrame` is where these frames sit in the file (for error details).
 */
function decodeWords(
  bytes: Uint8Array,
  start: number,
  width: number,
  out: Float32Array[],
  frameCount: number,
  firstFrame: number,
  makeView: (buffer: ArrayBuffer) => WordArray,
  scale: number,
  isFloat: boolean,
): void {
  const channelCount = out.length;
  // No larger than the frames asked for: a reader in small blocks allocates little.
  const blockFrames = Math.max(1, Math.min(BLOCK_FRAMES, frameCount));
  const scratch = new ArrayBuffer(blockFrames * channelCount * width);
  const scratchBytes = new Uint8Array(scratch);
  const words = makeView(scratch);
  for (let first = 0; first < frameCount; first += blockFrames) {
    const frames = Math.min(blockFrames, frameCount - first);
    const byteStart = start + first * channelCount * width;
    const byteLength = frames * channelCount * width;
    scratchBytes.set(bytes.subarray(byteStart, byteStart + byteLength));
    if (!HOST_IS_LITTLE_ENDIAN) swapWords(scratchBytes, byteLength, width);
    if (!isFloat && channelCount === 2) {
      // Stereo integers, the common case: both channels in one loop (twice as fast in V8).
      const left = out[0];
      const right = out[1];
      for (let i = 0, w = 0; i < frames; i++, w += 2) {
        left[first + i] = words[w] * scale;
        right[first + i] = words[w + 1] * scale;
      }
      continue;
    }
    for (let c = 0; c < channelCount; c++) {
      const channel = out[c];
      if (isFloat) {
        for (let i = 0, w = c; i < frames; i++, w += channelCount) {
          const value = Math.fround(words[w]);
          // NaN and ±Infinity are the only values for which v − v is not 0.
          if (value - value !== 0) throw nonFinite(firstFrame + first + i, c);
          channel[first + i] = value;
        }
      } else {
        for (let i = 0, w = c; i < frames; i++, w += channelCount) channel[first + i] = words[w] * scale;
      }
    }
  }
}

/**
 * Decodes `frameCount` interleaved frames of `codec` at `bytes[start..]` into
 * `out` (one array per channel, each at least `frameCount` long) from index
 * 0. A 24-bit block needs the byte before `start` to be readable (its loads
 * are 32-bit words ending at each sample), which it is after any WAV header
 * or when a reader fetches one byte more. `firstFrame` is the frames' place
 * in the file, for the details of a non-finite sample's error.
 *
 * @example decodeWavFrames(bytes, info.dataOffset, info.codec, out, info.frameCount);
 */
export function decodeWavFrames(bytes: Uint8Array, start: number, codec: WavSampleCodec, out: Float32Array[], frameCount: number, firstFrame = 0): void {
  switch (codec) {
    case 'pcm_u8':
      decodeU8(bytes, start, out, frameCount);
      break;
    case 'pcm_s24le': {
      // Stereo in SIMD (the common upload and the default master); what it leaves, and other layouts, word-wide below.
      const done = out.length === 2 ? decodeS24StereoSimd(bytes, start, out[0], out[1], frameCount) : 0;
      decodeS24(bytes, start + done * 6, out.map((channel) => channel.subarray(done)), frameCount - done);
      break;
    }
    case 'pcm_s16le': {
      // Stereo in SIMD (the common upload); what it leaves, and other layouts, below.
      const done = out.length === 2 ? decodeS16StereoSimd(bytes, start, out[0], out[1], frameCount) : 0;
      const rest = out.map((channel) => channel.subarray(done));
      decodeWords(bytes, start + done * 4, 2, rest, frameCount - done, firstFrame + done, (b) => new Int16Array(b), 1 / 32768, false);
      break;
    }
    case 'pcm_s32le':
      decodeWords(bytes, start, 4, out, frameCount, firstFrame, (b) => new Int32Array(b), 1 / 2147483648, false);
      break;
    case 'pcm_f32le':
      decodeWords(bytes, start, 4, out, frameCount, firstFrame, (b) => new Float32Array(b), 1, true);
      break;
    case 'pcm_f64le':
      decodeWords(bytes, start, 8, out, frameCount, firstFrame, (b) => new Float64Array(b), 1, true);
      break;
  }
}

/**
 * Decodes the samples of a WAV file whose header `parseWavHeader` accepted,
 * one Float32Array per channel of `info.frameCount` samples. Integer formats
 * map to [−1, 1); float formats are taken as they are, and a NaN or infinite
 * sample (also a float64 beyond float32 range) is `corrupted_file`.
 *
 * @example
 * const info = parseWavHeader(bytes);
 * const [left, right] = decodeWavSamples(bytes, info);
 */
export function decodeWavSamples(bytes: Uint8Array, info: WavStreamInfo): Float32Array[] {
  const out: Float32Array[] = [];
  for (let c = 0; c < info.channelCount; c++) out.push(new Float32Array(info.frameCount));
  decodeWavFrames(bytes, info.dataOffset, info.codec, out, info.frameCount);
  return out;
}
