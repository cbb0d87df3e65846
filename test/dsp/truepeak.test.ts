import { test } from 'uvu';
import * as assert from 'uvu/assert';
import {
  createInterpolatedPeakKernel,
  createTruePeakDetector,
  designTruePeakFilter,
  measureTruePeak,
  truePeakOversamplingFor,
  type TruePeakFilter,
} from '../../core/dsp/truepeak.ts';
import { createScalarPeakKernel } from '../../core/dsp/truepeak-kernel.ts';
import { createScalarEnvelopeKernel } from '../../core/dsp/truepeak-envelope.ts';
import { createSimdEnvelopeKernel, createSimdPeakKernel, createSimdPeakScanner, simdTruePeakAvailable } from '../../core/dsp/truepeak-simd.ts';
import { phasedSine } from '../support/ebu-signals.ts';
import { withSimd } from '../support/simd.ts';

/** Deterministic pseudo-random numbers in [-1, 1) (a small LCG, so tests repeat exactly). */
function noise(n: number, seed = 1): Float32Array {
  const out = new Float32Array(n);
  let state = seed >>> 0;
  for (let i = 0; i < n; i++) {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    out[i] = state / 2 ** 31 - 1;
  }
  return out;
}

/** |response| in dB of one branch (coefficients oldest first) at `cycles` per input sample. */
function branchGainDb(filter: TruePeakFilter, branch: number, cycles: number): number {
  let re = 0;
  let im = 0;
  for (let k = 0; k < filter.tapsPerPhase; k++) {
    const c = filter.coefficients[branch * filter.tapsPerPhase + k];
    re += c * Math.cos(2 * Math.PI * cycles * k);
    im += c * Math.sin(2 * Math.PI * cycles * k);
  }
  return 10 * Math.log10(re * re + im * im);
}

/** The obvious (slow) evaluation of every branch, to check the fast kernels against. */
function naivePeak(filter: TruePeakFilter, buffer: Float32Array, start: number, end: number): number {
  let peak = 0;
  for (let j = start; j < end; j++) {
    for (let b = 0; b < filter.oversampling - 1; b++) {
      let acc = 0;
      for (let k = 0; k < filter.tapsPerPhase; k++) acc += filter.coefficients[b * filter.tapsPerPhase + k] * buffer[j - filter.tapsPerPhase + 1 + k];
      peak = Math.max(peak, Math.abs(acc));
    }
  }
  return peak;
}

test('oversampling is at least 4x below 96 kHz (reaching 176.4 kHz at low rates) and 2x from 96 kHz up', () => {
  assert.equal([44100, 48000, 69313, 95999].map(truePeakOversamplingFor), [4, 4, 4, 4]);
  assert.equal([8000, 16000, 22050, 32000].map(truePeakOversamplingFor), [23, 12, 8, 6]);
  assert.equal([96000, 176400, 192000].map(truePeakOversamplingFor), [2, 2, 2]);
});

test('every branch of the default filters is flat within 0.05 dB up to 0.4 x the sample rate and exact at DC', () => {
  for (const oversampling of [2, 4]) {
    const filter = designTruePeakFilter(oversampling);
    for (let b = 0; b < oversampling - 1; b++) {
      assert.ok(Math.abs(branchGainDb(filter, b, 0)) < 1e-9, 'DC gain');
      for (let f = 0; f <= 0.4; f += 0.005) {
        const g = branchGainDb(filter, b, f);
        assert.ok(Math.abs(g) < 0.05, `${oversampling}x branch ${b + 1} at ${f.toFixed(3)} fs: ${g.toFixed(3)} dB`);
      }
    }
  }
});

test('the fast kernels compute exactly what the coefficients say, for even, odd and non-default designs', () => {
  const signal = noise(5000, 7);
  for (const [oversampling, taps] of [[4, 16], [4, 12], [4, 32], [2, 16], [3, 8], [8, 24]]) {
    const filter = designTruePeakFilter(oversampling, taps);
    const expected = naivePeak(filter, signal, taps - 1, signal.length);
    const scalar = createScalarPeakKernel(filter)(signal, taps - 1, signal.length, 0);
    assert.ok(Math.abs(scalar - expected) < 1e-12, `scalar ${oversampling}x${taps}: ${scalar} vs ${expected}`);
    // The SIMD kernels sum in single precision.
    const fastest = createInterpolatedPeakKernel(filter)(signal, taps - 1, signal.length, 0);
    assert.ok(Math.abs(fastest - expected) < 1e-6 * expected, `${oversampling}x${taps}: ${fastest} vs ${expected}`);
  }
});

