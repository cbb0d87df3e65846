// The streaming limiter and true-peak tap against the whole-track halves they
// stand in for: the same gain curve and the same samples, bit for bit, for any
// block size, with SIMD on and off.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import {
  applyLimiterGain,
  computeTruePeakEnvelope,
  createLimiter,
  lookaheadPeaks,
  lookaheadSamplesFor,
  samplePeakEnvelope,
  writeLimiterGain,
  type LimiterTiming,
} from '../../core/dsp/limiter.ts';
import { limiterStreamLatency } from '../../core/dsp/limiter-stream.ts';
import { truePeakBlockMaximaTap } from '../../core/dsp/truepeak-envelope-stream.ts';
import { truePeakFilterFor, type TruePeakFilter } from '../../core/dsp/truepeak-filter.ts';
import { applyGainCurve, scaleChannels } from '../../core/dsp/channel-gains.ts';
import { blockMaxima } from '../../core/mastering/loudness-prediction.ts';
import { processInBlocks, processWhole } from '../../core/dsp/stream-stage.ts';
import { setSimdEnabled, simdEnabled } from '../../core/wasm/simd-module.ts';
import { createGainCurveStage } from '../../core/dsp/gain-curve-stage.ts';
import { memoryTrackStore } from '../../core/audio/pcm-source.ts';

const SINGLE: LimiterTiming = { lookaheadMs: 3, releaseMs: 150 };
const DUAL: LimiterTiming = { lookaheadMs: 5, releaseMs: 400, transientReleaseMs: 40, sustainMs: 30 };

function seededNoise(seed: number) {
  let state = seed >>> 0;
  return () => {
    state = (state * 1664525 + 1013904223) >>> 0;
    return state / 2 ** 32 - 0.5;
  };
}

/**
 * Music-like material: drum hits, a bass line and inter-sample peaks near
 * fs/4, with a quiet bridge (where the true peaks are not interpolated) and
 * an abrupt start and end.
 */
function music(sampleRateHz: number, length: number, channelCount: number, seed = 7): Float32Array[] {
  const noise = seededNoise(seed);
  const channels = Array.from({ length: channelCount }, () => new Float32Array(length));
  for (let i = 0; i < length; i++) {
    const t = i / sampleRateHz;
    const beat = t % 0.37;
    const hit = Math.exp(-beat * 25) * noise() * 1.3;
    const bass = 0.35 * Math.sin(2 * Math.PI * 55 * t) * (1 + 0.5 * Math.sin(2 * Math.PI * 0.7 * t));
    const isp = 0.3 * Math.sin(2 * Math.PI * (sampleRateHz / 4) * t + Math.PI / 4);
    const bridge = (t % 2.1) > 1.4 ? 0.05 : 1;
    channels.forEach((samples, c) => {
      samples[i] = (hit * (c === 0 ? 1 : 0.8) + bass + (c % 2 === 0 ? isp : -isp) + 0.01 * noise()) * bridge;
    });
  }
  return channels;
}

interface Case {
  readonly sampleRateHz: number;
  readonly timing: LimiterTiming;
  readonly filter: TruePeakFilter;
  readonly relevantAboveLinear: number;
  readonly inputGain: number;
  readonly ceilingLinear: number;
  readonly outputGain?: number;
}

function loudCase(sampleRateHz: number, timing: LimiterTiming, outputGain?: number): Case {
  const ceilingLinear = Math.pow(10, -1 / 20);
  const inputGain = Math.pow(10, 9 / 20);
  // As convergence does: interpolate where peaks come within 3 dB of what the gain limits.
  return { sampleRateHz, timing, filter: truePeakFilterFor(sampleRateHz), relevantAboveLinear: ceilingLinear / (inputGain * Math.SQRT2), inputGain, ceilingLinear, outputGain };
}

