import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { join } from 'node:path';
import { decodeAudio } from '../../core/audio/decode.ts';
import { scanMp3Frames } from '../../core/audio/mp3-frames.ts';
import { encodeWav } from '../../core/audio/wav-encode.ts';
import type { DecodedAudio } from '../../core/audio/pcm.ts';
import { IngestValidationError, type IngestErrorCode } from '../../core/domain/errors.ts';
import { DEFAULT_INGEST_POLICY, type IngestPolicy } from '../../core/domain/policies.ts';
import { ensureFixtures, readFixture } from '../support/fixtures.ts';
import { largestAllocationBytes } from './alloc-spy.ts';
import { ffmpeg, ffmpegAvailable, makeTempDir, readBytes } from './ffmpeg-pcm.ts';

const tmp = makeTempDir('ingest-errors');
test.after(() => tmp.cleanup());

/** What each malformed fixture must give (the manifest allows a choice for some; this is ours). */
const EXPECTED: Record<string, IngestErrorCode | 'ok'> = {
  'malformed/truncated.wav': 'corrupted_file',
  'malformed/truncated_header.wav': 'corrupted_file',
  'malformed/lying_data_size.wav': 'corrupted_file',
  'malformed/adpcm_format2.wav': 'unsupported_codec',
  'malformed/random_bytes.wav': 'unsupported_container',
  'malformed/empty.wav': 'empty_file',
  'malformed/mpeg2_layer3.mp3': 'unsupported_codec_profile',
  'malformed/text_as.flac': 'unsupported_container',
  'malformed/huge_header_8ch_192k.wav': 'corrupted_file',
  'malformed/huge_header_rf64_8ch_192k_1h.wav': 'unsupported_container',
  'malformed/bad_id3.mp3': 'id3_malformed_header',
  'malformed/nan_float.wav': 'corrupted_file',
  'malformed/silence.wav': 'ok',
};

async function codeOf(bytes: Uint8Array, filename?: string, policy?: IngestPolicy): Promise<string> {
  try {
    await decodeAudio(bytes, { filename, policy });
    return 'ok';
  } catch (error) {
    assert.instance(error, IngestValidationError);
    return (error as IngestValidationError).code;
  }
}

test('every malformed fixture in the manifest has an expected code that the manifest allows', () => {
  const manifest = ensureFixtures();
  for (const entry of manifest.malformed) {
    const expected = EXPECTED[entry.path];
    assert.ok(expected, `no expectation for ${entry.path}`);
    if (expected !== 'ok') assert.match(entry.expect, expected, `${entry.path}: manifest says ${entry.expect}`);
  }
});

for (const [path, expected] of Object.entries(EXPECTED)) {
  test(`the fixture ${path} gives ${expected}`, async () => {
    assert.is(await codeOf(readFixture(path), path.split('/').pop()), expected);
  });
}

test('huge-claim WAV headers (8 ch, 192 kHz, "1 h") are refused without allocating anything near the claim', async () => {
  for (const path of ['malformed/huge_header_8ch_192k.wav', 'malformed/huge_header_rf64_8ch_192k_1h.wav']) {
    const bytes = readFixture(path);
    const largest = await largestAllocationBytes(() => decodeAudio(bytes));
    assert.ok(largest < 1_000_000, `${path}: allocated ${largest} bytes`);
  }
});

test('silence decodes to exact zeros with the source shape', async () => {
  const audio = await decodeAudio(readFixture('malformed/silence.wav'));
  assert.is(audio.channels.length, 2);
  assert.is(audio.channels[0].length, 3 * 44100);
  assert.ok(audio.channels.every((channel) => channel.every((x) => x === 0)));
});

