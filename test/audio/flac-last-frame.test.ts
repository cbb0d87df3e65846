// A FLAC stream whose last frame ends in 0xFF bytes before its CRC (here a
// last block of constant −1 at 24 bits) is decoded to its end: the WASM
// decoder held that frame back, and such files were refused as corrupted
// (found on a 3-minute 24-bit synth mix converted with ffmpeg).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { join } from 'node:path';
import { decodeAudio } from '../../core/audio/decode.ts';
import { bitIdentical, ffmpeg, ffmpegAvailable, ffmpegDecode, makeTempDir, readBytes } from './ffmpeg-pcm.ts';

const tmp = makeTempDir('flac-last-frame');
test.after(() => tmp.cleanup());

if (ffmpegAvailable('flac-last-frame')) {
  test('the last frame of a 24-bit FLAC ending in a block of −1 is decoded, bit-identical to ffmpeg', async () => {
    const path = join(tmp.dir, 'tail-minus-one.flac');
    ffmpeg(['-f', 'lavfi', '-i', "aevalsrc='if(lt(t,0.5),0.5*sin(2*PI*440*t),-1/8388608)':s=44100:d=0.6", '-ac', '2', '-sample_fmt', 's32', '-c:a', 'flac', path]);
    const bytes = readBytes(path);
    // The condition itself: the stream ends in 0xFF bytes and a two-byte CRC.
    assert.equal(Array.from(bytes.subarray(-5, -2)), [0xff, 0xff, 0xff]);
    const ours = await decodeAudio(bytes, { filename: path });
    const reference = ffmpegDecode(path);
    assert.is(ours.channels[0].length, 26460);
    assert.ok(bitIdentical(ours.channels, reference.channels), 'samples differ from ffmpeg’s');
  });
}

test.run();