/** Today's whole-track path: envelope, look-ahead maxima, curve, curve × gain in place (as convergence renders). */
function wholeTrack(channels: Float32Array[], c: Case): { output: Float32Array[]; curve: Float32Array; smallestGain: number } {
  const envelope = computeTruePeakEnvelope(channels, c.filter, c.relevantAboveLinear, samplePeakEnvelope(channels));
  const windowPeaks = lookaheadPeaks(envelope, lookaheadSamplesFor(c.sampleRateHz, c.timing), envelope);
  const curve = new Float32Array(windowPeaks.length);
  const smallestGain = writeLimiterGain(windowPeaks, c.inputGain, c.ceilingLinear, c.sampleRateHz, c.timing, curve);
  const output = channels.map((samples) => samples.slice());
  applyGainCurve(output, curve, c.inputGain, 0, curve.length);
  if (c.outputGain !== undefined && c.outputGain !== 1) scaleChannels(output, c.outputGain);
  return { output, curve, smallestGain };
}

function stage(c: Case, length: number, gainSink?: (start: number, gains: Float32Array) => void) {
  const limiter = createLimiter({ sampleRateHz: c.sampleRateHz, ceilingDbtp: -1, ...c.timing });
  return limiter.stream({ filter: c.filter, relevantAboveLinear: c.relevantAboveLinear, inputGain: c.inputGain, ceilingLinear: c.ceilingLinear, outputGain: c.outputGain, length, gainSink });
}

function assertSameSamples(actual: readonly Float32Array[], expected: readonly Float32Array[], what: string) {
  assert.is(actual.length, expected.length, `${what}: channels`);
  expected.forEach((samples, c) => {
    assert.is(actual[c].length, samples.length, `${what}: length`);
    for (let i = 0; i < samples.length; i++) {
      if (!Object.is(actual[c][i], samples[i])) assert.unreachable(`${what}: channel ${c} sample ${i}: ${actual[c][i]} vs ${samples[i]}`);
    }
  });
}

function withSimdSwitch(on: boolean, body: () => void) {
  const was = simdEnabled();
  setSimdEnabled(on);
  try {
    body();
  } finally {
    setSimdEnabled(was);
  }
}

