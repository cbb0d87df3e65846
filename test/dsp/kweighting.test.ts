import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { biquadMagnitude, isStableBiquad } from '../../core/dsp/biquad.ts';
import {
  K_WEIGHTING_HIGH_PASS,
  K_WEIGHTING_SHELF,
  bilinearSection,
  designKWeighting,
  type AnalogSection,
} from '../../core/dsp/kweighting.ts';
import { kWeightedSquareSumPair, packKWeighting } from '../../core/dsp/kweighted-energy.ts';
import { kWeightedBlockEnergyPairSimd, kWeightedSquareSumPairSimd } from '../../core/dsp/stereo-biquads-simd.ts';
import { withSimd } from '../support/simd.ts';

/** |H(j·2πf)| of an analog section. */
function analogMagnitude(s: AnalogSection, frequencyHz: number): number {
  const w = frequencyHz / s.cornerHz;
  const numRe = s.dcGain - s.highGain * w * w;
  const numIm = (s.midGain * w) / s.q;
  const denRe = 1 - w * w;
  const denIm = w / s.q;
  return Math.sqrt((numRe * numRe + numIm * numIm) / (denRe * denRe + denIm * denIm));
}

const analogDb = (f: number) => 20 * Math.log10(analogMagnitude(K_WEIGHTING_SHELF, f) * analogMagnitude(K_WEIGHTING_HIGH_PASS, f));

function digitalDb(sampleRateHz: number, f: number): number {
  const [shelf, highPass] = designKWeighting(sampleRateHz);
  return 20 * Math.log10(biquadMagnitude(shelf, f, sampleRateHz) * biquadMagnitude(highPass, f, sampleRateHz));
}

/** Largest |digital − analog| in dB from 10 Hz up to `upToHz`, on a 1 % frequency grid. */
function worstDeviationDb(sampleRateHz: number, upToHz: number): number {
  let worst = 0;
  for (let f = 10; f <= upToHz; f *= 1.01) worst = Math.max(worst, Math.abs(digitalDb(sampleRateHz, f) - analogDb(f)));
  return worst;
}

test('the analog prototype recovered from the BS.1770-4 coefficients has the published shelf and high-pass parameters', () => {
  assert.ok(Math.abs(K_WEIGHTING_SHELF.cornerHz - 1681.974) < 0.01, `shelf corner ${K_WEIGHTING_SHELF.cornerHz}`);
  assert.ok(Math.abs(20 * Math.log10(K_WEIGHTING_SHELF.highGain) - 3.99984) < 1e-4, 'shelf gain');
  assert.ok(Math.abs(K_WEIGHTING_SHELF.q - 0.70718) < 1e-4, 'shelf Q');
  assert.ok(Math.abs(K_WEIGHTING_SHELF.dcGain - 1) < 1e-9, 'shelf leaves DC alone');
  assert.ok(Math.abs(K_WEIGHTING_HIGH_PASS.cornerHz - 38.1355) < 0.001, `high-pass corner ${K_WEIGHTING_HIGH_PASS.cornerHz}`);
  assert.ok(Math.abs(K_WEIGHTING_HIGH_PASS.q - 0.50033) < 1e-4, 'high-pass Q');
  assert.is(K_WEIGHTING_HIGH_PASS.dcGain, 0);
});

test('re-discretising the prototype at 48 kHz gives back the published coefficients', () => {
  const published = [
    [1.53512485958697, -2.69169618940638, 1.19839281085285, -1.69065929318241, 0.73248077421585],
    [1.0, -2.0, 1.0, -1.99004745483398, 0.99007225036621],
  ];
  [K_WEIGHTING_SHELF, K_WEIGHTING_HIGH_PASS].forEach((section, i) => {
    const c = bilinearSection(section, 48000);
    [c.b0, c.b1, c.b2, c.a1, c.a2].forEach((value, k) => assert.ok(Math.abs(value - published[i][k]) < 1e-12, `section ${i} coefficient ${k}`));
  });
});

test('from 44.1 kHz up the designed filters follow the analog K-curve within 0.01 dB up to a quarter of the rate', () => {
  for (const fs of [44100, 48000, 69313, 88200, 96000, 176400, 192000]) {
    const worst = worstDeviationDb(fs, fs / 4);
    assert.ok(worst < 0.01, `${fs} Hz deviates ${worst.toFixed(4)} dB`);
  }
});

