import { test } from 'uvu';
import * as assert from 'uvu/assert';
import FFT from 'fft.js';
import { acquireSimdFft, createSimdFft } from '../../core/dsp/fft-simd.ts';
import { convolveChannelsInPlace, prepareFirKernel } from '../../core/dsp/fir-convolution.ts';
import { analyzeSpectrum, createSpectrumTap } from '../../core/dsp/spectrum.ts';
import { sideSpectrumTap } from '../../core/dsp/stereo-width.ts';
import { withSimd } from '../support/simd.ts';
import { setSimdEnabled } from '../../core/wasm/simd-module.ts';

function noise(length: number, seed: number): Float32Array {
  let s = seed;
  return Float32Array.from({ length }, () => {
    s = (s * 16807) % 2147483647;
    return s / 2147483647 - 0.5;
  });
}

test('the SIMD FFT runs here and matches fft.js forward and inverse at every size from 8 to 32768', withSimd(() => {
  for (let size = 8; size <= 32768; size *= 2) {
    const fft = createSimdFft(size);
    if (!fft) return assert.unreachable('this runtime lacks WebAssembly SIMD');
    const reference = new FFT(size);
    const input = Float64Array.from(noise(2 * size, size + 1));
    const expected = reference.createComplexArray();
    reference.transform(expected, input);
    fft.input.set(input);
    const spectrum = fft.forward();
    let scale = 0;
    for (const v of expected) scale = Math.max(scale, Math.abs(v));
    for (let i = 0; i < 2 * size; i++) assert.ok(Math.abs(spectrum[i] - expected[i]) < 1e-6 * scale, `size ${size}, forward [${i}]`);
    const back = fft.inverse();
    for (let i = 0; i < 2 * size; i++) assert.ok(Math.abs(back[i] / size - input[i]) < 1e-6, `size ${size}, round trip [${i}]`);
  }
  assert.is(createSimdFft(4), null, 'sizes below 8 are left to fft.js');
  assert.throws(() => createSimdFft(1000), /power of two/);
}));

test("a FIR kernel's spectrum is the same with SIMD (single precision, the SIMD convolution's own transform) and with fft.js (double), to float32 precision", withSimd(() => {
  const taps = noise(4101, 9).map((v, i) => v * Math.exp(-i / 600));
  setSimdEnabled(false);
  const withFftJs = prepareFirKernel(taps);
  setSimdEnabled(true);
  const bySimd = prepareFirKernel(taps);
  assert.is(bySimd.fftSize, 16384);
  assert.is(withFftJs.fftSize, bySimd.fftSize);
  let scale = 0;
  for (const v of withFftJs.spectrum) scale = Math.max(scale, Math.abs(v));
  let largest = 0;
  for (let k = 0; k < 2 * bySimd.fftSize; k++) largest = Math.max(largest, Math.abs(bySimd.spectrum[k] - withFftJs.spectrum[k]));
  assert.ok(largest < 1e-5 * scale, `largest difference ${largest} of ${scale}`);
  assert.ok(largest > 0, 'the SIMD path computed it (single precision differs in the last bits)');
}));

test('FIR filtering by FFT blocks equals direct convolution, SIMD and fft.js paths, stereo and mono, across block edges', withSimd(() => {
  const taps = noise(301, 5).map((v, i) => v * Math.exp(-i / 60));
  const kernel = prepareFirKernel(taps);
  const left = noise(5000, 6);
  const right = noise(5000, 7);
  const mono = noise(3333, 8);
  const direct = (x: Float32Array) =>
    x.map((_, n) => {
      let acc = 0;
      for (let k = 0; k < taps.length && k <= n; k++) acc += taps[k] * x[n - k];
      return acc;
    });
  const expected = [direct(left), direct(right), direct(mono)];
  for (const simd of [true, false]) {
    // The one switch picks the path (withSimd restores it after the test).
    setSimdEnabled(simd);
    const stereo = [left.slice(), right.slice()];
    convolveChannelsInPlace(stereo, kernel);
    const single = [mono.slice()];
    convolveChannelsInPlace(single, kernel);
    [...stereo, ...single].forEach((actual, c) => {
      for (let n = 0; n < actual.length; n++) {
        assert.ok(Math.abs(actual[n] - expected[c][n]) < 1e-5, `simd ${simd}, channel ${c} sample ${n}: ${actual[n]} vs ${expected[c][n]}`);
      }
    });
  }
}));

test('the side spectrum of a pair is the mix spectrum of the pair with the right channel negated, bit for bit, SIMD and JavaScript', withSimd(() => {
  const fs = 8000;
  const length = 5 * 800 + 333;
  const left = noise(length, 61);
  const right = noise(length, 62).map((v, i) => 0.7 * v + 0.3 * left[i]);
  const negated = right.map((v) => -v);
  for (const simd of [true, false]) {
    setSimdEnabled(simd);
    const side = sideSpectrumTap(fs, length);
    side.push([left, right]);
    const mix = createSpectrumTap(2, fs, length, { windowSeconds: 0.1, overlap: 0 });
    mix.push([left, negated]);
    const [a, b] = [side.result(), mix.result()];
    assert.equal(Array.from(a.longTermPower), Array.from(b.longTermPower), `simd ${simd}: long-term power`);
    assert.equal(a.bandTrajectories, b.bandTrajectories, `simd ${simd}: band powers per frame`);
  }
}));