for (const simd of [true, false]) {
  const mode = simd ? 'SIMD' : 'JavaScript';

  for (const [name, timing] of [['single', SINGLE], ['dual', DUAL]] as const) {
    for (const channelCount of [1, 2]) {
      test(`${mode}, ${name} release, ${channelCount} channel(s): the stream in blocks of 17, 4096 and 65536 and whole gives today's limited samples and deepest gain`, () => {
        withSimdSwitch(simd, () => {
          const sampleRateHz = 44100;
          const c = loudCase(sampleRateHz, timing, name === 'dual' ? Math.pow(10, -0.13 / 20) : undefined);
          const length = 3 * sampleRateHz + 12345;
          const input = music(sampleRateHz, length, channelCount);
          const expected = wholeTrack(input, c);
          assert.ok(expected.smallestGain < 0.5, `the material is limited (deepest gain ${expected.smallestGain})`);
          for (const block of [17, 4096, 65536]) {
            const { output, report } = processInBlocks(stage(c, length), input, block);
            assertSameSamples(output, expected.output, `blocks of ${block}`);
            assert.is(report.smallestGain, expected.smallestGain, `blocks of ${block}: deepest gain`);
          }
          const whole = input.map((samples) => samples.slice());
          const report = processWhole(stage(c, length), whole);
          assertSameSamples(whole, expected.output, 'whole');
          assert.is(report.smallestGain, expected.smallestGain);
        });
      });
    }
  }

  test(`${mode}: blocks of one frame, and odd blocks over odd lengths, at 48 kHz, 96 kHz (2×) and 22.05 kHz (32 taps)`, () => {
    withSimdSwitch(simd, () => {
      for (const sampleRateHz of [48000, 96000, 22050]) {
        const c = loudCase(sampleRateHz, SINGLE);
        for (const length of [0, 1, 63, 64, 65, 127, 129, 200, 257, 1001, 4097]) {
          const input = music(sampleRateHz, length, 2, length + 1);
          const expected = wholeTrack(input, c);
          for (const block of [1, 3, 17, 64, 4096]) {
            const { output, report } = processInBlocks(stage(c, length), input, block);
            assertSameSamples(output, expected.output, `${sampleRateHz} Hz, length ${length}, blocks of ${block}`);
            assert.is(report.smallestGain, expected.smallestGain);
          }
        }
      }
    });
  });

  test(`${mode}: look-aheads of one sample and of 20 ms, three channels, blocks of 1, 17 and 4096`, () => {
    withSimdSwitch(simd, () => {
      const sampleRateHz = 44100;
      for (const timing of [{ lookaheadMs: 0.01, releaseMs: 50 }, { lookaheadMs: 20, releaseMs: 300, transientReleaseMs: 30 }]) {
        const c = loudCase(sampleRateHz, timing);
        const length = 20011;
        const input = music(sampleRateHz, length, 3, 5);
        const expected = wholeTrack(input, c);
        assert.ok(expected.smallestGain < 0.6);
        for (const block of [1, 17, 4096]) {
          const { output, report } = processInBlocks(stage(c, length), input, block);
          assertSameSamples(output, expected.output, `look-ahead ${timing.lookaheadMs} ms, blocks of ${block}`);
          assert.is(report.smallestGain, expected.smallestGain);
        }
      }
    });
  });

  test(`${mode}: the output lags the input by the look-ahead and two relevance blocks, then finish gives the rest`, () => {
    withSimdSwitch(simd, () => {
      const sampleRateHz = 44100;
      const c = loudCase(sampleRateHz, SINGLE);
      const latency = limiterStreamLatency(lookaheadSamplesFor(sampleRateHz, SINGLE));
      const length = 10000;
      const input = music(sampleRateHz, length, 2);
      const limiter = stage(c, length);
      assert.is(limiter.push(input.map((s) => s.slice(0, latency)))[0].length, 0);
      const ready = limiter.push(input.map((s) => s.slice(latency, 5000)));
      assert.is(ready[0].length, 5000 - latency);
      const rest = limiter.push(input.map((s) => s.slice(5000)));
      assert.is(rest[0].length, length - 5000);
      assert.is(limiter.finish()[0].length, latency);
    });
  });

  test(`${mode}: the tap gives today's block maxima of the true-peak envelope, for blocks of any size`, () => {
    withSimdSwitch(simd, () => {
      for (const sampleRateHz of [44100, 96000, 22050]) {
        for (const channelCount of [1, 2]) {
          for (const length of [0, 5, 64, 1000, Math.round(2.5 * sampleRateHz) + 77]) {
            const input = music(sampleRateHz, length, channelCount, 3);
            const filter = truePeakFilterFor(sampleRateHz);
            const relevant = 0.4;
            const expected = blockMaxima(computeTruePeakEnvelope(input, filter, relevant, samplePeakEnvelope(input)));
            // One size throughout, or sizes in turn (a full step after an odd remainder keeps the most frames).
            for (const sizes of [[1], [17], [4096], [65536], [Math.max(1, length)], [4096, 70000, 17]]) {
              if (sizes[0] === 1 && length > 5000) continue;
              const tap = truePeakBlockMaximaTap(filter, relevant, channelCount, length);
              for (let start = 0, k = 0; start < length; k++) {
                const end = Math.min(length, start + sizes[k % sizes.length]);
                tap.push(input.map((s) => s.subarray(start, end)));
                start = end;
              }
              assert.equal(Array.from(tap.result()), Array.from(expected), `${sampleRateHz} Hz, ${channelCount} ch, length ${length}, blocks of ${sizes.join(', ')}`);
            }
          }
        }
      }
    });
  });
}

test('the tap with nothing relevant gives the block maxima of the sample peaks', () => {
  for (const channelCount of [1, 2, 3]) {
    const length = 44100 + 13;
    const input = music(44100, length, channelCount, 9);
    const tap = truePeakBlockMaximaTap(truePeakFilterFor(44100), Infinity, channelCount, length);
    for (let start = 0; start < length; start += 1000) tap.push(input.map((s) => s.subarray(start, Math.min(length, start + 1000))));
    assert.equal(Array.from(tap.result()), Array.from(blockMaxima(samplePeakEnvelope(input))), `${channelCount} channel(s)`);
  }
});