/** A minimal PCM WAV with the given header fields and `dataBytes` zero bytes of samples. */
function wav(fields: { channels?: number; rate?: number; bits?: number; tag?: number; dataBytes?: number }): Uint8Array {
  const { channels = 2, rate = 44100, bits = 16, tag = 1, dataBytes = 4 * 4410 } = fields;
  const out = new Uint8Array(44 + dataBytes);
  const view = new DataView(out.buffer);
  out.set([...'RIFF'].map((c) => c.charCodeAt(0)), 0);
  view.setUint32(4, 36 + dataBytes, true);
  out.set([...'WAVEfmt '].map((c) => c.charCodeAt(0)), 8);
  view.setUint32(16, 16, true);
  view.setUint16(20, tag, true);
  view.setUint16(22, channels, true);
  view.setUint32(24, rate, true);
  view.setUint32(28, (rate * channels * bits) / 8, true);
  view.setUint16(32, (channels * bits) / 8, true);
  view.setUint16(34, bits, true);
  out.set([...'data'].map((c) => c.charCodeAt(0)), 36);
  view.setUint32(40, dataBytes, true);
  return out;
}

test('the policy limits give their own codes: size, duration, sample rate, channel count', async () => {
  const small: IngestPolicy = { ...DEFAULT_INGEST_POLICY, maxFileBytes: 1000 };
  assert.is(await codeOf(wav({}), undefined, small), 'file_too_large');
  assert.is(await codeOf(wav({ dataBytes: 0 })), 'invalid_duration');
  assert.is(await codeOf(wav({ rate: 7999, dataBytes: 8 })), 'invalid_sample_rate');
  assert.is(await codeOf(wav({ rate: 192001, dataBytes: 8 })), 'invalid_sample_rate');
  assert.is(await codeOf(wav({ rate: 0, dataBytes: 8 })), 'invalid_sample_rate');
  assert.is(await codeOf(wav({ channels: 9, dataBytes: 18 })), 'invalid_channel_count');
  assert.is(await codeOf(wav({ channels: 0, dataBytes: 8 })), 'invalid_channel_count');
  assert.is(await codeOf(wav({ rate: 8000, channels: 8, dataBytes: 16 })), 'ok');
  const shortLimit: IngestPolicy = { ...DEFAULT_INGEST_POLICY, maxDurationSeconds: 0.05 };
  assert.is(await codeOf(wav({}), undefined, shortLimit), 'duration_too_long');
});

test('the filename must end in .wav, .flac or .mp3 when it has an extension; detection ignores which one', async () => {
  const bytes = wav({});
  assert.is(await codeOf(bytes, 'mix.ogg'), 'unsupported_container');
  assert.is(await codeOf(bytes, 'mix.WAV'), 'ok');
  assert.is(await codeOf(bytes, 'mix'), 'ok');
  assert.is(await codeOf(bytes, 'mix.flac'), 'ok');
  assert.is(await codeOf(new TextEncoder().encode('hello world, not audio'), 'notes.mp3'), 'mp3_malformed_header');
  assert.is(await codeOf(new TextEncoder().encode('hello world, not audio'), 'notes.wav'), 'unsupported_container');
});

test('WAV formats other than PCM and IEEE float give unsupported_codec', async () => {
  assert.is(await codeOf(wav({ tag: 6, bits: 8 })), 'unsupported_codec');
  const extensibleAdpcm = encodeWav({ sampleRateHz: 44100, channels: [new Float32Array(100)] }, { bitDepth: 24 });
  assert.is(new DataView(extensibleAdpcm.buffer).getUint16(20, true), 0xfffe);
  assert.is(await codeOf(extensibleAdpcm), 'ok');
  extensibleAdpcm[44] = 2; // sub-format GUID now names Microsoft ADPCM
  assert.is(await codeOf(extensibleAdpcm), 'unsupported_codec');
  assert.is(await codeOf(wav({ tag: 1, bits: 12, dataBytes: 12 })), 'unsupported_codec');
  assert.is(await codeOf(wav({ tag: 3, bits: 16 })), 'unsupported_codec');
});

const ID3_HEADER = [0x49, 0x44, 0x33, 3, 0, 0];

