import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { decodeAudio } from '../../core/audio/decode.ts';
import { decodeWavSamples } from '../../core/audio/wav-decode.ts';
import { parseWavHeader } from '../../core/audio/wav-header.ts';
import { fixturePath } from '../support/fixtures.ts';
import { bitIdentical, ffmpeg, ffmpegAvailable, ffmpegDecode, makeTempDir, readBytes } from './ffmpeg-pcm.ts';

const tmp = makeTempDir('wav-decode');
test.after(() => tmp.cleanup());

/** A few seconds of a chord with noise, full scale peaks, so every bit of every format is exercised. */
const MUSIC = 'aevalsrc=0.45*sin(2*PI*220*t)*(0.6+0.4*sin(2*PI*0.7*t))+0.3*sin(2*PI*331*t+2*sin(2*PI*3*t))+0.24*(random(0)-0.5):s=44100:d=2';

function makeWav(name: string, codec: string, extra: string[] = []): string {
  const path = join(tmp.dir, name);
  ffmpeg(['-f', 'lavfi', '-i', MUSIC, ...extra, '-c:a', codec, path]);
  return path;
}

async function assertMatchesFfmpeg(path: string, expectedCodec: string) {
  const ours = await decodeAudio(readBytes(path), { filename: path });
  const reference = ffmpegDecode(path);
  assert.is(ours.codec, expectedCodec);
  assert.is(ours.sampleRateHz, reference.sampleRateHz);
  assert.is(ours.channels.length, reference.channels.length);
  assert.is(ours.channels[0].length, reference.channels[0].length);
  assert.ok(bitIdentical(ours.channels, reference.channels), `${path}: samples differ from ffmpeg's`);
}

if (ffmpegAvailable('WAV decode vs ffmpeg')) {
  const fixtures: Array<[string, string]> = [
    ['indie_pop/target.wav', 'pcm_s16le'],
    ['indie_pop/target_f32.wav', 'pcm_f32le'],
    ['indie_pop/reference_ext24.wav', 'pcm_s24le'],
    ['synthwave_48k_24bit/target.wav', 'pcm_s24le'],
    ['speech_mono_target/target.wav', 'pcm_s16le'],
  ];
  for (const [relative, codec] of fixtures) {
    test(`the fixture ${relative} (${codec}) decodes bit-identically to ffmpeg`, async () => {
      await assertMatchesFfmpeg(fixturePath(relative), codec);
    });
  }

  const made: Array<[string, string, string[]]> = [
    ['pcm_u8', 'pcm_u8', ['-ac', '2']],
    ['pcm_s16le', 'pcm_s16le', ['-ac', '1']],
    ['pcm_s24le', 'pcm_s24le', ['-ac', '2']],
    ['pcm_s32le', 'pcm_s32le', ['-ac', '2']],
    ['pcm_f32le', 'pcm_f32le', ['-ac', '2']],
    ['pcm_f64le', 'pcm_f64le', ['-ac', '2']],
  ];
  for (const [codec, expected, extra] of made) {
    test(`a ${codec} WAV made by ffmpeg at test time decodes bit-identically to ffmpeg`, async () => {
      await assertMatchesFfmpeg(makeWav(`${codec}.wav`, codec, extra), expected);
    });
  }

  test('WAVE_FORMAT_EXTENSIBLE files with PCM and float sub-formats decode every channel like ffmpeg', () => {
    for (const codec of ['pcm_s16le', 'pcm_s24le', 'pcm_s32le', 'pcm_f32le', 'pcm_f64le']) {
      const path = makeWav(`ext-${codec}.wav`, codec, ['-ac', '6']);
      const bytes = readBytes(path);
      const info = parseWavHeader(bytes);
      assert.is(new DataView(bytes.buffer, bytes.byteOffset).getUint16(20, true), 0xfffe, `${codec} is extensible`);
      assert.is(info.codec, codec);
      assert.is(info.channelCount, 6);
      assert.ok(bitIdentical(decodeWavSamples(bytes, info), ffmpegDecode(path).channels), `${codec} channels differ`);
    }
  });

  test('a WAV streamed by ffmpeg to a pipe (data size 0xFFFFFFFF) decodes to the end of the file', async () => {
    const path = makeWav('piped-source.wav', 'pcm_s16le', ['-ac', '2']);
    const piped = new Uint8Array(execFileSync('ffmpeg', ['-v', 'error', '-i', path, '-c:a', 'pcm_s16le', '-f', 'wav', 'pipe:1'], { maxBuffer: 1 << 28 }));
    const info = parseWavHeader(piped);
    assert.is(new DataView(piped.buffer, piped.byteOffset).getUint32(info.dataOffset - 4, true), 0xffffffff);
    const ours = await decodeAudio(piped);
    assert.ok(bitIdentical(ours.channels, ffmpegDecode(path).channels));
  });
}

