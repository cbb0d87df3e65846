import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { decodeWavSamples } from '../../core/audio/wav-decode.ts';
import { encodeWav, wavLayout, type WavBitDepth } from '../../core/audio/wav-encode.ts';
import { parseWavHeader } from '../../core/audio/wav-header.ts';
import { AudoEqError } from '../../core/domain/errors.ts';
import { bitIdentical, ffmpegAccepts, ffmpegAvailable, ffmpegDecode, makeTempDir } from './ffmpeg-pcm.ts';

const tmp = makeTempDir('wav-encode');
test.after(() => tmp.cleanup());

/** Deterministic test signal per channel: different tones, some samples beyond ±1 to exercise clipping. */
function signal(channelCount: number, frames: number, peak = 1.2): Float32Array[] {
  return Array.from({ length: channelCount }, (_, c) => {
    const channel = new Float32Array(frames);
    for (let i = 0; i < frames; i++) channel[i] = peak * Math.sin((i * (c + 1) * 2 * Math.PI * 440) / 48000 + c);
    return channel;
  });
}

/** The value an integer WAV should hold for `x`, as the decoder will return it. */
function quantized(x: number, bitDepth: 16 | 24): number {
  const full = 2 ** (bitDepth - 1);
  return Math.min(full - 1, Math.max(-full, Math.round(x * full))) / full;
}

const bitDepths: WavBitDepth[] = [16, 24, 32];

test('every bit depth and 1–8 channels round-trip through encodeWav and the WAV decoder', () => {
  for (const bitDepth of bitDepths) {
    for (let channelCount = 1; channelCount <= 8; channelCount++) {
      const frames = 1001; // odd, so 24-bit mono needs a pad byte
      const channels = signal(channelCount, frames);
      const bytes = encodeWav({ sampleRateHz: 48000, channels }, { bitDepth });
      const info = parseWavHeader(bytes);
      assert.is(info.channelCount, channelCount);
      assert.is(info.sampleRateHz, 48000);
      assert.is(info.frameCount, frames);
      const decoded = decodeWavSamples(bytes, info);
      for (let c = 0; c < channelCount; c++) {
        for (let i = 0; i < frames; i++) {
          const x = channels[c][i];
          const y = decoded[c][i];
          if (bitDepth === 32) assert.is(y, x);
          else if (bitDepth === 24) assert.is(y, Math.fround(quantized(x, 24)));
          // TPDF dither moves a sample by at most 1 LSB before rounding: ≤ 1.5 LSB in all (clipped at full scale).
          else assert.ok(Math.abs(y - Math.max(-1, Math.min(32767 / 32768, x))) <= 1.5 / 32768, `16-bit ${c}/${i}: ${x} → ${y}`);
        }
      }
    }
  }
});

test('RIFF and data sizes are exact and odd data gets a pad byte', () => {
  for (const bitDepth of bitDepths) {
    for (const [channelCount, frames] of [[1, 1001], [2, 1000], [6, 7]] as const) {
      const bytes = encodeWav({ sampleRateHz: 44100, channels: signal(channelCount, frames) }, { bitDepth });
      const view = new DataView(bytes.buffer);
      const dataBytes = frames * channelCount * (bitDepth / 8);
      assert.is(view.getUint32(4, true), bytes.length - 8, 'RIFF size');
      const info = parseWavHeader(bytes);
      assert.is(view.getUint32(info.dataOffset - 4, true), dataBytes, 'data size');
      assert.is(bytes.length, info.dataOffset + dataBytes + (dataBytes & 1));
      assert.is(wavLayout(frames, channelCount, bitDepth).totalBytes, bytes.length);
    }
  }
});