test('4x designs run on WebAssembly SIMD, and agree with the scalar kernels on every stretch length', withSimd(() => {
  assert.ok(simdTruePeakAvailable(), 'this runtime lacks WebAssembly SIMD');
  const signal = noise(40000, 9).map((v, i) => v * (0.2 + 0.8 * Math.abs(Math.sin(i / 700))));
  for (const taps of [12, 16, 32]) {
    const filter = designTruePeakFilter(4, taps);
    const simd = createSimdPeakKernel(filter);
    const scanner = createSimdPeakScanner(filter);
    const scalar = createScalarPeakKernel(filter);
    if (!simd || !scanner) return assert.unreachable(`no SIMD kernel for 4x${taps}`);
    for (const [start, length] of [[taps - 1, 1], [taps - 1, 3], [100, 4], [101, 5], [777, 4099], [taps - 1, 40000 - taps + 1]]) {
      const end = start + length;
      const expected = scalar(signal, start, end, 0);
      const actual = simd(signal, start, end, 0);
      assert.ok(Math.abs(actual - expected) <= 1e-6 * expected, `4x${taps} [${start}, ${end}): ${actual} vs ${expected}`);
      let samplePeak = 0;
      for (let j = start; j < end; j++) samplePeak = Math.max(samplePeak, Math.abs(signal[j]));
      assert.is(scanner(signal, start, end, 0), Math.max(actual, samplePeak), 'scanner = max(samples, interpolation)');
    }
  }
}));

test('the limiter envelope runs on WebAssembly SIMD for 4x designs and agrees with the scalar envelope', withSimd(() => {
  const signal = noise(30000, 12).map((v, i) => v * (0.3 + 0.7 * Math.abs(Math.sin(i / 500))));
  for (const taps of [12, 16, 32]) {
    const filter = designTruePeakFilter(4, taps);
    const simd = createSimdEnvelopeKernel(filter);
    if (!simd) return assert.unreachable(`no SIMD envelope for 4x${taps}`);
    const scalar = createScalarEnvelopeKernel(filter);
    const first = taps - 1 - filter.latencySamples;
    for (const [from, to] of [[first, first + 1], [first + 10, first + 13], [500, 504], [first, signal.length - filter.latencySamples - 1]]) {
      const expected = new Float32Array(signal.length).fill(0.05);
      const actual = expected.slice();
      scalar(signal, from, to, expected);
      simd(signal, from, to, actual);
      for (let m = 0; m < signal.length; m++) {
        // Single-precision sums: an error of about 1e-7 of the inputs, whatever the output.
        assert.ok(Math.abs(actual[m] - expected[m]) <= 1e-6, `4x${taps} [${from}, ${to}) at ${m}: ${actual[m]} vs ${expected[m]}`);
      }
    }
  }
}));

test('inter-sample peaks of the Tech 3341 sines are found with 2x oversampling at 96 and 192 kHz', () => {
  for (const fs of [96000, 192000]) {
    const { truePeakDbtp } = measureTruePeak(phasedSine(fs, fs / 4, 45, 0.5));
    assert.ok(truePeakDbtp! > -6.4 && truePeakDbtp! < -5.8, `${fs} Hz: ${truePeakDbtp}`);
  }
});

test('a DC offset reads as its own level, alone or under a sine', () => {
  const fs = 48000;
  const dc = new Float32Array(fs).fill(0.5);
  assert.ok(Math.abs(measureTruePeak({ sampleRateHz: fs, channels: [dc] }).truePeakDbtp! - 20 * Math.log10(0.5)) < 0.001);
  const offsetSine = new Float32Array(fs * 2);
  for (let i = 0; i < offsetSine.length; i++) offsetSine[i] = 0.3 + 0.5 * Math.sin((2 * Math.PI * 997 * i) / fs);
  const tp = measureTruePeak({ sampleRateHz: fs, channels: [offsetSine] }).truePeakDbtp!;
  assert.ok(Math.abs(tp - 20 * Math.log10(0.8)) < 0.02, `DC + sine: ${tp}`);
});