test('at 16 to 32 kHz the designed filters follow the analog K-curve within 0.08 dB up to a quarter of the rate', () => {
  for (const fs of [16000, 22050, 24000, 32000]) {
    const worst = worstDeviationDb(fs, fs / 4);
    assert.ok(worst < 0.08, `${fs} Hz deviates ${worst.toFixed(4)} dB`);
  }
});

test('the K-curve has its shape at every rate: deep cut at 10 Hz, near 0 dB at 500 Hz, a +3 to +4 dB shelf at 0.4 × the rate', () => {
  for (const fs of [8000, 11025, 22050, 44100, 69313, 192000]) {
    assert.ok(digitalDb(fs, 10) < -10, `${fs}: 10 Hz`);
    assert.ok(Math.abs(digitalDb(fs, 500)) < 0.35, `${fs}: 500 Hz reads ${digitalDb(fs, 500)}`);
    const high = digitalDb(fs, Math.min(0.4 * fs, 16000));
    assert.ok(high > 3 && high < 4.2, `${fs}: high shelf reads ${high}`);
  }
});

test('both sections are stable at every rate from 8 kHz to 192 kHz, odd rates included', () => {
  for (let fs = 8000; fs <= 192000; fs += 997) {
    for (const section of designKWeighting(fs)) assert.ok(isStableBiquad(section), `unstable at ${fs} Hz`);
  }
});

test('a rate outside 8 kHz to 384 kHz is refused with a RangeError', () => {
  assert.throws(() => designKWeighting(4000), RangeError);
  assert.throws(() => designKWeighting(Number.NaN), RangeError);
});

test('stereo K-weighting in SIMD gives the scalar kernel\'s sums and states exactly, any stretch length, and block energies too', withSimd(() => {
  const packed = packKWeighting(...designKWeighting(44100));
  const length = 20011;
  const left = Float32Array.from({ length }, (_, i) => Math.sin(i / 13) * ((i % 11) / 11));
  const right = Float32Array.from({ length }, (_, i) => Math.cos(i / 29) * 0.7);
  for (const stretch of [1, 3, 4, 7, 4410, 8192, 9001, 20011]) {
    const scalarState = new Float64Array(8);
    const simdState = new Float64Array(8);
    let scalar = 0;
    let simd = 0;
    for (let start = 0; start < length; start += stretch) {
      const end = Math.min(length, start + stretch);
      scalar += kWeightedSquareSumPair(left, right, 1, 1.41, start, end, packed, scalarState, 0, 4);
      const value = kWeightedSquareSumPairSimd(left, right, 1, 1.41, start, end, packed, simdState, 0, 4);
      if (value === null) return assert.unreachable('this runtime lacks WebAssembly SIMD');
      simd += value;
    }
    assert.ok(Math.abs(simd - scalar) <= 1e-12 * scalar, `stretch ${stretch}: ${simd} vs ${scalar}`);
    assert.equal(Array.from(simdState), Array.from(scalarState), `stretch ${stretch}: states`);
  }
  const blocks = kWeightedBlockEnergyPairSimd(left, right, 1, 1.41, 16, packed, new Float64Array(Math.ceil(length / 16)));
  if (!blocks) return assert.unreachable('this runtime lacks WebAssembly SIMD');
  const state = new Float64Array(8);
  for (let b = 0; b < blocks.length; b++) {
    const expected = kWeightedSquareSumPair(left, right, 1, 1.41, 16 * b, Math.min(length, 16 * b + 16), packed, state, 0, 4);
    assert.ok(Math.abs(blocks[b] - expected) <= 1e-9 * Math.max(expected, 1e-12), `block ${b}: ${blocks[b]} vs ${expected}`);
  }
}));

test('after a burst, silence drives the SIMD K-weighting state to exactly zero (no subnormal arithmetic)', withSimd(() => {
  const packed = packKWeighting(...designKWeighting(48000));
  const length = 48000 * 12;
  const signal = new Float32Array(length);
  for (let i = 0; i < 4800; i++) signal[i] = Math.sin(i / 5);
  const state = new Float64Array(8);
  for (let start = 0; start < length; start += 4800) kWeightedSquareSumPairSimd(signal, signal, 1, 1, start, start + 4800, packed, state, 0, 4);
  assert.equal(Array.from(state), [0, 0, 0, 0, 0, 0, 0, 0]);
}));

test.run();
