import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { centredShortTermLoudness, interpolateStepAt, SHORT_TERM_SECONDS } from '../../core/dsp/short-term-loudness.ts';
import { ENERGY_BLOCK } from '../../core/dsp/kweighted-blocks.ts';
import { energyToLufs } from '../../core/dsp/loudness-gating.ts';

test('interpolateStepAt holds the first value before the first middle and the last past the last, and interpolates between middles', () => {
  const at = (b: number) => interpolateStepAt([2, 4], 100, 10, b);
  assert.is(at(0), 2);
  assert.is(at(5), 2);
  assert.is(at(10), 3);
  assert.is(at(15), 4);
  assert.is(at(30), 4);
});

test('centred short-term loudness: each step the mean energy of the blocks starting in its 3 s window, for steps longer and shorter than a block and a last step cut short', () => {
  for (const [length, sampleRateHz, step] of [
    [441_007, 44100, 4410],
    [96_000 * 5 + 3, 48000, 4800],
    [16 * 40 + 5, 8000, 7],
    [1000, 44100, 4410],
  ]) {
    const energy = Float64Array.from({ length: Math.ceil(length / ENERGY_BLOCK) }, (_, b) => 1e-3 * (1.1 + Math.sin(b * 0.37)));
    const loudness = centredShortTermLoudness(energy, length, sampleRateHz, step);
    const steps = Math.max(1, Math.ceil(length / step));
    assert.is(loudness.length, steps);
    const half = Math.round((SHORT_TERM_SECONDS * sampleRateHz) / step / 2);
    for (let j = 0; j < steps; j++) {
      const from = Math.max(0, j - half);
      const to = Math.min(steps, j + half);
      // Blocks by where they start; blocks starting past the last step's start belong to it.
      let sum = 0;
      for (let b = 0; b < energy.length; b++) {
        const stepOf = Math.min(steps - 1, Math.floor((b * ENERGY_BLOCK) / step));
        if (stepOf >= from && stepOf < to) sum += energy[b];
      }
      const expected = energyToLufs(sum / (Math.min(length, to * step) - from * step)) ?? -Infinity;
      assert.ok(Math.abs(loudness[j] - expected) < 1e-9, `${length} frames, steps of ${step}: step ${j} ${loudness[j]} against ${expected}`);
    }
  }
});

test.run();