test('full-scale square waves read a finite true peak between 0 dBTP and the filter bound', () => {
  for (const fs of [44100, 48000, 96000]) {
    const filter = designTruePeakFilter(truePeakOversamplingFor(fs));
    for (const period of [2, 4, 8, 48, 441]) {
      const square = new Float32Array(fs);
      for (let i = 0; i < square.length; i++) square[i] = i % period < period / 2 ? 1 : -1;
      const { truePeakDbtp, perChannelDbtp } = measureTruePeak({ sampleRateHz: fs, channels: [square, square.map((x) => -x)] });
      assert.ok(Number.isFinite(truePeakDbtp), `${fs}/${period}: ${truePeakDbtp}`);
      assert.ok(truePeakDbtp! >= 0 && truePeakDbtp! <= 20 * Math.log10(filter.maxGain), `${fs}/${period}: ${truePeakDbtp}`);
      assert.ok(Math.abs(perChannelDbtp[0]! - perChannelDbtp[1]!) < 1e-9, 'polarity does not matter');
    }
  }
});

test('true peak is never below the sample peak', () => {
  const fs = 44100;
  for (let seed = 1; seed <= 5; seed++) {
    const x = noise(fs, seed);
    let samplePeak = 0;
    for (const v of x) samplePeak = Math.max(samplePeak, Math.abs(v));
    assert.ok(measureTruePeak({ sampleRateHz: fs, channels: [x] }).truePeakDbtp! >= 20 * Math.log10(samplePeak) - 1e-9);
  }
});

test('feeding the detector in blocks of any size gives the same peak as one block', () => {
  const fs = 48000;
  const left = noise(30011, 3).map((v, i) => v * (i > 20000 ? 0.9 : 0.2));
  const right = noise(30011, 4).map((v) => v * 0.5);
  const whole = createTruePeakDetector(fs, 2);
  whole.process([left, right]);
  const expected = whole.channelPeaksLinear();
  for (const block of [1, 7, 64, 65, 4099, 16384, 20000]) {
    const detector = createTruePeakDetector(fs, 2);
    for (let s = 0; s < left.length; s += block) detector.process([left.subarray(s, s + block), right.subarray(s, s + block)]);
    assert.equal(Array.from(detector.channelPeaksLinear()), Array.from(expected), `block ${block}`);
  }
});

test('skipping quiet stretches never changes the result', () => {
  // A loud click late in a long quiet signal: everything before must still be checked correctly.
  const fs = 44100;
  const x = noise(fs * 3, 11).map((v) => v * 0.01);
  x[fs * 2] = 0.7;
  x[fs * 2 + 1] = -0.7;
  const filter = designTruePeakFilter(4);
  const padded = new Float32Array(x.length + 15);
  padded.fill(x[0], 0, 15);
  padded.set(x, 15);
  const detector = createTruePeakDetector(fs, 1);
  detector.process([x]);
  const naive = Math.max(naivePeak(filter, padded, 15, padded.length), 0.7);
  assert.ok(detector.peakLinear() >= naive * (1 - 1e-6) && detector.peakLinear() <= naive * 1.0001, `${detector.peakLinear()} vs ${naive}`);
});

test('silence reads null per channel and overall, never NaN or -Infinity', () => {
  const r = measureTruePeak({ sampleRateHz: 48000, channels: [new Float32Array(4800), new Float32Array(4800)] });
  assert.is(r.truePeakDbtp, null);
  assert.equal(r.perChannelDbtp, [null, null]);
  const oneSilent = measureTruePeak({ sampleRateHz: 48000, channels: [new Float32Array(4800).fill(0.25), new Float32Array(4800)] });
  assert.equal(oneSilent.perChannelDbtp[1], null);
  assert.ok(Math.abs(oneSilent.truePeakDbtp! + 12.04) < 0.01);
});

test('an empty signal and a detector fed nothing read silence', () => {
  assert.is(measureTruePeak({ sampleRateHz: 48000, channels: [new Float32Array(0)] }).truePeakDbtp, null);
  assert.is(createTruePeakDetector(44100, 2).peakLinear(), 0);
});

test('the filter design refuses impossible parameters', () => {
  assert.throws(() => designTruePeakFilter(1), RangeError);
  assert.throws(() => designTruePeakFilter(4, 15), RangeError);
  assert.throws(() => createTruePeakDetector(48000, 0), RangeError);
});

test.run();