/** Builds a RIFF/WAVE file from chunks, padding odd-sized chunks as the format requires. */
function riff(chunks: Array<[string, Uint8Array]>): Uint8Array {
  const parts: number[] = [...'WAVE'].map((ch) => ch.charCodeAt(0));
  for (const [id, body] of chunks) {
    parts.push(...[...id].map((ch) => ch.charCodeAt(0)));
    parts.push(body.length & 0xff, (body.length >> 8) & 0xff, (body.length >> 16) & 0xff, body.length >>> 24);
    parts.push(...body);
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

const text = (s: string) => new TextEncoder().encode(s);

test('unknown chunks, LIST and bext metadata, odd sizes with padding and fmt after data are all handled', async () => {
  const samples = new Uint8Array([0x80, 0xff, 0x00, 0x40, 0xc0]); // 5 frames of 8-bit mono: odd data size
  const plain = await decodeAudio(riff([['fmt ', fmtChunk(1, 8000, 8)], ['data', samples]]));
  const decorated = riff([
    ['bext', new Uint8Array(603)],
    ['LIST', text('INFOISFT\x05\x00\x00\x00test\x00')],
    ['junk', new Uint8Array(7)],
    ['data', samples],
    ['fmt ', fmtChunk(1, 8000, 8)],
    ['id3 ', new Uint8Array(3)],
  ]);
  const decoded = await decodeAudio(decorated, { filename: 'decorated.wav' });
  assert.equal(Array.from(decoded.channels[0]), Array.from(plain.channels[0]));
  assert.equal(Array.from(decoded.channels[0]), [0, 127 / 128, -1, -0.5, 0.5]);
});

test('a data size that is not a whole number of frames decodes the whole frames only', async () => {
  const decoded = await decodeAudio(riff([['fmt ', fmtChunk(2, 8000, 16)], ['data', new Uint8Array(4 * 3 + 3)]]));
  assert.is(decoded.channels[0].length, 3);
});

test('a cut-off chunk after the data chunk is ignored, one before it is corrupted_file', async () => {
  const good = riff([['fmt ', fmtChunk(1, 8000, 16)], ['data', new Uint8Array(200)], ['LIST', new Uint8Array(40)]]);
  assert.is((await decodeAudio(good.subarray(0, good.length - 20))).channels[0].length, 100);
  const bad = riff([['fmt ', fmtChunk(1, 8000, 16)], ['LIST', new Uint8Array(40)], ['data', new Uint8Array(200)]]);
  const cut = bad.slice();
  new DataView(cut.buffer).setUint32(36 + 4, 100_000, true); // LIST claims far more than present
  try {
    await decodeAudio(cut);
    assert.unreachable('should throw');
  } catch (error) {
    assert.is((error as { code: string }).code, 'corrupted_file');
  }
});

test('a WAV decoded into shared memory (for a tap thread to read) has the same samples, in views of SharedArrayBuffers; surround folded to stereo too; FLAC stays in ordinary memory', async () => {
  for (const [name, codec, extra] of [
    ['shared-24.wav', 'pcm_s24le', []],
    ['shared-16.wav', 'pcm_s16le', []],
    ['shared-6ch.wav', 'pcm_s16le', ['-af', 'pan=5.1|c0=c0|c1=c0|c2=c0|c3=c0|c4=c0|c5=c0']],
  ] as const) {
    const bytes = readBytes(makeWav(name, codec, [...extra]));
    for (const keepChannels of [true, false]) {
      const plain = await decodeAudio(bytes, { filename: name, keepChannels });
      const shared = await decodeAudio(bytes, { filename: name, keepChannels, sharedMemory: true });
      assert.ok(shared.channels.every((samples) => samples.buffer instanceof SharedArrayBuffer), `${name}: every channel shared`);
      assert.ok(plain.channels.every((samples) => !(samples.buffer instanceof SharedArrayBuffer)), `${name}: ordinary memory by default`);
      assert.ok(bitIdentical(shared.channels, plain.channels), `${name} (keepChannels ${keepChannels}): the same samples`);
    }
  }
  const flacPath = join(tmp.dir, 'shared.flac');
  ffmpeg(['-f', 'lavfi', '-i', MUSIC, '-c:a', 'flac', flacPath]);
  const flac = await decodeAudio(readBytes(flacPath), { filename: 'shared.flac', sharedMemory: true });
  assert.ok(flac.channels.every((samples) => !(samples.buffer instanceof SharedArrayBuffer)));
});

test('a WAV whose bytes start at an odd offset inside a larger buffer decodes the same', async () => {
  const file = riff([['fmt ', fmtChunk(2, 8000, 16)], ['data', new Uint8Array([1, 0, 255, 255, 0, 128, 255, 127])]]);
  const shifted = new Uint8Array(file.length + 3);
  shifted.set(file, 3);
  const decoded = await decodeAudio(shifted.subarray(3));
  assert.equal(Array.from(decoded.channels[0]), [1 / 32768, -1]);
  assert.equal(Array.from(decoded.channels[1]), [-1 / 32768, 32767 / 32768]);
});

test('16-bit stereo decodes to value / 32768 at every frame count, including the tail after whole vectors and across chunks', async () => {
  for (const frames of [1, 3, 4, 7, 16384, 16389, 40001]) {
    const body = new Uint8Array(4 * frames);
    const view = new DataView(body.buffer);
    for (let i = 0; i < 2 * frames; i++) view.setInt16(2 * i, ((i * 7919) % 65536) - 32768, true);
    // riff() spreads bytes into an array, too slow and deep for long data: header first, data appended.
    const header = riff([['fmt ', fmtChunk(2, 44100, 16)], ['data', new Uint8Array(0)]]);
    const file = new Uint8Array(header.length + body.length);
    file.set(header);
    file.set(body, header.length);
    const fileView = new DataView(file.buffer);
    fileView.setUint32(4, file.length - 8, true);
    fileView.setUint32(header.length - 4, body.length, true);
    const audio = await decodeAudio(file);
    assert.is(audio.channels[0].length, frames);
    for (let i = 0; i < frames; i++) {
      for (let c = 0; c < 2; c++) {
        const expected = view.getInt16(4 * i + 2 * c, true) / 32768;
        if (audio.channels[c][i] !== expected) assert.unreachable(`${frames} frames, frame ${i} channel ${c}: ${audio.channels[c][i]} vs ${expected}`);
      }
    }
  }
});

test.run();
