import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createHeldFrames } from '../../core/dsp/held-frames.ts';

const track = (frames: number) => [0, 1].map((c) => Float32Array.from({ length: frames }, (_, i) => c * 1000 + i));

test('frames that continue the held ones where they lie are joined as that one stretch of memory, no copy', () => {
  const channels = track(100);
  const held = createHeldFrames();
  const first = held.join(channels.map((samples) => samples.subarray(0, 40)));
  held.keep(first, 30);
  const joined = held.join(channels.map((samples) => samples.subarray(40, 70)));
  joined.forEach((samples, c) => {
    assert.is(samples.buffer, channels[c].buffer, `channel ${c}: the track's own memory`);
    assert.is(samples.byteOffset, channels[c].byteOffset + 30 * 4);
    assert.equal(Array.from(samples), Array.from(channels[c].subarray(30, 70)));
  });
  // Worked on in place, the joined stretch is the track.
  joined[1][0] = -1;
  assert.is(channels[1][30], -1);
});

test('held frames whose memory was reused since, or an input elsewhere, are joined from the copy kept', () => {
  const channels = track(100);
  const held = createHeldFrames();
  held.keep(channels.map((samples) => samples.subarray(0, 40)), 30);
  // The pusher renders its next block into the same memory: the held frames there are gone.
  channels[0][35] = 12345;
  const reused = held.join(channels.map((samples) => samples.subarray(40, 50)));
  assert.not.ok(reused[0].buffer === channels[0].buffer, 'a copy');
  assert.equal(Array.from(reused[0].subarray(0, 10)), [30, 31, 32, 33, 34, 35, 36, 37, 38, 39]);
  assert.equal(Array.from(reused[0].subarray(10)), Array.from(channels[0].subarray(40, 50)));
  held.keep(reused, 15);
  const elsewhere = [0, 1].map(() => Float32Array.from({ length: 5 }, (_, i) => 500 + i));
  const joined = held.join(elsewhere);
  assert.equal(Array.from(joined[1]), [1045, 1046, 1047, 1048, 1049, 500, 501, 502, 503, 504]);
});

test('a held stretch equal to its copy but for the sign of a zero is not the same frames', () => {
  const channels = track(20);
  channels[0][15] = 0;
  const held = createHeldFrames();
  held.keep(channels.map((samples) => samples.subarray(0, 20)), 10);
  channels[0][15] = -0;
  const joined = held.join(channels.map((samples) => samples.subarray(20, 20)));
  assert.ok(Object.is(joined[0][5], 0), 'the kept +0');
});

test.run();
