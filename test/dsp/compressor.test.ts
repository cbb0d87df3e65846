import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { computeGainReduction, CONTROL_BLOCK, staticGainReductionDb, type CompressorSettings } from '../../core/dsp/compressor.ts';

const settings: CompressorSettings = { thresholdDb: -18, ratio: 3, attackMs: 15, releaseMs: 120, kneeDb: 6, detectorOffsetDb: 2 };

/** The compressor's side chain as documented, one block at a time, no shortcuts. */
function naiveReduction(channels: Float32Array[], sampleRateHz: number, s: CompressorSettings): Float32Array {
  const length = channels[0].length;
  const blocks = Math.ceil(length / CONTROL_BLOCK);
  const controlRateHz = sampleRateHz / CONTROL_BLOCK;
  const attack = Math.exp(-1 / ((s.attackMs / 1000) * controlRateHz));
  const release = Math.exp(-1 / ((s.releaseMs / 1000) * controlRateHz));
  const out = new Float32Array(blocks);
  let smoothed = 0;
  for (let b = 0; b < blocks; b++) {
    let peak = 0;
    for (const samples of channels) for (let i = b * CONTROL_BLOCK; i < Math.min(length, (b + 1) * CONTROL_BLOCK); i++) peak = Math.max(peak, Math.abs(samples[i]));
    const level = peak > 1e-10 ? 20 * Math.log10(peak) + s.detectorOffsetDb : -200;
    const target = staticGainReductionDb(level, s.thresholdDb, s.ratio, s.kneeDb);
    const coef = target > smoothed ? attack : release;
    smoothed = coef * smoothed + (1 - coef) * target;
    out[b] = smoothed;
  }
  return out;
}

test('the gain-reduction envelope equals the documented side chain for mono, stereo and three channels', () => {
  const fs = 44100;
  for (const channelCount of [1, 2, 3]) {
    const channels = Array.from({ length: channelCount }, (_, c) =>
      Float32Array.from({ length: fs * 2 + 7 }, (_, i) => Math.sin(i / (20 + c)) * (0.02 + 0.9 * Math.abs(Math.sin(i / 9000 + c)))),
    );
    const { reductionDb } = computeGainReduction(channels, fs, settings);
    const expected = naiveReduction(channels, fs, settings);
    assert.is(reductionDb.length, expected.length);
    let active = 0;
    for (let b = 0; b < expected.length; b++) {
      assert.is(reductionDb[b], expected[b], `${channelCount} ch, block ${b}: ${reductionDb[b]} vs ${expected[b]}`);
      if (expected[b] > 1) active++;
    }
    assert.ok(active > 100, 'the material drives the compressor');
  }
});

test.run();
