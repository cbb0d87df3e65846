import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { decodeAudio } from '../../core/audio/decode.ts';
import { fixturePath } from '../support/fixtures.ts';
import { hasTool, requireTool } from '../support/tools.ts';
import { bitIdentical, ffmpeg, ffmpegAvailable, ffmpegDecode, makeTempDir, maxAbsDifference, readBytes } from './ffmpeg-pcm.ts';

const tmp = makeTempDir('flac-mp3');
test.after(() => tmp.cleanup());

const MUSIC = 'aevalsrc=0.45*sin(2*PI*220*t)*(0.6+0.4*sin(2*PI*0.7*t))+0.3*sin(2*PI*331*t+2*sin(2*PI*3*t))+0.24*(random(0)-0.5):s=44100:d=2';

/**
 * MP3 bound. mpg123 and ffmpeg's mp3float are two float implementations of
 * the same normative decoder (Huffman → requantize → IMDCT → polyphase
 * synthesis); they differ only in float rounding order, measured here at
 * ≤ 3.3e-6 peak (−110 dBFS) and about −120 dB residual on the fixtures. The
 * bound leaves 30× margin on the peak and 30 dB on the residual; both apply
 * the LAME tag's gapless trimming, so lengths must match exactly.
 */
const MP3_MAX_ABS_DIFFERENCE = 1e-4;
const MP3_MAX_RESIDUAL_DB = -90;

function residualDb(ours: Float32Array[], reference: Float32Array[]): number {
  let error = 0;
  let signal = 0;
  for (let c = 0; c < reference.length; c++) {
    for (let i = 0; i < reference[c].length; i++) {
      const e = ours[c][i] - reference[c][i];
      error += e * e;
      signal += reference[c][i] * reference[c][i];
    }
  }
  return 10 * Math.log10(error / signal);
}

async function assertFlacMatches(path: string, bitDepth: number) {
  const ours = await decodeAudio(readBytes(path), { filename: path });
  const reference = ffmpegDecode(path);
  assert.is(ours.container, 'flac');
  assert.is(ours.bitDepth, bitDepth);
  assert.is(ours.sampleRateHz, reference.sampleRateHz);
  assert.is(ours.channels[0].length, reference.channels[0].length);
  assert.ok(bitIdentical(ours.channels, reference.channels), `${path}: max difference ${maxAbsDifference(ours.channels, reference.channels)}`);
}

async function assertMp3Matches(path: string) {
  const ours = await decodeAudio(readBytes(path), { filename: path });
  const reference = ffmpegDecode(path);
  assert.is(ours.container, 'mp3');
  assert.is(ours.sampleRateHz, reference.sampleRateHz);
  assert.is(ours.channels.length, reference.channels.length);
  assert.is(ours.channels[0].length, reference.channels[0].length);
  const peak = maxAbsDifference(ours.channels, reference.channels);
  assert.ok(peak <= MP3_MAX_ABS_DIFFERENCE, `${path}: peak difference ${peak}`);
  const residual = residualDb(ours.channels, reference.channels);
  assert.ok(residual <= MP3_MAX_RESIDUAL_DB, `${path}: residual ${residual.toFixed(1)} dB`);
}

if (ffmpegAvailable('FLAC/MP3 decode vs ffmpeg')) {
  test('the 16-bit stereo FLAC fixture decodes bit-identically to ffmpeg', async () => {
    await assertFlacMatches(fixturePath('indie_pop/target.flac'), 16);
  });

  test('the 24-bit 48 kHz FLAC fixture decodes bit-identically to ffmpeg', async () => {
    await assertFlacMatches(fixturePath('synthwave_48k_24bit/target.flac'), 24);
  });

  test('FLACs made at test time (mono 16-bit, stereo 24-bit near full scale) decode bit-identically to ffmpeg', async () => {
    const mono = join(tmp.dir, 'mono16.flac');
    ffmpeg(['-f', 'lavfi', '-i', MUSIC, '-ac', '1', '-c:a', 'flac', '-sample_fmt', 's16', mono]);
    await assertFlacMatches(mono, 16);
    const loud = join(tmp.dir, 'loud24.flac');
    ffmpeg(['-f', 'lavfi', '-i', 'anoisesrc=d=2:c=white:a=1:r=96000', '-ac', '2', '-c:a', 'flac', '-sample_fmt', 's32', '-bits_per_raw_sample', '24', loud]);
    await assertFlacMatches(loud, 24);
  });

  if (requireTool('sox', hasTool('sox', ['--version']), '8-bit FLAC')) {
    test('an 8-bit FLAC made by sox decodes bit-identically to ffmpeg', async () => {
      const path = join(tmp.dir, 'n8.flac');
      execFileSync('sox', ['-n', '-b', '8', '-r', '8000', '-c', '2', path, 'synth', '1', 'pinknoise']);
      await assertFlacMatches(path, 8);
    });
  }

  test('a FLAC whose STREAMINFO does not know its length (total samples 0) decodes to the same samples', async () => {
    const bytes = readBytes(fixturePath('indie_pop/target.flac'));
    const known = await decodeAudio(bytes);
    const unknown = bytes.slice();
    unknown[21] &= 0xf0;
    unknown.fill(0, 22, 26);
    const streamed = await decodeAudio(unknown);
    assert.ok(bitIdentical(streamed.channels, known.channels));
  });

  test('a 5.1 FLAC is downmixed to stereo with the same weights as ffmpeg', async () => {
    const path = join(tmp.dir, 'surround.flac');
    ffmpeg(['-f', 'lavfi', '-i', MUSIC, '-af', 'pan=5.1|c0=c0|c1=0.5*c0|c2=0.3*c0|c3=0.2*c0|c4=-0.4*c0|c5=0.6*c0', '-c:a', 'flac', path]);
    const ours = await decodeAudio(readBytes(path));
    const reference = ffmpegDecode(path, 2);
    assert.is(ours.channels.length, 2);
    assert.ok(maxAbsDifference(ours.channels, reference.channels) < 1e-6);
  });

  for (const relative of ['indie_pop/reference.mp3', 'synthwave_48k_24bit/reference.mp3', 'speech_mono_target/target.mp3']) {
    test(`the MP3 fixture ${relative} matches ffmpeg within ${MP3_MAX_ABS_DIFFERENCE} peak and ${MP3_MAX_RESIDUAL_DB} dB residual`, async () => {
      await assertMp3Matches(fixturePath(relative));
    });
  }

  test('MP3s made at test time (32 kHz joint stereo VBR with ID3v1 and ID3v2 tags, 48 kHz mono CBR) match ffmpeg', async () => {
    const vbr = join(tmp.dir, 'vbr.mp3');
    ffmpeg(['-f', 'lavfi', '-i', MUSIC, '-ar', '32000', '-ac', '2', '-c:a', 'libmp3lame', '-q:a', '4', '-write_id3v1', '1', '-metadata', 'title=Test', vbr]);
    await assertMp3Matches(vbr);
    const mono = join(tmp.dir, 'mono.mp3');
    ffmpeg(['-f', 'lavfi', '-i', MUSIC, '-ar', '48000', '-ac', '1', '-c:a', 'libmp3lame', '-b:a', '96k', mono]);
    const decoded = await decodeAudio(readBytes(mono));
    assert.is(decoded.channels.length, 1);
    await assertMp3Matches(mono);
  });
}

test.run();
