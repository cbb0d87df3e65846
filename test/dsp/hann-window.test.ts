import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { cachedHannWindow, hannWindow } from '../../core/dsp/fft.ts';

test('the cached window is the Hann window of its length, with its energy, and the same object for the next caller', () => {
  const { window, energy } = cachedHannWindow(4410);
  assert.equal(Array.from(window), Array.from(hannWindow(4410)));
  let sum = 0;
  for (const w of window) sum += w * w;
  assert.is(energy, sum);
  assert.is(cachedHannWindow(4410), cachedHannWindow(4410));
});

test('only the last few lengths are kept: a server seeing tracks shorter than a window, each of its own length, does not collect windows', () => {
  const first = cachedHannWindow(1001);
  for (let length = 2000; length < 2040; length++) cachedHannWindow(length);
  assert.is.not(cachedHannWindow(1001), first, 'made again after forty other lengths');
  assert.is(cachedHannWindow(2039), cachedHannWindow(2039), 'a recent one kept');
});

test.run();
