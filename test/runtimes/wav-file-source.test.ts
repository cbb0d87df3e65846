import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { closeSync, openSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { decodeAudio, type DecodeOptions } from '../../core/audio/decode.ts';
import { detectContainer } from '../../core/audio/detect.ts';
import type { PcmSource } from '../../core/audio/pcm-source.ts';
import { IngestValidationError } from '../../core/domain/errors.ts';
import { DEFAULT_INGEST_POLICY } from '../../core/domain/policies.ts';
import { setSimdEnabled, simdEnabled } from '../../core/wasm/simd-module.ts';
import { openWavFileSource } from '../../runtimes/node/wav-file-source.ts';
import { bitIdentical, ffmpeg, ffmpegAvailable, makeTempDir, readBytes } from '../audio/ffmpeg-pcm.ts';
import { ensureFixtures, fixturePath } from '../support/fixtures.ts';

const tmp = makeTempDir('wav-file-source');
test.after(() => tmp.cleanup());
const wasSimd = simdEnabled();
test.after.each(() => setSimdEnabled(wasSimd));

/** The whole source read in blocks of `blockFrames`, copied out (each read is valid only until the next). */
function readAll(source: PcmSource, blockFrames: number): Float32Array[] {
  const out = Array.from({ length: source.channelCount }, () => new Float32Array(source.length));
  for (let start = 0; start < source.length; start += blockFrames) {
    const block = source.read(start, blockFrames);
    assert.is(block.length, source.channelCount);
    assert.is(block[0].length, Math.min(blockFrames, source.length - start));
    block.forEach((samples, c) => out[c].set(samples, start));
  }
  return out;
}

/** The file source's frames and description equal decodeAudio's for the same bytes, in each block size. */
async function assertSameAsDecodeAudio(path: string, options: DecodeOptions, blockSizes: number[]): Promise<void> {
  const expected = await decodeAudio(readBytes(path), options);
  const source = openWavFileSource(path, options);
  assert.ok(source, `${path} opens as WAV`);
  try {
    const { container, codec, bitDepth, channelMask, sampleRateHz } = source;
    assert.equal({ container, codec, bitDepth, channelMask, sampleRateHz }, {
      container: expected.container,
      codec: expected.codec,
      bitDepth: expected.bitDepth,
      channelMask: expected.channelMask,
      sampleRateHz: expected.sampleRateHz,
    });
    assert.is(source.channelCount, expected.channels.length);
    assert.is(source.length, expected.channels[0].length);
    for (const blockFrames of blockSizes) {
      assert.ok(bitIdentical(readAll(source, blockFrames), expected.channels), `${path} ${JSON.stringify(options)} in blocks of ${blockFrames}`);
    }
  } finally {
    source.close();
  }
}

/** An odd duration (16 317 frames at 44.1 kHz): no block size divides it. */
const MUSIC = 'aevalsrc=0.45*sin(2*PI*220*t)*(0.6+0.4*sin(2*PI*0.7*t))+0.3*sin(2*PI*331*t+2*sin(2*PI*3*t))+0.24*(random(0)-0.5):s=44100:d=0.37';

function makeWav(name: string, codec: string, channels: number, layout?: string): string {
  const path = join(tmp.dir, name);
  ffmpeg(['-f', 'lavfi', '-i', MUSIC, '-ac', String(channels), ...(layout ? ['-channel_layout', layout] : []), '-c:a', codec, path]);
  return path;
}

if (ffmpegAvailable('WAV file source vs decodeAudio')) {
  const made: Array<[string, number, string?]> = [
    ['pcm_u8', 2],
    ['pcm_s16le', 1],
    ['pcm_s16le', 2],
    ['pcm_s16le', 6, '5.1'],
    ['pcm_s24le', 1],
    ['pcm_s24le', 2],
    ['pcm_s24le', 5, '5.0(side)'],
    ['pcm_s32le', 2],
    ['pcm_s32le', 8, '7.1'],
    ['pcm_f32le', 1],
    ['pcm_f32le', 2],
    ['pcm_f32le', 4, 'quad'],
    ['pcm_f64le', 2],
  ];
  for (const simd of [true, false]) {
    test(`every WAV sample format, 1–8 channels, read in blocks of 1, 17, 4096, 65536 and odd sizes equals decodeAudio, channels kept or folded (SIMD ${simd ? 'on' : 'off'})`, async () => {
      setSimdEnabled(simd);
      for (const [codec, channels, layout] of made) {
        const path = makeWav(`${codec}-${channels}.wav`, codec, channels, layout);
        // Single frames for the stereo formats the SIMD decoders take; every size for the rest.
        const sizes = channels === 2 && (codec === 'pcm_s16le' || codec === 'pcm_s24le') ? [1, 17, 4096, 65536, 1001, 4099] : [17, 4096, 65536, 1001];
        await assertSameAsDecodeAudio(path, { keepChannels: true }, sizes);
        await assertSameAsDecodeAudio(path, { keepChannels: false }, [17, 4096, 65536]);
      }
    });
  }
}

test('every WAV fixture reads as decodeAudio decodes it', async () => {
  const manifest = ensureFixtures();
  const files = manifest.pairs.flatMap((pair) => [pair.target, pair.reference, ...pair.alt_inputs]).map((file) => file.path).filter((path) => path.endsWith('.wav'));
  assert.ok(files.length >= 5, `only ${files.length} WAV fixtures`);
  for (const relative of files) await assertSameAsDecodeAudio(fixturePath(relative), { keepChannels: true }, [4096, 65536 + 17]);
});

/** What decodeAudio and the file source say for the same file: 'ok', 'not wav' (a FLAC or MP3), or the error's code and details. */
async function outcomes(path: string, options: DecodeOptions = {}): Promise<{ decoded: unknown; streamed: unknown }> {
  const describe = (error: unknown) => {
    assert.instance(error, IngestValidationError);
    const { code, message, details } = error as IngestValidationError;
    return { code, message, details };
  };
  let decoded: unknown = 'ok';
  try {
    await decodeAudio(readBytes(path), options);
  } catch (error) {
    decoded = describe(error);
  }
  let streamed: unknown = 'ok';
  try {
    const source = openWavFileSource(path, options);
    if (source === null) {
      streamed = 'not wav';
    } else {
      try {
        readAll(source, 4096);
      } finally {
        source.close();
      }
    }
  } catch (error) {
    streamed = describe(error);
  }
  if (streamed !== 'not wav') return { decoded, streamed };
  // Only an accepted FLAC or MP3 opens as null; what decodeAudio makes of it is not the file source's business.
  const container = detectContainer(readBytes(path));
  return { decoded: container, streamed: container === 'flac' || container === 'mp3' ? container : 'null for a WAV' };
}

test('every malformed fixture gives the file source the error decodeAudio gives (a FLAC or MP3 opens as null)', async () => {
  const manifest = ensureFixtures();
  for (const entry of manifest.malformed) {
    const { decoded, streamed } = await outcomes(fixturePath(entry.path), { filename: entry.path.split('/').pop() });
    assert.equal(streamed, decoded, entry.path);
  }
});

/** Builds a RIFF/WAVE file from chunks, padding odd-sized chunks as the format requires. */
function riff(chunks: Array<[string, Uint8Array, number?]>): Uint8Array {
  const parts: number[] = [...'WAVE'].map((ch) => ch.charCodeAt(0));
  for (const [id, body, claimed = body.length] of chunks) {
    parts.push(...[...id].map((ch) => ch.charCodeAt(0)));
    parts.push(claimed & 0xff, (claimed >> 8) & 0xff, (claimed >> 16) & 0xff, claimed >>> 24);
    for (const byte of body) parts.push(byte);
    if (body.length & 1) parts.push(0);
  }
  const out = new Uint8Array(8 + parts.length);
  out.set([0x52, 0x49, 0x46, 0x46]);
  new DataView(out.buffer).setUint32(4, parts.length, true);
  out.set(parts, 8);
  return out;
}

function fmtChunk(channels: number, rate: number, bits: number, tag = 1): Uint8Array {
  const body = new Uint8Array(16);
  const view = new DataView(body.buffer);
  view.setUint16(0, tag, true);
  view.setUint16(2, channels, true);
  view.setUint32(4, rate, true);
  view.setUint32(8, (rate * channels * bits) / 8, true);
  view.setUint16(12, (channels * bits) / 8, true);
  view.setUint16(14, bits, true);
  return body;
}

function floats(values: number[]): Uint8Array {
  return new Uint8Array(new Float32Array(values).buffer);
}

function pcm16(frames: number, channels: number): Uint8Array {
  const samples = new Int16Array(frames * channels);
  for (let i = 0; i < samples.length; i++) samples[i] = Math.round(20000 * Math.sin(i * 0.37));
  return new Uint8Array(samples.buffer);
}

const text = (s: string) => new TextEncoder().encode(s);

test('hand-made headers (chunk orders, odd chunks, streamed sizes, cut-off chunks, lies, odd formats) give the same result as decodeAudio', async () => {
  const nanFrames = Array.from({ length: 2 * 5000 }, (_, i) => (i === 2 * 4321 + 1 ? Number.NaN : 0.25));
  const cases: Record<string, Uint8Array> = {
    'fmt after data, LIST and odd junk': riff([['LIST', text('INFOISFT')], ['data', pcm16(1001, 2)], ['JUNK', text('odd')], ['fmt ', fmtChunk(2, 44100, 16)]]),
    'partial last frame': riff([['fmt ', fmtChunk(2, 48000, 16)], ['data', pcm16(100, 2).subarray(0, 399)]]),
    'streamed data size': riff([['fmt ', fmtChunk(1, 48000, 16)], ['data', pcm16(777, 1), 0xffffffff]]),
    'cut-off chunk after data': riff([['fmt ', fmtChunk(2, 48000, 16)], ['data', pcm16(64, 2)], ['LIST', text('abcd'), 1000]]),
    'cut-off chunk before data': riff([['fmt ', fmtChunk(2, 48000, 16)], ['LIST', text('abcd'), 1000], ['data', pcm16(64, 2)]]),
    'lying data size': riff([['fmt ', fmtChunk(2, 48000, 16)], ['data', pcm16(64, 2), 100000]]),
    'no fmt': riff([['data', pcm16(64, 2)]]),
    'no data': riff([['fmt ', fmtChunk(2, 48000, 16)]]),
    'short fmt': riff([['fmt ', fmtChunk(2, 48000, 16).subarray(0, 12)], ['data', pcm16(64, 2)]]),
    'ADPCM': riff([['fmt ', fmtChunk(2, 48000, 16, 2)], ['data', pcm16(64, 2)]]),
    'zero channels': riff([['fmt ', fmtChunk(0, 48000, 16)], ['data', pcm16(64, 2)]]),
    'zero rate': riff([['fmt ', fmtChunk(2, 0, 16)], ['data', pcm16(64, 2)]]),
    'nine channels': riff([['fmt ', fmtChunk(9, 48000, 16)], ['data', pcm16(64, 9)]]),
    'rate too high': riff([['fmt ', fmtChunk(2, 768000, 16)], ['data', pcm16(64, 2)]]),
    'empty data': riff([['fmt ', fmtChunk(2, 48000, 16)], ['data', new Uint8Array(0)]]),
    'NaN deep inside a float file': riff([['fmt ', fmtChunk(2, 48000, 32, 3)], ['data', floats(nanFrames)]]),
    'Infinity in a float file': riff([['fmt ', fmtChunk(1, 48000, 32, 3)], ['data', floats([0, 0.5, Number.POSITIVE_INFINITY])]]),
    'header only': riff([]).subarray(0, 10),
  };
  for (const [name, bytes] of Object.entries(cases)) {
    const path = join(tmp.dir, `case-${name.replace(/\W+/g, '-')}.wav`);
    writeFileSync(path, bytes);
    const { decoded, streamed } = await outcomes(path);
    assert.equal(streamed, decoded, name);
    if (decoded === 'ok') await assertSameAsDecodeAudio(path, {}, [1, 17, 4096]);
  }
  const errorCase = await outcomes(join(tmp.dir, 'case-NaN-deep-inside-a-float-file.wav'));
  assert.equal((errorCase.streamed as { details: unknown }).details, { frame: 4321, channel: 1 }, 'the frame is counted from the file start');
});

test('the policy, the filename and the container are checked as decodeAudio checks them', async () => {
  const path = join(tmp.dir, 'policy.wav');
  writeFileSync(path, riff([['fmt ', fmtChunk(2, 48000, 16)], ['data', pcm16(48000, 2)]]));
  const policies = [
    { ...DEFAULT_INGEST_POLICY, maxDurationSeconds: 0.5 },
    { ...DEFAULT_INGEST_POLICY, maxFileBytes: 1000 },
    { ...DEFAULT_INGEST_POLICY, channels: { min: 1, max: 1 } },
    { ...DEFAULT_INGEST_POLICY, sampleRateHz: { min: 8000, max: 44100 } },
  ];
  for (const policy of policies) {
    const { decoded, streamed } = await outcomes(path, { policy });
    assert.ok(decoded !== 'ok', JSON.stringify(policy));
    assert.equal(streamed, decoded);
  }
  for (const filename of ['take.ogg', 'take.mp3', 'take.WAV', 'take']) {
    const { decoded, streamed } = await outcomes(path, { filename });
    assert.equal(streamed, decoded, filename);
  }
  const rf64 = join(tmp.dir, 'rf64.wav');
  writeFileSync(rf64, new Uint8Array([...text('RF64'), 0, 0, 0, 0, ...text('WAVE'), 0, 0]));
  const empty = join(tmp.dir, 'empty.wav');
  writeFileSync(empty, new Uint8Array(0));
  for (const file of [rf64, empty]) {
    const { decoded, streamed } = await outcomes(file);
    assert.ok(decoded !== 'ok');
    assert.equal(streamed, decoded, file);
  }
});

test('a FLAC or MP3 file opens as null, a missing file throws its file-system error, and a closed source refuses reads', () => {
  const manifest = ensureFixtures();
  const flac = manifest.pairs.flatMap((pair) => [pair.target, pair.reference, ...pair.alt_inputs]).find((file) => file.path.endsWith('.flac'));
  assert.ok(flac);
  assert.is(openWavFileSource(fixturePath(flac.path)), null);
  assert.throws(() => openWavFileSource(join(tmp.dir, 'missing.wav')), (error: unknown) => (error as NodeJS.ErrnoException).code === 'ENOENT');
  const path = join(tmp.dir, 'closing.wav');
  writeFileSync(path, riff([['fmt ', fmtChunk(2, 48000, 16)], ['data', pcm16(100, 2)]]));
  const source = openWavFileSource(path);
  assert.ok(source);
  assert.is(source.read(90, 50)[0].length, 10, 'a read is cut at the end');
  assert.is(source.read(100, 50)[0].length, 0);
  source.close();
  source.close();
  assert.throws(() => source.read(0, 10), /closed/);
});

test('reading a 200 MB WAV in blocks keeps the process near its starting size', () => {
  // 24-bit stereo at 48 kHz: 34.9 M frames, 11 min. Decoded whole it would be 280 MB of floats on top of the file's bytes.
  const frames = Math.floor(200e6 / 6);
  const path = join(tmp.dir, 'large.wav');
  const dataBytes = frames * 6;
  const header = riff([['fmt ', fmtChunk(2, 48000, 24)], ['data', new Uint8Array(0), dataBytes]]);
  const fd = openSync(path, 'w');
  try {
    writeSync(fd, header);
    // A ramp that wraps: sample n of the left channel is (n mod 2^23) / 2^23, the right its negative.
    const chunkFrames = 1 << 20;
    const chunk = new Uint8Array(chunkFrames * 6);
    for (let first = 0; first < frames; first += chunkFrames) {
      const count = Math.min(chunkFrames, frames - first);
      for (let i = 0, p = 0; i < count; i++, p += 6) {
        const left = (first + i) & 0x7fffff;
        const right = -left & 0xffffff;
        chunk[p] = left & 0xff;
        chunk[p + 1] = (left >> 8) & 0xff;
        chunk[p + 2] = (left >> 16) & 0xff;
        chunk[p + 3] = right & 0xff;
        chunk[p + 4] = (right >> 8) & 0xff;
        chunk[p + 5] = (right >> 16) & 0xff;
      }
      writeSync(fd, chunk, 0, count * 6);
    }
  } finally {
    closeSync(fd);
  }
  (globalThis as { gc?: () => void }).gc?.();
  const before = process.memoryUsage().rss;
  let peak = before;
  const source = openWavFileSource(path, { keepChannels: true, policy: { ...DEFAULT_INGEST_POLICY, maxFileBytes: 1e9, maxDurationSeconds: 7200 } });
  assert.ok(source);
  try {
    assert.is(source.length, frames);
    const blockFrames = 65536;
    let checked = 0;
    for (let start = 0; start < frames; start += blockFrames) {
      const [left, right] = source.read(start, blockFrames);
      const n = start + left.length - 1;
      const expected = (n & 0x7fffff) / 8388608;
      if (left[left.length - 1] !== expected || right[right.length - 1] !== (n & 0x7fffff ? -expected : 0)) {
        assert.unreachable(`frame ${n}: ${left[left.length - 1]}, ${right[right.length - 1]}`);
      }
      checked++;
      if ((checked & 63) === 0) peak = Math.max(peak, process.memoryUsage().rss);
    }
  } finally {
    source.close();
  }
  peak = Math.max(peak, process.memoryUsage().rss);
  const grownMb = (peak - before) / 1e6;
  // Loose on purpose: the page cache is not RSS, and the collector's timing varies; reading whole would add ≥ 280 MB.
  assert.ok(grownMb < 64, `RSS grew by ${grownMb.toFixed(1)} MB while reading 200 MB in blocks`);
  console.log(`  200 MB WAV in 64 Ki-frame blocks: RSS grew by ${grownMb.toFixed(1)} MB`);
});

test.run();
