import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { centredShortTermLoudness, interpolateStepAt, interpolateSteps, SHORT_TERM_SECONDS } from '../../core/dsp/short-term-loudness.ts';
import { ENERGY_BLOCK } from '../../core/dsp/kweighted-blocks.ts';
import { energyToLufs } from '../../core/dsp/loudness-gating.ts';

test('interpolateSteps gives every point exactly what interpolateStepAt gives it, for steps longer and shorter than a block', () => {
  for (const [steps, step, block, blocks] of [
    [1800, 4410, 16, 496_125],
    [7, 4410, 16, 2000],
    [2, 100, 16, 30],
    [1, 4410, 16, 500],
    [50, 8, 16, 30],
    [50, 3, 7, 80],
  ]) {
    const values = Float64Array.from({ length: steps }, (_, j) => Math.sin(j * 1.7) * 10 - j * 0.01);
    const points = interpolateSteps(values, step, block, blocks);
    assert.is(points.length, blocks + 1);
    for (let b = 0; b <= blocks; b++) {
      if (points[b] !== interpolateStepAt(values, step, block, b)) assert.unreachable(`point ${b} of ${steps} steps of ${step}, blocks of ${block}`);
    }
  }
});

test('interpolateSteps holds the first value before the first middle and the last past the last', () => {
  const points = interpolateSteps([2, 4], 100, 10, 30);
  assert.is(points[0], 2);
  assert.is(points[5], 2);
  assert.is(points[10], 3);
  assert.is(points[15], 4);
  assert.is(points[30], 4);
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
