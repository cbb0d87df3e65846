// The SIMD gain kernels against the scalar loops they stand in for: every sample identical.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { applyGainCurveSimd, applyRampGainsSimd, scaleChannelsSimd, SIMD_RAMP_BLOCK } from '../../core/dsp/channel-gain-simd.ts';
import { withSimd } from '../support/simd.ts';

function noise(length: number, seed: number, spread = 1.9): Float32Array {
  let s = seed;
  return Float32Array.from({ length }, () => {
    s = (s * 16807) % 2147483647;
    return (s / 2147483647 - 0.5) * spread;
  });
}

const LENGTHS = [0, 1, 3, 4, 15, 16, 17, 1000, 32767, 32768, 32769, 70001];

test('ramps between block gains: the same samples as the scalar interpolation, for cut blocks and across chunk edges', withSimd(() => {
  for (const length of LENGTHS) {
    const channels = [noise(length, 3), noise(length, 5)];
    const blocks = Math.ceil(length / SIMD_RAMP_BLOCK);
    const gains = noise(blocks + 1, 7, 1).map((g) => 0.2 + Math.abs(g));
    const expected = channels.map((samples) => {
      const out = samples.slice();
      for (let b = 0; b < blocks; b++) {
        const g0 = gains[b];
        const dg = (gains[b + 1] - g0) * (1 / SIMD_RAMP_BLOCK);
        for (let i = b * SIMD_RAMP_BLOCK, k = 0; i < Math.min(length, (b + 1) * SIMD_RAMP_BLOCK); i++, k++) out[i] *= g0 + dg * k;
      }
      return out;
    });
    if (!applyRampGainsSimd(channels, gains)) return assert.unreachable('this runtime lacks WebAssembly SIMD');
    channels.forEach((samples, c) => assert.equal(Array.from(samples), Array.from(expected[c]), `length ${length}, channel ${c}`));
  }
}));

test('a gain curve times a gain over a range: the same samples as the scalar product, untouched outside it', withSimd(() => {
  for (const length of LENGTHS) {
    const channels = [noise(length, 11), noise(length, 13), noise(length, 17)];
    const curve = noise(length, 19, 1).map((g) => Math.abs(g) + 0.01);
    const gain = 3.1622776601683795;
    const [start, end] = [Math.floor(length / 7), length - Math.floor(length / 5)];
    const expected = channels.map((samples) => {
      const out = samples.slice();
      for (let i = start; i < end; i++) out[i] *= curve[i] * gain;
      return out;
    });
    if (!applyGainCurveSimd(channels, curve, gain, start, end)) return assert.unreachable('this runtime lacks WebAssembly SIMD');
    channels.forEach((samples, c) => assert.equal(Array.from(samples), Array.from(expected[c]), `length ${length}, channel ${c}`));
  }
}));

test('a scale: the same samples as the scalar product', withSimd(() => {
  for (const length of LENGTHS) {
    const channels = [noise(length, 23)];
    const factor = 0.9977000638225533;
    const expected = channels[0].map((x) => x * factor);
    if (!scaleChannelsSimd(channels, factor)) return assert.unreachable('this runtime lacks WebAssembly SIMD');
    assert.equal(Array.from(channels[0]), Array.from(expected), `length ${length}`);
  }
}));

test.run();