test('MP3 header problems map to mp3_malformed_header, id3_malformed_header and unsupported_codec_profile', async () => {
  const junk = new Uint8Array(2000).map((_, i) => (i * 37 + 11) & 0x7f);
  const tagThenJunk = new Uint8Array([...ID3_HEADER, 0, 0, 0, 10, ...new Uint8Array(10), ...junk]);
  assert.is(await codeOf(tagThenJunk), 'mp3_malformed_header');
  const reservedVersion = new Uint8Array([0xff, 0xea, 0x90, 0x00, ...junk]);
  assert.is(await codeOf(reservedVersion), 'mp3_malformed_header');
  const tagPastEnd = new Uint8Array([...ID3_HEADER, 0, 0, 0x7f, 0x7f, ...junk]);
  assert.is(await codeOf(tagPastEnd), 'id3_malformed_header');
  const badVersion = new Uint8Array([0x49, 0x44, 0x33, 0xff, 0, 0, 0, 0, 0, 10, ...junk]);
  assert.is(await codeOf(badVersion), 'id3_malformed_header');
  const tagOnly = new Uint8Array([...ID3_HEADER, 0, 0, 0, 4, 1, 2, 3, 4]);
  assert.is(await codeOf(tagOnly, 'x.mp3'), 'mp3_malformed_header');
});

