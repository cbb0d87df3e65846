import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { encodeWav, type WavBitDepth } from '../../core/audio/wav-encode.ts';
import { createWavEncoder, type WavEncoder } from '../../core/audio/wav-stream-encoder.ts';
import { AudoEqError } from '../../core/domain/errors.ts';
import { setSimdEnabled, simdEnabled } from '../../core/wasm/simd-module.ts';

/** Music-like test material: a few tones plus noise, peaking past ±1 so integer depths clip. */
function signal(channelCount: number, frames: number, seed = 1): Float32Array[] {
  let state = seed;
  const noise = () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32 - 0.5;
  };
  return Array.from({ length: channelCount }, (_, c) => {
    const channel = new Float32Array(frames);
    for (let i = 0; i < frames; i++) {
      channel[i] = 0.9 * Math.sin((i * (c + 1) * 2 * Math.PI * 440) / 48000 + c) + 0.4 * Math.sin(i * 0.0021 * (c + 2)) + 0.3 * noise();
    }
    return channel;
  });
}

/** Header, then `channels` in blocks of `blockFrames` (or the sizes `blockFrames` gives in turn), then finish. */
function encodeInBlocks(encoder: WavEncoder, channels: Float32Array[], blockFrames: number | (() => number)): Uint8Array {
  const parts = [encoder.header()];
  const length = channels[0].length;
  for (let start = 0; start < length; ) {
    const size = typeof blockFrames === 'number' ? blockFrames : blockFrames();
    const end = Math.min(length, start + size);
    parts.push(encoder.encode(channels.map((samples) => samples.slice(start, end))));
    start = end;
  }
  encoder.finish();
  const out = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

function sameBytes(actual: Uint8Array, expected: Uint8Array, what: string): void {
  assert.is(actual.length, expected.length, `${what}: length`);
  let first = -1;
  for (let i = 0; i < actual.length && first < 0; i++) if (actual[i] !== expected[i]) first = i;
  assert.is(first, -1, `${what}: first differing byte`);
}

const bitDepths: WavBitDepth[] = [16, 24, 32];
const wasSimd = simdEnabled();
test.after.each(() => setSimdEnabled(wasSimd));

for (const simd of [true, false]) {
  test(`blocks of 17, 4096, 65536 and odd sizes give encodeWav's bytes for every format, 1–6 channels (SIMD ${simd ? 'on' : 'off'})`, () => {
    setSimdEnabled(simd);
    for (const bitDepth of bitDepths) {
      for (const channelCount of [1, 2, 3, 6]) {
        // Odd lengths, one longer than the 64 Ki-sample scratch chunk.
        for (const frames of [70001, 4097]) {
          const channels = signal(channelCount, frames, channelCount * 7 + frames);
          const audio = { sampleRateHz: 44100, channels };
          const whole = encodeWav(audio, { bitDepth, ditherSeed: 12345 });
          for (const blockFrames of [17, 4096, 65536, 1001, 4097]) {
            const encoder = createWavEncoder({ sampleRateHz: 44100, channelCount, frames, bitDepth, ditherSeed: 12345 });
            sameBytes(encodeInBlocks(encoder, channels, blockFrames), whole, `${bitDepth}-bit ${channelCount} ch ${frames} frames in ${blockFrames}`);
          }
        }
      }
    }
  });

  test(`blocks of one frame, and of varying sizes, give encodeWav's bytes (SIMD ${simd ? 'on' : 'off'})`, () => {
    setSimdEnabled(simd);
    for (const bitDepth of bitDepths) {
      for (const channelCount of [1, 2, 5]) {
        const frames = 2049;
        const channels = signal(channelCount, frames, 99);
        const whole = encodeWav({ sampleRateHz: 48000, channels }, { bitDepth });
        const one = createWavEncoder({ sampleRateHz: 48000, channelCount, frames, bitDepth });
        sameBytes(encodeInBlocks(one, channels, 1), whole, `${bitDepth}-bit ${channelCount} ch in single frames`);
        const sizes = [0, 3, 1, 250, 7, 1024, 5, 0, 2];
        let next = 0;
        const varying = createWavEncoder({ sampleRateHz: 48000, channelCount, frames, bitDepth });
        sameBytes(encodeInBlocks(varying, channels, () => sizes[next++ % sizes.length]), whole, `${bitDepth}-bit ${channelCount} ch in varying blocks`);
      }
    }
  });
}

test('the dither continues across blocks: a different seed or a restarted encoder would change the 16-bit bytes', () => {
  const channels = signal(2, 3000);
  const whole = encodeWav({ sampleRateHz: 48000, channels }, { bitDepth: 16 });
  const other = encodeWav({ sampleRateHz: 48000, channels }, { bitDepth: 16, ditherSeed: 7 });
  assert.ok(whole.some((byte, i) => byte !== other[i]), 'the seed matters');
  // Two encoders, each with the default seed, over the two halves: the second half repeats the first's noise.
  const half = 1500;
  const first = createWavEncoder({ sampleRateHz: 48000, channelCount: 2, frames: half, bitDepth: 16 });
  const second = createWavEncoder({ sampleRateHz: 48000, channelCount: 2, frames: half, bitDepth: 16 });
  const restarted = second.encode(channels.map((samples) => samples.slice(half)));
  first.encode(channels.map((samples) => samples.slice(0, half)));
  const dataOffset = whole.length - 3000 * 4;
  assert.ok(restarted.some((byte, i) => byte !== whole[dataOffset + half * 4 + i]), 'restarting the PRNG changes the second half');
});

test('an odd data size gets its pad byte with the block that completes the data', () => {
  const channels = signal(1, 1001);
  const whole = encodeWav({ sampleRateHz: 48000, channels }, { bitDepth: 24 });
  assert.is(whole.length % 2, 0);
  const encoder = createWavEncoder({ sampleRateHz: 48000, channelCount: 1, frames: 1001, bitDepth: 24 });
  assert.is(encoder.header().length, encoder.layout.dataOffset);
  assert.is(encoder.encode([channels[0].slice(0, 1000)]).length, 3000);
  assert.is(encoder.encode([channels[0].slice(1000)]).length, 4);
  encoder.finish();
  // Into a reused buffer that held other bytes, the pad is written as 0.
  const reused = new Uint8Array(3003 + 1).fill(0xff);
  const again = createWavEncoder({ sampleRateHz: 48000, channelCount: 1, frames: 1001, bitDepth: 24 });
  assert.is(again.encodeInto(channels, reused, 0), 3004);
  assert.is(reused[3003], 0);
});

test('fewer frames than announced fail at finish, more fail at encode, and a wrong shape fails', () => {
  const encoder = createWavEncoder({ sampleRateHz: 48000, channelCount: 2, frames: 100, bitDepth: 24 });
  encoder.encode(signal(2, 60));
  assert.is(encoder.framesEncoded, 60);
  assert.throws(() => encoder.finish(), (error: unknown) => error instanceof AudoEqError && /announced 100 frames; only 60/.test(error.message));
  assert.throws(() => encoder.encode(signal(2, 41)), (error: unknown) => error instanceof AudoEqError && /announced 100/.test(error.message));
  assert.throws(() => encoder.encode(signal(1, 10)), (error: unknown) => error instanceof AudoEqError && /2 channels, not 1/.test(error.message));
  assert.throws(() => encoder.encode([new Float32Array(3), new Float32Array(4)]), /same length/);
  encoder.encode(signal(2, 40));
  encoder.finish();
});

test('a NaN in a block fails that block, as encodeWav fails', () => {
  for (const bitDepth of bitDepths) {
    const channels = signal(2, 100);
    channels[1][70] = Number.NaN;
    assert.throws(() => encodeWav({ sampleRateHz: 48000, channels }, { bitDepth }), /NaN or infinite/);
    const encoder = createWavEncoder({ sampleRateHz: 48000, channelCount: 2, frames: 100, bitDepth });
    encoder.encode(channels.map((samples) => samples.slice(0, 50)));
    assert.throws(() => encoder.encode(channels.map((samples) => samples.slice(50))), /NaN or infinite/);
  }
});

test('the format is checked when the encoder is made', () => {
  const make = (options: Partial<Parameters<typeof createWavEncoder>[0]>) => () =>
    createWavEncoder({ sampleRateHz: 48000, channelCount: 2, frames: 10, bitDepth: 24, ...options });
  assert.throws(make({ bitDepth: 8 as WavBitDepth }), /bit depth/);
  assert.throws(make({ channelCount: 0 }), /1–18 channels/);
  assert.throws(make({ channelCount: 19 }), /1–18 channels/);
  assert.throws(make({ sampleRateHz: 0 }), /sample rate/);
  assert.throws(make({ frames: -1 }), /frames/);
  assert.throws(make({ frames: 2 ** 30 }), /4 GiB/);
});

test.run();
