import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { memorySource } from '../../core/audio/pcm-source.ts';
import { probeExcerptFrom, probeLayout } from '../../core/mastering/probe-excerpt.ts';

const SAMPLE_RATE = 8000;

/** A stereo track whose every sample says where it lies (channel 1 negative). */
const track = (seconds: number) => {
  const frames = seconds * SAMPLE_RATE;
  return [1, -1].map((sign) => Float32Array.from({ length: frames }, (_, i) => sign * (1 + i / frames)));
};

test('a long track gives fifteen 2 s segments spread over it, joined with fades', () => {
  const channels = track(90);
  const excerpt = probeExcerptFrom(memorySource({ sampleRateHz: SAMPLE_RATE, channels }));
  const layout = probeLayout(channels[0].length, SAMPLE_RATE)!;
  assert.is(layout.segment, 2 * SAMPLE_RATE);
  assert.is(layout.starts.length, 15);
  assert.is(layout.starts[0], 0);
  assert.is(layout.starts[14], channels[0].length - layout.segment);
  assert.is(excerpt[0].length, 15 * layout.segment);
  // Away from the joins, each segment is the track where its start says.
  const middle = layout.segment / 2;
  layout.starts.forEach((start, s) => {
    excerpt.forEach((samples, c) => assert.is(samples[s * layout.segment + middle], channels[c][start + middle]));
  });
  // At a join both sides fade to (almost) nothing.
  assert.is(excerpt[0][0], 0);
  assert.ok(Math.abs(excerpt[1][layout.segment - 1]) < 1e-3);
});

test('a short track is probed whole, as a copy', () => {
  const channels = track(10);
  const excerpt = probeExcerptFrom(memorySource({ sampleRateHz: SAMPLE_RATE, channels }));
  assert.equal(excerpt, channels);
  excerpt[0][0] = 99;
  assert.is.not(channels[0][0], 99);
});

test('cut again into the arrays a render wrote over: the same excerpt, in those arrays', () => {
  for (const seconds of [90, 10]) {
    const source = memorySource({ sampleRateHz: SAMPLE_RATE, channels: track(seconds) });
    const expected = probeExcerptFrom(source).map((samples) => samples.slice());
    const arrays = expected.map((samples) => new Float32Array(samples.length).fill(0.5));
    const again = probeExcerptFrom(source, arrays);
    again.forEach((samples, c) => assert.is(samples, arrays[c], `${seconds} s: channel ${c} cut into the array given`));
    assert.equal(again, expected, `${seconds} s: the same samples`);
  }
});

test('arrays of another shape are refused, not cut into', () => {
  const source = memorySource({ sampleRateHz: SAMPLE_RATE, channels: track(90) });
  const length = 15 * 2 * SAMPLE_RATE;
  assert.throws(() => probeExcerptFrom(source, [new Float32Array(length)]), /2 arrays of 240000 frames/);
  assert.throws(() => probeExcerptFrom(source, [new Float32Array(length), new Float32Array(length - 1)]), /2 arrays of 240000 frames/);
});

test.run();
