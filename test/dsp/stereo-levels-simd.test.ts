// The SIMD stereo stretch meter against the scalar sums it stands in for.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { STEREO_STRETCH_MAX_FRAMES, stereoStretchMeterSimd } from '../../core/dsp/stereo-levels-simd.ts';
import { withSimd } from '../support/simd.ts';

function noise(length: number, seed: number): Float32Array {
  let s = seed;
  return Float32Array.from({ length }, () => {
    s = (s * 16807) % 2147483647;
    return (s / 2147483647 - 0.5) * 1.7;
  });
}

/** The scalar loop the analysis runs without SIMD: per channel in order, summed at the end. */
function scalarStretch(left: Float32Array, right: Float32Array, from: number, to: number) {
  let energyA = 0;
  let energyB = 0;
  let peak = 0;
  for (let i = from; i < to; i++) {
    energyA += left[i] * left[i];
    energyB += right[i] * right[i];
    peak = Math.max(peak, Math.abs(left[i]), Math.abs(right[i]));
  }
  return { energy: energyA + energyB, peak };
}

test('every stretch sums exactly what the scalar loop sums, whatever its length and across chunk edges', withSimd(() => {
  const length = 2 * STEREO_STRETCH_MAX_FRAMES + 1001;
  const left = noise(length, 11);
  const right = noise(length, 29);
  right[STEREO_STRETCH_MAX_FRAMES + 7] = -1.99; // the loudest sample, negative, in one channel only
  const meter = stereoStretchMeterSimd(left, right);
  if (!meter) return assert.unreachable('this runtime lacks WebAssembly SIMD');
  let checked = 0;
  for (let from = 0, step = 1; from < length; step = (step * 7 + 3) % 997 || 1) {
    const to = Math.min(length, from + step);
    const simd = { ...meter.measure(from, to) };
    const scalar = scalarStretch(left, right, from, to);
    assert.is(simd.energy, scalar.energy, `[${from}, ${to})`);
    assert.is(simd.peak, scalar.peak, `[${from}, ${to})`);
    from = to;
    checked++;
  }
  assert.ok(checked > 100, `${checked} stretches`);
  const whole = stereoStretchMeterSimd(left, right)!.measure(STEREO_STRETCH_MAX_FRAMES, STEREO_STRETCH_MAX_FRAMES + 13);
  assert.is(whole.peak, Math.fround(1.99), 'the largest magnitude, from the right channel');
}));

test('an empty stretch has no energy and no peak; a stretch longer than a chunk is refused', withSimd(() => {
  const meter = stereoStretchMeterSimd(new Float32Array(10).fill(0.5), new Float32Array(10).fill(-0.25));
  if (!meter) return assert.unreachable('this runtime lacks WebAssembly SIMD');
  assert.equal({ ...meter.measure(3, 3) }, { energy: 0, peak: 0 });
  assert.equal({ ...meter.measure(3, 10) }, { energy: 7 * (0.25 + 0.0625), peak: 0.5 });
  const long = new Float32Array(STEREO_STRETCH_MAX_FRAMES + 2);
  assert.throws(() => stereoStretchMeterSimd(long, long)!.measure(0, STEREO_STRETCH_MAX_FRAMES + 1), /longer than/);
}));

test.run();
