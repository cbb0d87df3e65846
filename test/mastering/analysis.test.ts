import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { measureLevels } from '../../core/dsp/levels.ts';
import { detectOnsets } from '../../core/dsp/transients.ts';
import { analyzeTrack } from '../../core/mastering/analysis.ts';

/** Drum-like bursts over a quiet bed, different per channel. */
function bursts(sampleRateHz: number, seconds: number, channelCount: number): Float32Array[] {
  let s = 7;
  const random = () => {
    s = (s * 16807) % 2147483647;
    return s / 2147483647 - 0.5;
  };
  return Array.from({ length: channelCount }, (_, c) =>
    Float32Array.from({ length: Math.round(sampleRateHz * seconds) + 123 }, (_, i) => {
      const beat = (i + c * 37) % Math.round(sampleRateHz * 0.37);
      return 0.02 * random() + (beat < 200 ? 0.8 * Math.exp(-beat / 60) * Math.sin(i / (3 + c)) : 0);
    }),
  );
}

test('one pass of level blocks gives what the separate meters give: peak, RMS, crest and onsets', () => {
  // 22.05 kHz: the 150 ms hop is not a whole number of 10 ms onset blocks.
  for (const [sampleRateHz, channelCount] of [[44100, 2], [22050, 2], [48000, 1], [44100, 3]]) {
    const channels = bursts(sampleRateHz, 6, channelCount);
    const analysis = analyzeTrack({ sampleRateHz, channels });
    const levels = measureLevels({ sampleRateHz, channels });
    const label = `${sampleRateHz} Hz, ${channelCount} ch`;
    assert.is(analysis.samplePeakDbfs, levels.samplePeakDbfs, label);
    assert.ok(Math.abs(analysis.rmsDbfs! - levels.rmsDbfs!) < 1e-9, `${label}: RMS ${analysis.rmsDbfs} vs ${levels.rmsDbfs}`);
    assert.ok(Math.abs(analysis.crestFactorDb! - levels.crestFactorDb!) < 1e-9, label);
    const onsets = detectOnsets(channels, sampleRateHz).length;
    assert.ok(onsets > 10, `${label}: the bursts have onsets (${onsets})`);
    const expected = onsets / (channels[0].length / sampleRateHz);
    assert.ok(Math.abs(analysis.shortTime.transientDensityPerSecond - expected) < 1e-12, `${label}: ${analysis.shortTime.transientDensityPerSecond} vs ${expected}`);
  }
});

test('silence and an empty track analyse without NaN', () => {
  const silent = analyzeTrack({ sampleRateHz: 44100, channels: [new Float32Array(44100), new Float32Array(44100)] });
  assert.ok(silent.silent);
  assert.is(silent.rmsDbfs, null);
  assert.is(silent.shortTime.transientDensityPerSecond, 0);
  const empty = analyzeTrack({ sampleRateHz: 44100, channels: [new Float32Array(0)] });
  assert.is(empty.samplePeakDbfs, null);
});

test.run();
