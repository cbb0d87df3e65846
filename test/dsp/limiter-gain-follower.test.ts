import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createLimiterGainFollower } from '../../core/dsp/limiter-gain-follower.ts';
import type { LimiterTiming } from '../../core/dsp/limiter.ts';
import { WASM_BASE64 } from '../../core/dsp/wasm/limiter-gain.wasm.ts';
import { compileSimdModule, setSimdEnabled, simdEnabled } from '../../core/wasm/simd-module.ts';

const SINGLE: LimiterTiming = { lookaheadMs: 3, releaseMs: 150 };
const DUAL: LimiterTiming = { lookaheadMs: 3, releaseMs: 150, transientReleaseMs: 20, sustainMs: 60 };

/** The recursion as the limiter defines it, one branch per choice, written whole. */
function referenceCurve(peaks: Float32Array, inputGain: number, ceiling: number, rateHz: number, lookahead: number, timing: LimiterTiming): Float32Array {
  const perSample = (ms: number) => Math.exp(-1 / ((ms / 1000) * rateHz));
  const dual = timing.transientReleaseMs !== undefined;
  const fast = perSample(dual ? timing.transientReleaseMs! : timing.releaseMs);
  const attack = dual ? perSample(timing.sustainMs ?? 20) : 0;
  const release = perSample(timing.releaseMs);
  const limit = ceiling / inputGain;
  const window = lookahead + 1;
  const first = peaks[0] > limit ? limit / peaks[0] : 1;
  const ring = new Float64Array(window).fill(Math.fround(Math.min(first, 1)));
  let sum = window * Math.fround(Math.min(first, 1));
  let held = 1;
  let slow = 1;
  const out = new Float32Array(peaks.length);
  for (let n = 0; n < peaks.length; n++) {
    const need = peaks[n] > limit ? limit / peaks[n] : 1;
    const released = 1 - (1 - held) * fast;
    held = need < released ? need : released;
    let gain = held;
    if (dual) {
      slow = held < slow ? held + (slow - held) * attack : 1 - (1 - slow) * release;
      if (slow < gain) gain = slow;
    }
    const value = Math.fround(gain);
    sum += value - ring[n % window];
    ring[n % window] = value;
    out[n] = Math.fround(sum / window);
  }
  return out;
}

/** Bursts over the limit between quiet stretches, from a fixed seed. */
function burstyPeaks(length: number, seed: number): Float32Array {
  let state = seed >>> 0;
  const random = () => ((state = (state * 1664525 + 1013904223) >>> 0) / 2 ** 32);
  const peaks = new Float32Array(length);
  for (let n = 0; n < length; n++) peaks[n] = (n % 700 < 200 ? 1.6 : 0.4) * random();
  return peaks;
}

for (const [name, timing] of [['single', SINGLE], ['dual', DUAL]] as const) {
  test(`the ${name}-release gain follower writes the reference recursion bit for bit, whole or in pieces of any size`, () => {
    const peaks = burstyPeaks(20_000, 11);
    const expected = referenceCurve(peaks, 2, 0.89, 44100, 132, timing);
    assert.ok(expected.some((gain) => gain < 0.5), 'the material is limited');
    const whole = new Float32Array(peaks.length);
    const smallestWhole = createLimiterGainFollower(2, 0.89, 44100, 132, timing).write(peaks, 0, peaks.length, whole);
    assert.equal(Array.from(whole), Array.from(expected));
    assert.is(smallestWhole, expected.reduce((a, b) => Math.min(a, b), 1));
    const pieces = new Float32Array(peaks.length);
    const follower = createLimiterGainFollower(2, 0.89, 44100, 132, timing);
    for (let from = 0, size = 1; from < peaks.length; from += size, size = (size * 7 + 3) % 977) {
      follower.write(peaks, from, Math.min(peaks.length, from + size), pieces);
    }
    assert.equal(Array.from(pieces), Array.from(expected));
  });
}

test('under an unbounded ceiling (the unlimited prediction) the follower leaves unity gain everywhere', () => {
  const peaks = burstyPeaks(5_000, 3);
  for (const timing of [SINGLE, DUAL]) {
    const curve = new Float32Array(peaks.length);
    const smallest = createLimiterGainFollower(4, Infinity, 44100, 132, timing).write(peaks, 0, peaks.length, curve);
    assert.ok(curve.every((gain) => gain === 1), 'unity gain');
    assert.is(smallest, 1);
  }
});

test('the WebAssembly recursion and the JavaScript one write the same curve and smallest gain, in pieces across its chunks, for a window longer than its ring too', () => {
  const was = simdEnabled();
  try {
    setSimdEnabled(true);
    assert.ok(compileSimdModule(WASM_BASE64), 'the module compiles here');
    const peaks = burstyPeaks(70_000, 5);
    for (const timing of [SINGLE, DUAL]) {
      for (const lookahead of [132, 20_000]) {
        const curves = [true, false].map((simd) => {
          setSimdEnabled(simd);
          const follower = createLimiterGainFollower(1.7, 0.9, 48000, lookahead, timing);
          const curve = new Float32Array(peaks.length);
          let smallest = 1;
          for (let from = 0, size = 40_000; from < peaks.length; from += size, size = (size * 3 + 1) % 30_011) {
            smallest = follower.write(peaks, from, Math.min(peaks.length, from + size), curve);
          }
          return { curve, smallest };
        });
        assert.ok(curves[0].smallest < 0.7, 'the material is limited');
        assert.equal(curves[0].smallest, curves[1].smallest);
        assert.ok(curves[0].curve.every((gain, n) => Object.is(gain, curves[1].curve[n])), `lookahead ${lookahead}: same curve bit for bit`);
      }
    }
  } finally {
    setSimdEnabled(was);
  }
});

test.run();