test('format tags follow the WAVEFORMATEXTENSIBLE guidance and 32-bit float carries a fact chunk', () => {
  const tagOf = (channelCount: number, bitDepth: WavBitDepth) =>
    new DataView(encodeWav({ sampleRateHz: 44100, channels: signal(channelCount, 10) }, { bitDepth }).buffer).getUint16(20, true);
  assert.is(tagOf(2, 16), 1);
  assert.is(tagOf(2, 32), 3);
  assert.is(tagOf(2, 24), 0xfffe);
  assert.is(tagOf(6, 16), 0xfffe);
  assert.is(tagOf(6, 32), 0xfffe);
  const float = encodeWav({ sampleRateHz: 44100, channels: signal(2, 10) }, { bitDepth: 32 });
  assert.is(new TextDecoder().decode(float.subarray(38, 42)), 'fact');
  assert.is(new DataView(float.buffer).getUint32(46, true), 10);
});

if (ffmpegAvailable('WAV encode accepted by ffmpeg')) {
  test('ffmpeg reads every file written, for each bit depth and 1–8 channels, to the same samples', () => {
    for (const bitDepth of bitDepths) {
      for (let channelCount = 1; channelCount <= 8; channelCount++) {
        const channels = signal(channelCount, 4801, 0.9);
        const bytes = encodeWav({ sampleRateHz: 48000, channels }, { bitDepth });
        const path = join(tmp.dir, `out-${bitDepth}-${channelCount}.wav`);
        writeFileSync(path, bytes);
        const verdict = ffmpegAccepts(path);
        assert.ok(verdict.ok && verdict.stderr === '', `${path}: ${verdict.stderr}`);
        const reference = ffmpegDecode(path);
        assert.is(reference.sampleRateHz, 48000);
        assert.ok(bitIdentical(decodeWavSamples(bytes, parseWavHeader(bytes)), reference.channels), `${path} decodes differently in ffmpeg`);
      }
    }
  });
}

test('16-bit output is deterministic for a seed and changes with the seed', () => {
  const audio = { sampleRateHz: 44100, channels: signal(2, 5000, 0.5) };
  const a = encodeWav(audio, { bitDepth: 16 });
  const b = encodeWav(audio, { bitDepth: 16 });
  const c = encodeWav(audio, { bitDepth: 16, ditherSeed: 12345 });
  assert.equal(a, b);
  assert.not.equal(a, c);
});

test('16-bit TPDF dither is unbiased with the expected noise power (1/4 LSB², rounding plus triangular)', () => {
  const frames = 200_000;
  const level = 0.3 / 32768; // a third of an LSB: rounding without dither would give all zeros
  const bytes = encodeWav({ sampleRateHz: 44100, channels: [new Float32Array(frames).fill(level)] }, { bitDepth: 16 });
  const decoded = decodeWavSamples(bytes, parseWavHeader(bytes))[0];
  let sum = 0;
  let sumSquares = 0;
  for (const y of decoded) {
    const errorLsb = (y - level) * 32768;
    sum += errorLsb;
    sumSquares += errorLsb * errorLsb;
  }
  const mean = sum / frames;
  const variance = sumSquares / frames - mean * mean;
  assert.ok(Math.abs(mean) < 0.01, `mean error ${mean} LSB`);
  assert.ok(variance > 0.22 && variance < 0.28, `error variance ${variance} LSB²`);
});

test('integer depths clip at full scale; float keeps values beyond ±1', () => {
  const channels = [new Float32Array([1.5, -1.5, 1, -1])];
  const at24 = encodeWav({ sampleRateHz: 8000, channels }, { bitDepth: 24 });
  assert.equal(Array.from(decodeWavSamples(at24, parseWavHeader(at24))[0]), [8388607 / 8388608, -1, 8388607 / 8388608, -1]);
  const at32 = encodeWav({ sampleRateHz: 8000, channels }, { bitDepth: 32 });
  assert.equal(Array.from(decodeWavSamples(at32, parseWavHeader(at32))[0]), [1.5, -1.5, 1, -1]);
});

