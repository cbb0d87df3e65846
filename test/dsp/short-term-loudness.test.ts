import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { interpolateStepAt, interpolateSteps } from '../../core/dsp/short-term-loudness.ts';

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

test.run();