test('the stream equals the curve applied as applyLimiterGain does, within one rounding of the product', () => {
  const sampleRateHz = 48000;
  const c = loudCase(sampleRateHz, SINGLE);
  const length = 2 * sampleRateHz + 999;
  const input = music(sampleRateHz, length, 2, 11);
  const { curve } = wholeTrack(input, c);
  const expected = input.map((samples) => new Float32Array(samples.length));
  applyLimiterGain(input, curve, c.inputGain, expected);
  const { output } = processInBlocks(stage(c, length), input, 4096);
  expected.forEach((samples, ch) => {
    for (let i = 0; i < samples.length; i++) {
      const tolerance = Math.abs(samples[i]) * 2 ** -23;
      if (Math.abs(output[ch][i] - samples[i]) > tolerance) assert.unreachable(`sample ${i}: ${output[ch][i]} vs ${samples[i]}`);
    }
  });
});

for (const simd of [true, false]) {
  test(`${simd ? 'SIMD' : 'JavaScript'}: the curve a stream hands its gain sink, applied by the gain-curve stage, gives the stream's samples bit for bit`, () => {
    withSimdSwitch(simd, () => {
      for (const [timing, outputGain] of [[SINGLE, undefined], [DUAL, Math.pow(10, -0.07 / 20)]] as const) {
        const c = loudCase(44100, timing, outputGain);
        const length = 2 * 44100 + 4321;
        const input = music(44100, length, 2, 13);
        const kept = new Float32Array(length).fill(NaN);
        let next = 0;
        const limited = processInBlocks(
          stage(c, length, (start, gains) => {
            // In order and without gaps: the curve is complete once the stream has finished.
            assert.is(start, next);
            kept.set(gains, start);
            next = start + gains.length;
          }),
          input,
          4096,
        );
        assert.is(next, length);
        for (const block of [1, 17, 65536]) {
          if (block === 1) {
            const short = 3000;
            const shortKept = memoryTrackStore([kept.slice(0, short)], 44100);
            const head = input.map((samples) => samples.slice(0, short));
            const applied = processInBlocks(createGainCurveStage(shortKept, c.inputGain, c.outputGain), head, 1);
            assertSameSamples(applied.output, limited.output.map((samples) => samples.subarray(0, short)), 'blocks of 1');
            continue;
          }
          const applied = processInBlocks(createGainCurveStage(memoryTrackStore([kept], 44100), c.inputGain, c.outputGain), input, block);
          assertSameSamples(applied.output, limited.output, `blocks of ${block}`);
        }
      }
    });
  });
}

/** The per-sample envelope a true-peak tap hands its sink when pushed `input` in blocks of `block`, checked to arrive in order without gaps. */
function keptEnvelope(input: Float32Array[], c: Case, block: number): Float32Array {
  const length = input[0].length;
  const kept = new Float32Array(length).fill(NaN);
  let next = 0;
  const tap = truePeakBlockMaximaTap(c.filter, c.relevantAboveLinear, input.length, length, (start, envelope) => {
    assert.is(start, next, 'envelope sunk in order, without gaps');
    kept.set(envelope, start);
    next = start + envelope.length;
  });
  for (let start = 0; start < length; start += block) tap.push(input.map((s) => s.subarray(start, Math.min(length, start + block))));
  tap.result();
  assert.is(next, length, 'the whole envelope sunk by the end');
  return kept;
}