test('output over 4 GiB is refused with an internal_error before anything is written', () => {
  // 8 channels of float need 32 bytes per frame; 2^27 frames make 4 GiB of data. One shared
  // array stands in for all eight channels (allocated lazily, never touched before the refusal).
  const channel = new Float32Array(2 ** 27);
  const audio = { sampleRateHz: 48000, channels: Array.from({ length: 8 }, () => channel) };
  try {
    encodeWav(audio, { bitDepth: 32 });
    assert.unreachable('should refuse');
  } catch (error) {
    assert.instance(error, AudoEqError);
    assert.is((error as AudoEqError).code, 'internal_error');
    assert.match((error as Error).message, /exceed 4 GiB/);
  }
  // The largest that fits: 80 header bytes + 32 × frames − 8 ≤ 0xFFFFFFFF.
  assert.is(wavLayout(134_217_725, 8, 32).totalBytes - 8, 0xffffffff - 23);
  assert.throws(() => wavLayout(134_217_726, 8, 32), /exceed 4 GiB/);
});

test('non-finite samples, unequal channel lengths and bad bit depths are refused', () => {
  const cases: Array<() => unknown> = [
    () => encodeWav({ sampleRateHz: 8000, channels: [new Float32Array([0, NaN])] }, { bitDepth: 16 }),
    () => encodeWav({ sampleRateHz: 8000, channels: [new Float32Array([Infinity])] }, { bitDepth: 24 }),
    () => encodeWav({ sampleRateHz: 8000, channels: [new Float32Array([-Infinity])] }, { bitDepth: 32 }),
    () => encodeWav({ sampleRateHz: 8000, channels: [new Float32Array(2), new Float32Array(3)] }, { bitDepth: 24 }),
    () => encodeWav({ sampleRateHz: 8000, channels: [] }, { bitDepth: 24 }),
    () => encodeWav({ sampleRateHz: 8000, channels: [new Float32Array(2)] }, { bitDepth: 8 as WavBitDepth }),
  ];
  for (const run of cases) assert.throws(run, (error: unknown) => error instanceof AudoEqError && error.code === 'internal_error');
});

test('stereo 24-bit bytes are floor(x · 2^23 + 0.5) clipped, little-endian, interleaved, at every length, and a NaN or infinity anywhere is refused', () => {
  let seed = 5;
  const random = () => {
    seed = (seed * 16807) % 2147483647;
    return seed / 2147483647;
  };
  for (const frames of [1, 2, 5, 8, 16385, 40003]) {
    const left = Float32Array.from({ length: frames }, (_, i) => (i % 50 === 0 ? 1.5 : i % 77 === 0 ? -1.2 : 2 * random() - 1));
    // Exact half-steps of the 24-bit grid, where rounding direction shows.
    const right = Float32Array.from({ length: frames }, (_, i) => (i % 3 === 0 ? (Math.round(random() * 1000) + 0.5) / 8388608 : -random()));
    const wav = encodeWav({ sampleRateHz: 44100, channels: [left, right] }, { bitDepth: 24 });
    const data = wav.subarray(wav.length - 6 * frames - ((6 * frames) % 2));
    for (let i = 0; i < frames; i++) {
      for (const [c, x] of [[0, left[i]], [1, right[i]]] as const) {
        const q = Math.min(8388607, Math.max(-8388608, Math.floor(x * 8388608 + 0.5)));
        const p = 6 * i + 3 * c;
        const actual = ((data[p] | (data[p + 1] << 8) | (data[p + 2] << 16)) << 8) >> 8;
        if (actual !== q) assert.unreachable(`${frames} frames, frame ${i} channel ${c}: ${actual} vs ${q}`);
      }
    }
  }
  for (const bad of [NaN, Infinity, -Infinity]) {
    for (const at of [0, 3, 9999]) {
      const left = new Float32Array(10000);
      const right = new Float32Array(10000);
      right[at] = bad;
      assert.throws(() => encodeWav({ sampleRateHz: 44100, channels: [left, right] }, { bitDepth: 24 }), (error: unknown) => error instanceof AudoEqError);
    }
  }
});

test.run();
