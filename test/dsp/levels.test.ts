import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { levelsTap, measureLevels } from '../../core/dsp/levels.ts';

const fs = 48000;

function sine(amplitude: number, frequencyHz = 1000, seconds = 1): Float32Array {
  const x = new Float32Array(fs * seconds);
  for (let i = 0; i < x.length; i++) x[i] = amplitude * Math.sin((2 * Math.PI * frequencyHz * i) / fs + 0.1);
  return x;
}

test('a sine reads its peak, an RMS 3.01 dB lower and a crest factor of 3.01 dB', () => {
  const r = measureLevels({ sampleRateHz: fs, channels: [sine(0.5), sine(0.5)] });
  assert.ok(Math.abs(r.samplePeakDbfs! - 20 * Math.log10(0.5)) < 0.01);
  assert.ok(Math.abs(r.rmsDbfs! - (20 * Math.log10(0.5) - 3.0103)) < 0.01);
  assert.ok(Math.abs(r.crestFactorDb! - 3.0103) < 0.01);
});

test('a square wave has a crest factor of 0 dB', () => {
  const square = new Float32Array(fs).map((_, i) => (i % 100 < 50 ? 0.25 : -0.25));
  const r = measureLevels({ sampleRateHz: fs, channels: [square] });
  assert.ok(Math.abs(r.crestFactorDb!) < 1e-9);
  assert.ok(Math.abs(r.rmsDbfs! - 20 * Math.log10(0.25)) < 1e-6);
});

test('RMS is the mean square across channels: a silent second channel lowers it by 3 dB', () => {
  const loud = sine(0.5);
  const alone = measureLevels({ sampleRateHz: fs, channels: [loud] });
  const withSilence = measureLevels({ sampleRateHz: fs, channels: [loud, new Float32Array(fs)] });
  assert.ok(Math.abs(alone.rmsDbfs! - withSilence.rmsDbfs! - 3.0103) < 1e-6);
  assert.is(withSilence.samplePeakDbfs, alone.samplePeakDbfs);
});

test('silence and empty audio read null, never -Infinity or NaN', () => {
  const none = { samplePeakDbfs: null, rmsDbfs: null, crestFactorDb: null };
  assert.equal(measureLevels({ sampleRateHz: fs, channels: [new Float32Array(fs)] }), none);
  assert.equal(measureLevels({ sampleRateHz: fs, channels: [new Float32Array(0)] }), none);
  assert.equal(measureLevels({ sampleRateHz: fs, channels: [] }), none);
});

test('levelsTap fed in blocks of 1, 17, 4096 and whole gives measureLevels bit for bit, 1 to 6 channels', () => {
  for (const channelCount of [1, 2, 6]) {
    let state = 99 + channelCount;
    const channels = Array.from({ length: channelCount }, () =>
      Float32Array.from({ length: 10007 }, () => ((state = (state * 1664525 + 1013904223) >>> 0) / 2 ** 32 - 0.5) * 0.9),
    );
    const expected = measureLevels({ sampleRateHz: 48000, channels });
    for (const block of [1, 17, 4096, 10007]) {
      const tap = levelsTap(channelCount);
      for (let start = 0; start < 10007; start += block) tap.push(channels.map((samples) => samples.subarray(start, Math.min(10007, start + block))));
      assert.equal(tap.result(), expected, `${channelCount} channel(s), blocks of ${block}`);
    }
  }
  assert.throws(() => levelsTap(2).push([new Float32Array(3)]), /expected 2 channels, got 1/);
});

test.run();