if (ffmpegAvailable('ingest errors with ffmpeg-made files')) {
  const MUSIC = 'aevalsrc=0.5*sin(2*PI*440*t)+0.1*(random(0)-0.5):s=44100:d=1';

  test('MPEG-1 Layer II and MPEG-2.5 Layer III give unsupported_codec_profile', async () => {
    const layer2 = join(tmp.dir, 'layer2.mp3');
    ffmpeg(['-f', 'lavfi', '-i', MUSIC, '-c:a', 'mp2', '-f', 'mp2', layer2]);
    assert.is(await codeOf(readBytes(layer2), 'layer2.mp3'), 'unsupported_codec_profile');
    const mpeg25 = join(tmp.dir, 'mpeg25.mp3');
    ffmpeg(['-f', 'lavfi', '-i', MUSIC, '-ar', '8000', '-c:a', 'libmp3lame', mpeg25]);
    assert.is(await codeOf(readBytes(mpeg25)), 'unsupported_codec_profile');
  });

  test('a little junk between the ID3 tag and the first frame is skipped; a lot is mp3_malformed_header', async () => {
    const path = join(tmp.dir, 'tagged.mp3');
    ffmpeg(['-f', 'lavfi', '-i', MUSIC, '-c:a', 'libmp3lame', '-metadata', 'title=Junk', path]);
    const bytes = readBytes(path);
    const first = scanMp3Frames(bytes).firstFrameOffset;
    const withJunk = (junkBytes: number) => {
      const out = new Uint8Array(bytes.length + junkBytes);
      out.set(bytes.subarray(0, first));
      for (let i = 0; i < junkBytes; i++) out[first + i] = 0x20 + (i % 90);
      out.set(bytes.subarray(first), first + junkBytes);
      return out;
    };
    const clean = await decodeAudio(bytes);
    const skipped = await decodeAudio(withJunk(100));
    assert.is(skipped.channels[0].length, clean.channels[0].length);
    assert.is(await codeOf(withJunk(5000)), 'mp3_malformed_header');
  });

  test('A-law WAV gives unsupported_codec and a 4 kHz FLAC gives invalid_sample_rate', async () => {
    const alaw = join(tmp.dir, 'alaw.wav');
    ffmpeg(['-f', 'lavfi', '-i', MUSIC, '-c:a', 'pcm_alaw', alaw]);
    assert.is(await codeOf(readBytes(alaw)), 'unsupported_codec');
    const slow = join(tmp.dir, 'slow.flac');
    ffmpeg(['-f', 'lavfi', '-i', MUSIC, '-ar', '4000', '-c:a', 'flac', slow]);
    assert.is(await codeOf(readBytes(slow)), 'invalid_sample_rate');
  });

  test('a FLAC whose STREAMINFO claims an hour is corrupted_file before any allocation of that size', async () => {
    const path = join(tmp.dir, 'claim.flac');
    ffmpeg(['-f', 'lavfi', '-i', MUSIC, '-ac', '2', '-c:a', 'flac', path]);
    const bytes = readBytes(path);
    const claimed = 3600 * 44100;
    bytes[21] = (bytes[21] & 0xf0) | Math.floor(claimed / 2 ** 32);
    new DataView(bytes.buffer).setUint32(22, claimed >>> 0, false);
    let code = '';
    const largest = await largestAllocationBytes(async () => (code = await codeOf(bytes)));
    assert.is(code, 'corrupted_file');
    assert.ok(largest < 10_000_000, `allocated ${largest} bytes`);
  });

  test('a FLAC claiming 50 minutes that its bytes could just hold still allocates only for what it decodes', async () => {
    const path = join(tmp.dir, 'plausible-claim.flac');
    ffmpeg(['-f', 'lavfi', '-i', MUSIC, '-ac', '2', '-c:a', 'flac', path]);
    const bytes = readBytes(path);
    const claimed = 3000 * 44100; // 1.06 GB of stereo float if trusted
    new DataView(bytes.buffer).setUint16(10, 65535, false); // largest block size: the claim passes the byte check
    bytes[21] = (bytes[21] & 0xf0) | Math.floor(claimed / 2 ** 32);
    new DataView(bytes.buffer).setUint32(22, claimed >>> 0, false);
    let code = '';
    const largest = await largestAllocationBytes(async () => (code = await codeOf(bytes)));
    assert.is(code, 'corrupted_file');
    assert.ok(largest < 16 * bytes.length * 2 * 4 + 1_000_000, `allocated ${largest} bytes`);
  });

  test('a truncated FLAC and a FLAC with a damaged frame are corrupted_file; the decoder stays usable', async () => {
    const path = join(tmp.dir, 'ok.flac');
    ffmpeg(['-f', 'lavfi', '-i', MUSIC, '-ac', '2', '-c:a', 'flac', path]);
    const bytes = readBytes(path);
    assert.is(await codeOf(bytes.slice(0, Math.floor(bytes.length / 2))), 'corrupted_file');
    const damaged = bytes.slice();
    for (let i = Math.floor(bytes.length / 2); i < Math.floor(bytes.length / 2) + 64; i++) damaged[i] ^= 0x5a;
    assert.is(await codeOf(damaged), 'corrupted_file');
    assert.is(await codeOf(bytes), 'ok');
  });

  test('FLAC and MP3 longer than the duration limit are refused before decoding', async () => {
    const flac = join(tmp.dir, 'long.flac');
    const mp3 = join(tmp.dir, 'long.mp3');
    ffmpeg(['-f', 'lavfi', '-i', MUSIC, '-c:a', 'flac', flac]);
    ffmpeg(['-f', 'lavfi', '-i', MUSIC, '-c:a', 'libmp3lame', mp3]);
    const policy: IngestPolicy = { ...DEFAULT_INGEST_POLICY, maxDurationSeconds: 0.5 };
    assert.is(await codeOf(readBytes(flac), undefined, policy), 'duration_too_long');
    assert.is(await codeOf(readBytes(mp3), undefined, policy), 'duration_too_long');
  });

  test('concurrent FLAC and MP3 decodes each get their own decoder and the same samples as alone', async () => {
    const flac = join(tmp.dir, 'c.flac');
    const mp3 = join(tmp.dir, 'c.mp3');
    ffmpeg(['-f', 'lavfi', '-i', MUSIC, '-ac', '2', '-c:a', 'flac', flac]);
    ffmpeg(['-f', 'lavfi', '-i', MUSIC, '-ac', '2', '-c:a', 'libmp3lame', mp3]);
    const inputs = [readBytes(flac), readBytes(mp3)];
    const alone: DecodedAudio[] = [];
    for (const bytes of inputs) alone.push(await decodeAudio(bytes));
    const together = await Promise.all([...inputs, ...inputs, ...inputs].map((bytes) => decodeAudio(bytes)));
    together.forEach((audio, index) => {
      const expected = alone[index % 2];
      assert.is(audio.channels[0].length, expected.channels[0].length);
      assert.equal(audio.channels[1].subarray(1000, 1100), expected.channels[1].subarray(1000, 1100));
    });
  });
}

test.run();