for (const simd of [true, false]) {
  const mode = simd ? 'SIMD' : 'JavaScript';

  test(`${mode}: the envelope a true-peak tap sinks is the whole-track envelope, for blocks of 1, 17, 4096, 65536 and odd lengths`, () => {
    withSimdSwitch(simd, () => {
      for (const sampleRateHz of [44100, 96000]) {
        const c = loudCase(sampleRateHz, SINGLE);
        for (const length of [0, 1, 63, 65, 1001, 2 * sampleRateHz + 777]) {
          const input = music(sampleRateHz, length, 2, length + 3);
          const expected = Array.from(computeTruePeakEnvelope(input, c.filter, c.relevantAboveLinear, samplePeakEnvelope(input)));
          for (const block of [1, 17, 4096, 65536]) {
            if (block === 1 && length > 5000) continue;
            assert.equal(Array.from(keptEnvelope(input, c, block)), expected, `${sampleRateHz} Hz, length ${length}, blocks of ${block}`);
          }
        }
      }
    });
  });

  test(`${mode}: a limiter reading the envelope a tap kept gives the interpolating limiter's samples, curve and deepest gain bit for bit, for any block size`, () => {
    withSimdSwitch(simd, () => {
      for (const [timing, outputGain] of [[SINGLE, undefined], [DUAL, Math.pow(10, -0.07 / 20)]] as const) {
        for (const channelCount of [1, 2]) {
          const c = loudCase(44100, timing, outputGain);
          for (const length of [0, 1, 200, 4097, 3 * 44100 + 12345]) {
            const input = music(44100, length, channelCount, 17);
            const expected = wholeTrack(input, c);
            const envelope = keptEnvelope(input, c, 65536);
            for (const block of [1, 17, 4096, 65536]) {
              if (block === 1 && length > 5000) continue;
              const curve = new Float32Array(length).fill(NaN);
              const limiter = createLimiter({ sampleRateHz: 44100, ceilingDbtp: -1, ...c.timing });
              const stream = limiter.stream({
                filter: c.filter,
                relevantAboveLinear: c.relevantAboveLinear,
                inputGain: c.inputGain,
                ceilingLinear: c.ceilingLinear,
                outputGain: c.outputGain,
                length,
                gainSink: (start, gains) => curve.set(gains, start),
                envelope: (start, count) => envelope.subarray(start, start + count),
              });
              const { output, report } = processInBlocks(stream, input, block);
              const what = `${timing === DUAL ? 'dual' : 'single'}, ${channelCount} ch, length ${length}, blocks of ${block}`;
              assertSameSamples(output, expected.output, what);
              assertSameSamples([curve], [expected.curve], `${what}: curve`);
              assert.is(report.smallestGain, expected.smallestGain, `${what}: deepest gain`);
            }
          }
        }
      }
    });
  });
}

test('a limiter given an envelope limits by it, not by peaks of its own', () => {
  const c = loudCase(44100, SINGLE);
  const length = 2 * 44100 + 99;
  const input = music(44100, length, 2, 21);
  // Half the envelope's peaks: what limits the signal is what it is told, so it limits less.
  const halved = keptEnvelope(input, c, 4096).map((value) => value / 2);
  const limiter = createLimiter({ sampleRateHz: 44100, ceilingDbtp: -1, ...c.timing });
  const told = processInBlocks(
    limiter.stream({ filter: c.filter, relevantAboveLinear: c.relevantAboveLinear, inputGain: c.inputGain, ceilingLinear: c.ceilingLinear, length, envelope: (start, count) => halved.subarray(start, start + count) }),
    input,
    4096,
  );
  const windowPeaks = lookaheadPeaks(halved, lookaheadSamplesFor(44100, c.timing));
  const curve = new Float32Array(length);
  const smallestGain = writeLimiterGain(windowPeaks, c.inputGain, c.ceilingLinear, 44100, c.timing, curve);
  const expected = input.map((samples) => samples.slice());
  applyGainCurve(expected, curve, c.inputGain, 0, length);
  assertSameSamples(told.output, expected, 'limited by the envelope it was given');
  assert.is(told.report.smallestGain, smallestGain);
  assert.ok(smallestGain > wholeTrack(input, c).smallestGain, 'and less deeply than by its own peaks');
});

test('a limiter whose kept envelope is short of the frames it takes says so', () => {
  const c = loudCase(44100, SINGLE);
  const input = music(44100, 1000, 2);
  const limiter = createLimiter({ sampleRateHz: 44100, ceilingDbtp: -1, ...c.timing });
  const stream = limiter.stream({ ...c, length: 1000, envelope: () => new Float32Array(10) });
  assert.throws(() => processInBlocks(stream, input, 100), /kept envelope gave 10 values for 100 frames/);
});

test('a gain-curve stage given more or fewer frames than its curve says so', () => {
  const curve = memoryTrackStore([new Float32Array(100).fill(0.5)], 44100);
  assert.throws(() => processInBlocks(createGainCurveStage(curve, 1), [new Float32Array(101)], 50), /100 frames given more/);
  assert.throws(() => processInBlocks(createGainCurveStage(curve, 1), [new Float32Array(99)], 50), /100 frames given 99/);
});

test('a stream told the wrong length says so', () => {
  const c = loudCase(44100, SINGLE);
  const input = music(44100, 1000, 2);
  assert.throws(() => processInBlocks(stage(c, 999), input, 100), /999/);
  assert.throws(() => processInBlocks(stage(c, 1001), input, 100), /1001/);
});

test.run();