test('the long-term spectrum puts a sine in its bin and keeps Parseval: band power equals mean square', () => {
  const fs = 44100;
  const x = new Float32Array(fs * 3);
  for (let i = 0; i < x.length; i++) x[i] = 0.5 * Math.sin((2 * Math.PI * 1000 * i) / fs);
  const spectrum = analyzeSpectrum([x, x], fs);
  let peakBin = 0;
  for (let k = 1; k < spectrum.longTermPower.length; k++) if (spectrum.longTermPower[k] > spectrum.longTermPower[peakBin]) peakBin = k;
  assert.ok(Math.abs(peakBin * spectrum.binHz - 1000) <= spectrum.binHz, `peak at ${peakBin * spectrum.binHz} Hz`);
  // One-sided: the bins up to Nyquist hold half the power of a real signal.
  let total = 0;
  for (const p of spectrum.longTermPower) total += p;
  const meanSquare = 0.125;
  assert.ok(Math.abs(10 * Math.log10((2 * total) / meanSquare)) < 0.1, `power ${2 * total} vs ${meanSquare}`);
});

test('the spectrum and band powers of every frame equal a plain windowed FFT of the mono mix, for 1-3 channels and a short tail', () => {
  const fs = 8000;
  for (const channelCount of [1, 2, 3]) {
    const length = 9 * 1200 + 777; // 300 ms windows of 2400 samples, hop 1200, and a partial tail
    const channels = Array.from({ length: channelCount }, (_, c) => noise(length, 40 + c).map((v, i) => v * (1 + Math.sin(i / (300 + 50 * c)))));
    const spectrum = analyzeSpectrum(channels, fs);
    const windowLength = 2400;
    const hop = 1200;
    const size = spectrum.fftSize;
    const plain = new FFT(size);
    const frame = new Float64Array(size);
    const out = plain.createComplexArray();
    const expected = new Float64Array(size / 2 + 1);
    let windowEnergy = 0;
    const w = (i: number) => 0.5 - 0.5 * Math.cos((2 * Math.PI * i) / (windowLength - 1));
    for (let i = 0; i < windowLength; i++) windowEnergy += w(i) ** 2;
    for (let f = 0; f < spectrum.frameCount; f++) {
      frame.fill(0);
      for (let i = 0; i < windowLength && f * hop + i < length; i++) {
        let sum = 0;
        for (const samples of channels) sum += samples[f * hop + i];
        frame[i] = (sum / channelCount) * w(i);
      }
      plain.realTransform(out, frame);
      const bandSums = { low: 0, mid: 0, high: 0, total: 0 };
      for (let k = 0; k <= size / 2; k++) {
        const power = (out[2 * k] ** 2 + out[2 * k + 1] ** 2) / (windowEnergy * size);
        expected[k] += power;
        if (k === 0) continue;
        const hz = k * spectrum.binHz;
        bandSums.total += power;
        if (hz < 200) bandSums.low += power;
        else if (hz < 4000) bandSums.mid += power;
        else bandSums.high += power;
      }
      // Each frame's band powers (its own transform half, whichever of a pair it was).
      for (const band of ['low', 'mid', 'high', 'total'] as const) {
        const got = spectrum.bandTrajectories[band][f];
        assert.ok(Math.abs(got - bandSums[band]) <= 1e-5 * bandSums.total + 1e-30, `${channelCount} ch, frame ${f}, ${band}: ${got} vs ${bandSums[band]}`);
      }
    }
    let peak = 0;
    for (const v of expected) peak = Math.max(peak, v / spectrum.frameCount);
    for (let k = 0; k <= size / 2; k++) {
      const e = expected[k] / spectrum.frameCount;
      assert.ok(Math.abs(spectrum.longTermPower[k] - e) <= 1e-5 * peak, `${channelCount} ch, bin ${k}: ${spectrum.longTermPower[k]} vs ${e}`);
    }
  }
});

test('a further transform of a size takes the tables the first one computed: no cosine or sine, the same spectrum bit for bit', withSimd(() => {
  const size = 4096;
  const first = acquireSimdFft(size);
  if (!first) return assert.unreachable('this runtime lacks WebAssembly SIMD');
  const input = noise(2 * size, 5);
  first.input.set(input);
  const expected = Array.from(first.forward());
  const { cos, sin } = Math;
  let calls = 0;
  Math.cos = (x: number) => (calls++, cos(x));
  Math.sin = (x: number) => (calls++, sin(x));
  let second;
  try {
    // The first is not given back, so this is a new transform with its own memory.
    second = acquireSimdFft(size);
  } finally {
    Math.cos = cos;
    Math.sin = sin;
  }
  assert.ok(second && second !== first);
  assert.is(calls, 0, 'no table computed again');
  second.input.set(input);
  assert.equal(Array.from(second.forward()), expected);
}));

test.run();
