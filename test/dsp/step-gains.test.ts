// The rider's per-block gains from its per-step dB (core/dsp/step-gains.ts):
// one exponential per step and a product per point give, point for point, the
// float32 of the exponential of the interpolated dB (interpolateStepAt, the
// placement the rider always had), to within one float32 step and nearly
// always exactly.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { interpolateStepAt } from '../../core/dsp/short-term-loudness.ts';
import { interpolateStepGains } from '../../core/dsp/step-gains.ts';

function seeded(seed: number) {
  let state = seed >>> 0;
  return () => {
    state = (state * 1664525 + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

for (const [step, block] of [
  [4410, 16],
  [4800, 16],
  [100, 10],
  [7, 16],
  [16, 16],
] as const) {
  test(`steps of ${step} samples onto blocks of ${block}: each gain is the exponential of the interpolated dB, within one float32 step`, () => {
    const random = seeded(step * 31 + block);
    const steps = 400;
    const valuesDb = Float64Array.from({ length: steps }, () => (random() - 0.5) * 24);
    // A flat run and a step back, as the rider's limits make them.
    valuesDb.fill(12, 100, 140);
    const blocks = Math.ceil((steps * step) / block) + 3;
    const gains = interpolateStepGains(valuesDb, step, block, blocks, new Float32Array(blocks + 1));
    const expected = Float32Array.from({ length: blocks + 1 }, (_, b) => Math.exp((interpolateStepAt(valuesDb, step, block, b) * Math.LN10) / 20));
    let exact = 0;
    for (let b = 0; b <= blocks; b++) {
      const ulp = Math.fround(expected[b] * (1 + 2 ** -23)) - expected[b];
      assert.ok(Math.abs(gains[b] - expected[b]) <= ulp, `point ${b}: ${gains[b]} against ${expected[b]}`);
      if (gains[b] === expected[b]) exact++;
    }
    assert.ok(exact >= 0.99 * (blocks + 1), `${exact} of ${blocks + 1} exactly equal`);
  });
}

test('before the first middle and past the last the gains hold the end values; no steps give NaN', () => {
  const gains = interpolateStepGains([6, 0], 100, 10, 30, new Float32Array(31));
  assert.is(gains[0], Math.fround(Math.pow(10, 6 / 20)));
  assert.is(gains[4], Math.fround(Math.pow(10, 6 / 20)));
  assert.is(gains[30], 1);
  assert.ok(Number.isNaN(interpolateStepGains([], 100, 10, 3, new Float32Array(4))[2]));
  assert.throws(() => interpolateStepGains([1], 100, 10, 3, new Float32Array(3)), /writes 4 points/);
});

test.run();
