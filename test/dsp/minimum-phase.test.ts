// The minimum-phase FIR design: its magnitude follows the curve asked for, its
// energy comes first, and the in-place design over the SIMD transform's own
// buffers gives the taps of the cepstrum method written out step by step with
// whole-grid double arrays (what it replaced) bit for bit.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { nextPowerOfTwo } from '../../core/dsp/fft.ts';
import { createSimdFft } from '../../core/dsp/fft-simd.ts';
import { designMinimumPhaseFir, firMagnitudeDb } from '../../core/dsp/minimum-phase.ts';
import { setSimdEnabled, simdEnabled } from '../../core/wasm/simd-module.ts';

const rate = 44100;

/** Curves like the ones the chain asks for: a tilt with a bell, a side curve, a steep shelf. */
const curves: Record<string, (f: number) => number> = {
  tiltAndBell: (f) => -1.5 * Math.log2(Math.max(20, f) / 1000) + 3 * Math.exp(-(Math.log2(Math.max(1, f) / 2500) ** 2) * 4),
  sideLift: (f) => (f < 200 ? -6 : f < 4000 ? 1.5 * Math.log2(f / 200) : 6.5),
  shelf: (f) => (f > 8000 ? -4 : 0),
};

/** The cepstrum method with whole-grid double arrays between the steps, on the SIMD transform. */
function stepByStepDesign(gainDbAt: (f: number) => number, sampleRateHz: number, length: number): Float32Array {
  const size = nextPowerOfTwo(length * 8);
  const half = size >> 1;
  const fft = createSimdFft(size)!;
  const forward = (x: Float64Array) => {
    fft.input.set(x);
    return new Float64Array(fft.forward());
  };
  const inverse = (x: Float64Array) => {
    fft.input.set(x);
    const result = new Float64Array(fft.inverseOfInput());
    for (let i = 0; i < result.length; i++) result[i] /= size;
    return result;
  };
  const logMagnitude = new Float64Array(2 * size);
  for (let k = 0; k <= half; k++) {
    const value = (gainDbAt((k * sampleRateHz) / size) * Math.LN10) / 20;
    logMagnitude[2 * k] = value;
    if (k > 0 && k < half) logMagnitude[2 * (size - k)] = value;
  }
  const cepstrum = inverse(logMagnitude);
  const folded = new Float64Array(2 * size);
  folded[0] = cepstrum[0];
  for (let n = 1; n < half; n++) folded[2 * n] = 2 * cepstrum[2 * n];
  folded[2 * half] = cepstrum[2 * half];
  const logSpectrum = forward(folded);
  for (let k = 0; k < size; k++) {
    const magnitude = Math.exp(logSpectrum[2 * k]);
    const phase = logSpectrum[2 * k + 1];
    logSpectrum[2 * k] = magnitude * Math.cos(phase);
    logSpectrum[2 * k + 1] = magnitude * Math.sin(phase);
  }
  const impulse = inverse(logSpectrum);
  const taps = new Float32Array(length);
  const taper = Math.max(1, Math.floor(length / 8));
  for (let n = 0; n < length; n++) {
    const fromEnd = length - 1 - n;
    const w = fromEnd < taper ? 0.5 - 0.5 * Math.cos((Math.PI * fromEnd) / taper) : 1;
    taps[n] = impulse[2 * n] * w;
  }
  return taps;
}

const firstDifference = (a: Float32Array, b: Float32Array) => a.findIndex((value, i) => !Object.is(value, b[i]));

test('the in-place design equals the step-by-step cepstrum method bit for bit (SIMD transform)', () => {
  if (!createSimdFft(16)) {
    assert.not.ok(simdEnabled(), 'the SIMD transform is missing only with SIMD switched off');
    return;
  }
  for (const [name, curve] of Object.entries(curves)) {
    // The widener's 93 ms kernel (a grid of 65536) and the matching FIR's lengths.
    for (const length of [Math.round(0.093 * rate), 2048, 1001]) {
      const designed = designMinimumPhaseFir(curve, rate, length);
      const expected = stepByStepDesign(curve, rate, length);
      assert.is(designed.length, length);
      assert.is(firstDifference(designed, expected), -1, `${name}, ${length} taps`);
    }
  }
});

test('the taps follow the curve, front-loaded, with SIMD on and off alike', () => {
  const wasOn = simdEnabled();
  const length = Math.round(0.093 * rate);
  try {
    const designs = [true, false].map((on) => {
      setSimdEnabled(on);
      return designMinimumPhaseFir(curves.tiltAndBell, rate, length);
    });
    for (const taps of designs) {
      for (const f of [100, 400, 1000, 2500, 6000, 12000]) {
        assert.ok(Math.abs(firMagnitudeDb(taps, f, rate) - curves.tiltAndBell(f)) < 0.1, `${f} Hz: ${firMagnitudeDb(taps, f, rate).toFixed(3)} dB against ${curves.tiltAndBell(f).toFixed(3)} dB`);
      }
      // Minimum phase: most of the energy in the first few milliseconds.
      const energy = (from: number, to: number) => taps.subarray(from, to).reduce((sum, value) => sum + value * value, 0);
      assert.ok(energy(0, Math.round(0.005 * rate)) > 0.9 * energy(0, length));
    }
    // Single against double precision transforms: the same kernel to about 1e-6 of its peak.
    const peak = Math.max(...designs[1].map(Math.abs));
    const largestGap = designs[0].reduce((largest, value, i) => Math.max(largest, Math.abs(value - designs[1][i])), 0);
    assert.ok(largestGap < 1e-5 * peak, `largest difference ${largestGap} against a peak of ${peak}`);
  } finally {
    setSimdEnabled(wasOn);
  }
});

test.run();
