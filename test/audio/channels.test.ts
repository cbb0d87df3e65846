import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { downmixToStereo, stereoDownmixGains, toMono } from '../../core/audio/channels.ts';
import { SPEAKER } from '../../core/audio/wav-format.ts';

const R = Math.SQRT1_2;

function impulses(channelCount: number): Float32Array[] {
  // Channel c holds the value 1 at frame c and nothing else, so output frame c shows its weights.
  return Array.from({ length: channelCount }, (_, c) => {
    const channel = new Float32Array(channelCount);
    channel[c] = 1;
    return channel;
  });
}

function weights(channelCount: number, mask: number | null = null): Array<[number, number]> {
  const [left, right] = downmixToStereo(impulses(channelCount), mask);
  return Array.from(left, (l, i) => [Number(l.toFixed(4)), Number(right[i].toFixed(4))]);
}

const r4 = Number(R.toFixed(4));

test('mono and stereo pass through unchanged (the same arrays)', () => {
  const mono = [new Float32Array([0.1, 0.2])];
  const stereo = [new Float32Array([0.1]), new Float32Array([0.2])];
  assert.ok(downmixToStereo(mono)[0] === mono[0]);
  assert.is(downmixToStereo(mono).length, 1);
  const out = downmixToStereo(stereo);
  assert.ok(out[0] === stereo[0] && out[1] === stereo[1]);
});

test('5.1 folds down per ITU-R BS.775: centre and surrounds at −3 dB, LFE dropped', () => {
  assert.equal(weights(6), [[1, 0], [0, 1], [r4, r4], [0, 0], [r4, 0], [0, r4]]);
});

test('the default layouts for 3, 4, 5, 7 and 8 channels get their ITU weights', () => {
  assert.equal(weights(3), [[1, 0], [0, 1], [r4, r4]]);
  assert.equal(weights(4), [[1, 0], [0, 1], [r4, 0], [0, r4]]);
  assert.equal(weights(5), [[1, 0], [0, 1], [r4, r4], [r4, 0], [0, r4]]);
  assert.equal(weights(7), [[1, 0], [0, 1], [r4, r4], [0, 0], [0.5, 0.5], [r4, 0], [0, r4]]);
  assert.equal(weights(8), [[1, 0], [0, 1], [r4, r4], [0, 0], [r4, 0], [0, r4], [r4, 0], [0, r4]]);
});

test('a WAVE_FORMAT_EXTENSIBLE mask decides the positions; a mask that does not fit the count is ignored', () => {
  const quadWithCentres = SPEAKER.FRONT_LEFT | SPEAKER.FRONT_RIGHT | SPEAKER.FRONT_CENTER | SPEAKER.BACK_CENTER;
  assert.equal(weights(4, quadWithCentres), [[1, 0], [0, 1], [r4, r4], [0.5, 0.5]]);
  assert.equal(weights(4, SPEAKER.FRONT_LEFT | SPEAKER.FRONT_RIGHT), weights(4));
});

test('stereoDownmixGains keeps a centred source at equal power in both outputs', () => {
  const gains = stereoDownmixGains(3);
  assert.ok(Math.abs(gains.left[2] ** 2 + gains.right[2] ** 2 - 1) < 1e-12);
});

test('a long multichannel signal is downmixed block by block without seams', () => {
  const frames = 200_003;
  const channels = Array.from({ length: 6 }, (_, c) => Float32Array.from({ length: frames }, (_, i) => Math.sin(i * 0.001 * (c + 1))));
  const [left] = downmixToStereo(channels);
  for (const i of [0, 65535, 65536, 131072, frames - 1]) {
    const expected = channels[0][i] + R * channels[2][i] + R * channels[4][i];
    assert.ok(Math.abs(left[i] - expected) < 1e-6, `frame ${i}`);
  }
});

test('toMono averages the channels into a new array', () => {
  const mono = toMono([new Float32Array([1, 0.5]), new Float32Array([0, -0.5])]);
  assert.equal(Array.from(mono), [0.5, 0]);
  const single = new Float32Array([0.25]);
  assert.ok(toMono([single]) !== single);
  assert.equal(Array.from(toMono([single])), [0.25]);
});

test.run();
