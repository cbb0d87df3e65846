// The WAV sample converters (word-wide JavaScript and WebAssembly SIMD) give
// exactly what the plain scalar loops they replaced give: every format, every
// layout from mono to 6 channels, lengths around the vector width and the
// block size, samples at the format's extremes, data at odd byte offsets, with
// the SIMD kernels switched on and off.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { decodeWavSamples } from '../../core/audio/wav-decode.ts';
import { DEFAULT_DITHER_SEED, encodeWav, wavLayout, type WavBitDepth } from '../../core/audio/wav-encode.ts';
import type { WavSampleCodec, WavStreamInfo } from '../../core/audio/wav-header.ts';
import { setSimdEnabled, simdEnabled } from '../../core/wasm/simd-module.ts';

const LENGTHS = [1, 2, 3, 4, 5, 7, 8, 9, 13, 16383, 16385, 40001];
const LAYOUTS = [1, 2, 3, 6];

function random(seed: number): () => number {
  let state = seed >>> 0 || 1;
  return () => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) / 2 ** 32;
  };
}

/** The result of `body` with SIMD on and with it off. */
function bothWays<T>(body: () => T): T[] {
  const was = simdEnabled();
  try {
    return [true, false].map((on) => {
      setSimdEnabled(on);
      return body();
    });
  } finally {
    setSimdEnabled(was);
  }
}

const WIDTH: Record<WavSampleCodec, number> = { pcm_u8: 1, pcm_s16le: 2, pcm_s24le: 3, pcm_s32le: 4, pcm_f32le: 4, pcm_f64le: 8 };

/** Random sample bytes, the format's extremes among them, at `offset` in a buffer that ends with the data. */
function pcmBytes(codec: WavSampleCodec, samples: number, offset: number, seed: number): Uint8Array {
  const width = WIDTH[codec];
  const bytes = new Uint8Array(offset + samples * width);
  const view = new DataView(bytes.buffer);
  const next = random(seed);
  for (let n = 0; n < samples; n++) {
    const p = offset + n * width;
    const edge = n % 11 === 0 ? 0 : n % 11 === 1 ? 1 : -1; // the most negative and the most positive value now and then
    if (codec === 'pcm_f32le') view.setFloat32(p, (next() - 0.5) * 4, true);
    else if (codec === 'pcm_f64le') view.setFloat64(p, (next() - 0.5) * 4, true);
    else {
      const span = 2 ** (8 * width);
      const value = edge === 0 ? 0 : edge === 1 ? span - 1 : Math.floor(next() * span);
      // Little-endian bytes of an unsigned value: the signed formats' minimum is 0x80…, maximum 0x7f….
      const unsigned = codec === 'pcm_u8' ? value : edge === 0 ? span / 2 : edge === 1 ? span / 2 - 1 : value;
      for (let b = 0; b < width; b++) bytes[p + b] = Math.floor(unsigned / 2 ** (8 * b)) & 0xff;
    }
  }
  return bytes;
}

/** The scalar decoder the fast paths replaced: one sample at a time, byte arithmetic or DataView. */
function scalarDecode(bytes: Uint8Array, codec: WavSampleCodec, channelCount: number, frames: number, offset: number): Float32Array[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const width = WIDTH[codec];
  const out = Array.from({ length: channelCount }, () => new Float32Array(frames));
  for (let i = 0; i < frames; i++) {
    for (let c = 0; c < channelCount; c++) {
      const p = offset + (i * channelCount + c) * width;
      let value: number;
      if (codec === 'pcm_u8') value = (bytes[p] - 128) / 128;
      else if (codec === 'pcm_s16le') value = view.getInt16(p, true) / 32768;
      else if (codec === 'pcm_s24le') value = (((bytes[p] << 8) | (bytes[p + 1] << 16) | (bytes[p + 2] << 24)) >> 8) / 8388608;
      else if (codec === 'pcm_s32le') value = view.getInt32(p, true) / 2147483648;
      else if (codec === 'pcm_f32le') value = view.getFloat32(p, true);
      else value = view.getFloat64(p, true);
      out[c][i] = value;
    }
  }
  return out;
}

