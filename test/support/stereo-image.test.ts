import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { PcmAudio } from '../../core/audio/pcm.ts';
import { sideMidByBandDb, sideMidDb, stereoCorrelation } from './stereo-image.ts';

const RATE = 44100;

/** Stereo from mid and side signals given as sums of sines: [frequencyHz, midAmplitude, sideAmplitude]. */
function midSideTones(tones: Array<[number, number, number]>, seconds = 4, sampleRateHz = RATE): PcmAudio {
  const n = Math.round(seconds * sampleRateHz);
  const left = new Float32Array(n);
  const right = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    let mid = 0;
    let side = 0;
    for (const [hz, midAmplitude, sideAmplitude] of tones) {
      // Side in quadrature so the two never cancel in either channel by accident.
      mid += midAmplitude * Math.sin((2 * Math.PI * hz * i) / sampleRateHz);
      side += sideAmplitude * Math.cos((2 * Math.PI * hz * i) / sampleRateHz);
    }
    left[i] = mid + side;
    right[i] = mid - side;
  }
  return { sampleRateHz, channels: [left, right] };
}

/** Deterministic white noise in [-amplitude, amplitude) (xorshift32). */
function noise(n: number, seed: number, amplitude = 0.3): Float32Array {
  const out = new Float32Array(n);
  let state = seed >>> 0 || 1;
  for (let i = 0; i < n; i++) {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    out[i] = amplitude * ((state >>> 0) / 2 ** 31 - 1);
  }
  return out;
}

const near = (actual: number, expected: number, tolerance: number, what: string) =>
  assert.ok(Math.abs(actual - expected) <= tolerance, `${what}: ${actual.toFixed(3)} vs ${expected.toFixed(3)}`);

test('side/mid per band reads the side-to-mid level of each band from tones inside it', () => {
  const db = (x: number) => 20 * Math.log10(x);
  // side/mid gains: low 0.1 (−20 dB), low-mid 0.5 (−6 dB), mid 1 (0 dB), high 0.25 (−12 dB).
  const audio = midSideTones([[60, 0.1, 0.01], [300, 0.1, 0.05], [1500, 0.1, 0.1], [8000, 0.1, 0.025]]);
  const width = sideMidByBandDb(audio)!;
  near(width.low, db(0.1), 0.1, 'low');
  near(width.lowMid, db(0.5), 0.1, 'low-mid');
  near(width.mid, db(1), 0.1, 'mid');
  near(width.high, db(0.25), 0.1, 'high');
  // Above 200 Hz: the 300, 1500 and 8000 Hz tones' energies together.
  near(width.above200, 10 * Math.log10((0.05 ** 2 + 0.1 ** 2 + 0.025 ** 2) / (3 * 0.1 ** 2)), 0.1, 'above 200 Hz');
});

test('side/mid per band agrees with the overall time-domain ratio on broadband noise', () => {
  const n = RATE * 3;
  const mid = noise(n, 7);
  const side = noise(n, 99, 0.3 * Math.pow(10, -9 / 20));
  const audio = { sampleRateHz: RATE, channels: [mid.map((m, i) => m + side[i]), mid.map((m, i) => m - side[i])] };
  const overall = sideMidDb(audio)!;
  near(overall, -9, 0.2, 'overall');
  for (const [band, value] of Object.entries(sideMidByBandDb(audio)!)) near(value, overall, 0.5, band);
});

test('a mono track has no width figures and identical channels read as mono', () => {
  const mono = { sampleRateHz: RATE, channels: [noise(RATE, 3)] };
  assert.is(sideMidDb(mono), null);
  assert.is(sideMidByBandDb(mono), null);
  assert.is(stereoCorrelation(mono), null);
  const dualMono = { sampleRateHz: RATE, channels: [noise(RATE, 3), noise(RATE, 3)] };
  assert.ok(sideMidDb(dualMono)! < -150);
  assert.ok(sideMidByBandDb(dualMono)!.above200 < -150);
  near(stereoCorrelation(dualMono)!.overall, 1, 1e-9, 'dual-mono correlation');
});

test('correlation is +1 for identical channels, −1 for inverted ones and near 0 for unrelated noise', () => {
  const a = noise(RATE * 2, 11);
  near(stereoCorrelation({ sampleRateHz: RATE, channels: [a, a.slice()] })!.overall, 1, 1e-9, 'identical');
  near(stereoCorrelation({ sampleRateHz: RATE, channels: [a, a.map((x) => -x)] })!.overall, -1, 1e-9, 'inverted');
  near(stereoCorrelation({ sampleRateHz: RATE, channels: [a, noise(RATE * 2, 12345)] })!.overall, 0, 0.05, 'unrelated');
});

test('the 400 ms minimum finds one out-of-phase second in an otherwise mono track, ignoring silence', () => {
  const n = RATE * 6;
  const left = noise(n, 5);
  const right = left.slice();
  for (let i = 2 * RATE; i < 3 * RATE; i++) right[i] = -left[i];
  // A silent stretch where the channels are unrelated must not count.
  for (let i = 4 * RATE; i < 5 * RATE; i++) {
    left[i] = 1e-6 * Math.sin(i);
    right[i] = 1e-6 * Math.cos(i * 1.3);
  }
  const correlation = stereoCorrelation({ sampleRateHz: RATE, channels: [left, right] })!;
  near(correlation.min400ms!, -1, 1e-6, 'min over 400 ms');
  assert.ok(correlation.overall > 0.5, `overall ${correlation.overall}`);
  const withoutFlip = stereoCorrelation({ sampleRateHz: RATE, channels: [left, left.map((x, i) => (i >= 4 * RATE && i < 5 * RATE ? right[i] : x))] })!;
  near(withoutFlip.min400ms!, 1, 1e-6, 'silence ignored');
});

test('all-silent stereo has no windowed minimum', () => {
  const silent = { sampleRateHz: RATE, channels: [new Float32Array(RATE), new Float32Array(RATE)] };
  assert.is(stereoCorrelation(silent)!.min400ms, null);
});

test.run();