test('decoding: every PCM and float format, 1–6 channels, odd lengths and odd offsets, equals the scalar decoder bit for bit, SIMD on and off', () => {
  let cases = 0;
  for (const codec of Object.keys(WIDTH) as WavSampleCodec[]) {
    for (const channelCount of LAYOUTS) {
      for (const frames of LENGTHS) {
        const offset = 44 + (frames % 3); // odd and even starts: the data chunk need not be aligned
        const bytes = pcmBytes(codec, frames * channelCount, offset, frames * 31 + channelCount);
        const info: WavStreamInfo = {
          codec,
          bitsPerSample: WIDTH[codec] * 8,
          channelCount,
          sampleRateHz: 48000,
          channelMask: null,
          dataOffset: offset,
          frameCount: frames,
        } as WavStreamInfo;
        const expected = scalarDecode(bytes, codec, channelCount, frames, offset);
        for (const decoded of bothWays(() => decodeWavSamples(bytes, info))) {
          assert.is(decoded.length, channelCount);
          for (let c = 0; c < channelCount; c++) {
            const same = decoded[c].length === frames && decoded[c].every((v, i) => Object.is(v, expected[c][i]));
            assert.ok(same, `${codec}, ${channelCount} channels, ${frames} frames, channel ${c}`);
          }
        }
        cases++;
      }
    }
  }
  assert.is(cases, 6 * LAYOUTS.length * LENGTHS.length);
});

/** The scalar encoder the fast paths replaced, sample by sample (16-bit with the same seeded TPDF dither). */
function scalarEncodeData(channels: Float32Array[], bitDepth: WavBitDepth): Uint8Array {
  const frames = channels[0].length;
  const width = bitDepth / 8;
  const out = new Uint8Array(frames * channels.length * width);
  const view = new DataView(out.buffer);
  let state = DEFAULT_DITHER_SEED | 0;
  const draw = () => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) * 2.3283064365386963e-10;
  };
  for (let i = 0, p = 0; i < frames; i++) {
    for (const channel of channels) {
      const x = channel[i];
      if (bitDepth === 32) view.setFloat32(p, x, true);
      else if (bitDepth === 24) {
        const q = Math.min(8388607, Math.max(-8388608, Math.floor(x * 8388608 + 0.5)));
        out[p] = q & 0xff;
        out[p + 1] = (q >> 8) & 0xff;
        out[p + 2] = (q >> 16) & 0xff;
      } else {
        const u1 = draw();
        const u2 = draw();
        view.setInt16(p, Math.min(32767, Math.max(-32768, Math.floor(x * 32768 + (u1 - u2) + 0.5))), true);
      }
      p += width;
    }
  }
  return out;
}

test('encoding: 16-, 24- and 32-bit, 1–6 channels, odd lengths and samples beyond full scale, equals the scalar encoder byte for byte, SIMD on and off', () => {
  for (const bitDepth of [16, 24, 32] as const) {
    for (const channelCount of LAYOUTS) {
      for (const frames of LENGTHS) {
        const next = random(frames * 7 + channelCount + bitDepth);
        // Mostly in range, some past ±1 (clipped by the integer formats), exact quantisation steps and half steps among them.
        const channels = Array.from({ length: channelCount }, () =>
          Float32Array.from({ length: frames }, (_, i) => (i % 5 === 0 ? Math.round((next() - 0.5) * 64) / 8388608 + (i % 10 === 0 ? 0.5 / 8388608 : 0) : (next() - 0.5) * 2.4)),
        );
        const expected = scalarEncodeData(channels, bitDepth);
        const dataOffset = wavLayout(frames, channelCount, bitDepth).dataOffset;
        for (const wav of bothWays(() => encodeWav({ sampleRateHz: 48000, channels }, { bitDepth }))) {
          const data = wav.subarray(dataOffset, dataOffset + expected.length);
          const firstDifference = data.findIndex((byte, i) => byte !== expected[i]);
          assert.is(firstDifference, -1, `${bitDepth}-bit, ${channelCount} channels, ${frames} frames: first differing byte ${firstDifference}`);
        }
      }
    }
  }
});

test('a 24-bit round trip gives back every quantised sample exactly, SIMD on and off', () => {
  for (const channelCount of [1, 2, 3]) {
    for (const frames of [1, 3, 5, 16387]) {
      const next = random(frames + channelCount);
      const channels = Array.from({ length: channelCount }, () => Float32Array.from({ length: frames }, () => Math.floor((next() - 0.5) * 2 ** 24) / 2 ** 23));
      const layout = wavLayout(frames, channelCount, 24);
      for (const decoded of bothWays(() => {
        const wav = encodeWav({ sampleRateHz: 44100, channels }, { bitDepth: 24 });
        const info = { codec: 'pcm_s24le', bitsPerSample: 24, channelCount, sampleRateHz: 44100, channelMask: null, dataOffset: layout.dataOffset, frameCount: frames } as WavStreamInfo;
        return decodeWavSamples(wav, info);
      })) {
        for (let c = 0; c < channelCount; c++) assert.equal(Array.from(decoded[c]), Array.from(channels[c]), `${channelCount} channels, ${frames} frames`);
      }
    }
  }
});

test.run();
