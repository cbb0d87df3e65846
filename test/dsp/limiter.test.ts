import { test } from 'uvu';
import { memoryTrackStore } from '../../core/audio/pcm-source.ts';
import * as assert from 'uvu/assert';
import {
  createLimiter,
  applyLimiterGain,
  computeLimiterGain,
  computeTruePeakEnvelope,
  lookaheadPeaks,
  lookaheadSamplesFor,
  scalarLookaheadPeaks,
} from '../../core/dsp/limiter.ts';
import { measureTruePeak } from '../../core/dsp/truepeak.ts';
import { designTruePeakFilter } from '../../core/dsp/truepeak-filter.ts';
import { convergeLoudness, memoryCurveStore, MEMORY_CURVE_FRAMES, type CurveStoreFactory } from '../../core/mastering/convergence.ts';
import { measureLoudness } from '../../core/dsp/loudness.ts';
import { blockMaximaSimd, slidingMaxSimd, stereoBlockMaximaSimd, stereoPeakEnvelopeSimd } from '../../core/dsp/sliding-max-simd.ts';
import { withSimd } from '../support/simd.ts';
import { blockPeaks } from '../../core/dsp/block-peaks.ts';
import { setSimdEnabled, simdEnabled } from '../../core/wasm/simd-module.ts';

const dbToLinear = (db: number) => Math.pow(10, db / 20);

function seededNoise(seed: number) {
  let state = seed >>> 0;
  return () => {
    state = (state * 1664525 + 1013904223) >>> 0;
    return state / 2 ** 32 - 0.5;
  };
}

/** Drum-like hot material: decaying noise bursts and a low sine, with inter-sample peaks near fs/4. */
function hotMaterial(sampleRateHz: number, seconds: number): Float32Array[] {
  const n = Math.round(sampleRateHz * seconds);
  const noise = seededNoise(7);
  const left = new Float32Array(n);
  const right = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const t = i / sampleRateHz;
    const beat = t % 0.5;
    const hit = Math.exp(-beat * 30) * noise() * 1.2;
    const bass = 0.4 * Math.sin(2 * Math.PI * 55 * t);
    const isp = 0.3 * Math.sin(2 * Math.PI * (sampleRateHz / 4) * t + Math.PI / 4);
    // 10 ms fades, as in the EBU test signals: an abrupt start is a step no limiter can see coming.
    const fade = Math.min(1, t / 0.01, (seconds - t) / 0.01);
    left[i] = (hit + bass + isp) * fade;
    right[i] = (hit * 0.8 + bass - isp) * fade;
  }
  return [left, right];
}

function limit(channels: Float32Array[], sampleRateHz: number, gainDb: number, ceilingDbtp: number): Float32Array[] {
  const ceiling = dbToLinear(ceilingDbtp);
  const gain = dbToLinear(gainDb);
  const envelope = computeTruePeakEnvelope(channels, designTruePeakFilter(sampleRateHz < 96000 ? 4 : 2), ceiling / gain);
  const curve = computeLimiterGain(lookaheadPeaks(envelope, lookaheadSamplesFor(sampleRateHz)), gain, ceiling, sampleRateHz);
  const out = channels.map((c) => new Float32Array(c.length));
  applyLimiterGain(channels, curve, gain, out);
  return out;
}

for (const sampleRateHz of [44100, 48000, 96000]) {
  test(`+12 dB into the limiter at ${sampleRateHz} Hz: the meter's true peak stays at the ceiling`, () => {
    const input = hotMaterial(sampleRateHz, 4);
    const inputPeak = measureTruePeak({ sampleRateHz, channels: input }).truePeakDbtp!;
    for (const ceilingDbtp of [-1, -0.5, -3]) {
      const out = limit(input, sampleRateHz, 12, ceilingDbtp);
      const peak = measureTruePeak({ sampleRateHz, channels: out }).truePeakDbtp!;
      assert.ok(peak <= ceilingDbtp + 0.01, `ceiling ${ceilingDbtp}: ${peak.toFixed(3)} dBTP (input ${inputPeak.toFixed(2)} + 12 dB)`);
      assert.ok(peak >= ceilingDbtp - 1, `limited far below the ceiling: ${peak}`);
    }
  });
}

test('the full loudness stage with its true-peak guard never exceeds the ceiling, even pushed 12 dB past the goal', () => {
  const sampleRateHz = 44100;
  const channels = hotMaterial(sampleRateHz, 6);
  const result = convergeLoudness(memoryTrackStore(channels, sampleRateHz), {
    goalLufs: -4,
    limiter: createLimiter({ sampleRateHz, ceilingDbtp: -0.9, lookaheadMs: 3, releaseMs: 150 }),
    truePeakCeilingDbtp: -1,
    toleranceDb: 0.3,
    maxCorrectionDb: 1.5,
  });
  const peak = measureTruePeak({ sampleRateHz, channels }).truePeakDbtp!;
  assert.ok(peak <= -1 + 1e-6, `guarded output at ${peak} dBTP`);
  assert.ok(result.output.truePeakDbtp! <= -1 + 1e-6);
  assert.ok(result.limiterMaxReductionDb > 6, 'the material was hot');
});

test('several convergence rounds leave exactly the signal the last round measured (each round limits the original, not the previous output)', () => {
  const sampleRateHz = 44100;
  const original = hotMaterial(sampleRateHz, 6).map((samples) => samples.map((x) => x * 0.25));
  const channels = original.map((samples) => samples.slice());
  // A tolerance no prediction meets: every round runs.
  const result = convergeLoudness(memoryTrackStore(channels, sampleRateHz), {
    goalLufs: -9,
    limiter: createLimiter({ sampleRateHz, ceilingDbtp: -0.9, lookaheadMs: 3, releaseMs: 150 }),
    truePeakCeilingDbtp: -1,
    toleranceDb: 1e-6,
    maxCorrectionDb: 1.5,
  });
  assert.is(result.rounds.length, 3);
  const measured = measureLoudness({ sampleRateHz, channels }, { integrated: true, loudnessRange: false, truePeak: true });
  assert.ok(Math.abs(measured.integratedLufs! - result.output.integratedLufs!) < 0.01, `${measured.integratedLufs} vs reported ${result.output.integratedLufs}`);
  assert.ok(measured.truePeakDbtp! <= -1 + 1e-6, `true peak ${measured.truePeakDbtp}`);
  // The output is the original times one gain curve: where the limiter rests, exactly the loudness gain.
  const gain = Math.pow(10, (result.loudnessGainDb + result.guardTrimDb) / 20);
  let checked = 0;
  for (let i = 0; i < original[0].length; i += 97) {
    if (Math.abs(original[0][i]) < 1e-3) continue;
    const ratio = channels[0][i] / original[0][i];
    if (Math.abs(ratio - gain) < gain * 1e-4) checked++;
    assert.ok(ratio > 0 && ratio <= gain * (1 + 1e-4), `sample ${i}: ratio ${ratio} outside (0, loudness gain ${gain}]`);
  }
  assert.ok(checked > 10, 'some samples pass the limiter untouched');
});

test('with a curve store the last pass applies the measured round\'s gain curve: the same master bit for bit, one store as long as the track, closed after', () => {
  const sampleRateHz = 44100;
  const original = hotMaterial(sampleRateHz, 5).map((samples) => samples.map((x) => x * 0.3));
  const settings = (toleranceDb: number) => ({
    goalLufs: -8,
    limiter: createLimiter({ sampleRateHz, ceilingDbtp: -0.9, lookaheadMs: 3, releaseMs: 150 }),
    truePeakCeilingDbtp: -1,
    toleranceDb,
    maxCorrectionDb: 1.5,
  });
  // One round, and every round (each overwrites the curve; the last is kept).
  for (const toleranceDb of [0.3, 1e-6]) {
    const relimited = original.map((samples) => samples.slice());
    const withoutCurve = convergeLoudness(memoryTrackStore(relimited, sampleRateHz), settings(toleranceDb));
    const shapes: { channelCount: number; length: number }[] = [];
    let closed = 0;
    const curveStore: CurveStoreFactory = (shape) => {
      shapes.push(shape);
      const store = memoryTrackStore([new Float32Array(shape.length)], shape.sampleRateHz);
      return { ...store, close: () => void closed++ };
    };
    const applied = original.map((samples) => samples.slice());
    const withCurve = convergeLoudness(memoryTrackStore(applied, sampleRateHz), settings(toleranceDb), true, { curveStore });
    assert.equal(shapes, [{ sampleRateHz, channelCount: 1, length: original[0].length }]);
    assert.is(closed, 1);
    assert.equal(withCurve, withoutCurve, `tolerance ${toleranceDb}: the same report (rounds, guard, deepest reduction)`);
    assert.ok(withCurve.limiterMaxReductionDb > 1, `the material was limited (${withCurve.limiterMaxReductionDb} dB)`);
    relimited.forEach((samples, c) => {
      for (let i = 0; i < samples.length; i++) if (!Object.is(applied[c][i], samples[i])) assert.unreachable(`channel ${c} sample ${i}: ${applied[c][i]} vs ${samples[i]}`);
    });
  }
});

test('with a curve store the true-peak pass leaves its envelope there and only the first round reads it, each position before its gain replaces it', () => {
  const sampleRateHz = 44100;
  const original = hotMaterial(sampleRateHz, 5).map((samples) => samples.map((x) => x * 0.3));
  const length = original[0].length;
  for (const toleranceDb of [0.3, 1e-6]) {
    const settings = { goalLufs: -8, limiter: createLimiter({ sampleRateHz, ceilingDbtp: -0.9, lookaheadMs: 3, releaseMs: 150 }), truePeakCeilingDbtp: -1, toleranceDb, maxCorrectionDb: 1.5 };
    const operations: { kind: 'read' | 'write'; start: number; count: number }[] = [];
    const curveStore: CurveStoreFactory = (shape) => {
      const store = memoryTrackStore([new Float32Array(shape.length)], shape.sampleRateHz);
      return {
        ...store,
        read(start, count) {
          operations.push({ kind: 'read', start, count });
          return store.read(start, count);
        },
        write(start, frames) {
          operations.push({ kind: 'write', start, count: frames[0].length });
          store.write(start, frames);
        },
      };
    };
    const result = convergeLoudness(memoryTrackStore(original.map((samples) => samples.slice()), sampleRateHz), settings, true, { curveStore });
    const firstRead = operations.findIndex((operation) => operation.kind === 'read');
    assert.ok(firstRead > 0, 'the round reads what the true-peak pass wrote');
    assert.is(operations.slice(0, firstRead).reduce((sum, operation) => sum + operation.count, 0), length, 'the whole envelope written before the round');
    // Up to the rounds' last gain, every read is the first round's, of a position still holding its envelope; the last pass then reads the gains.
    const lastWrite = operations.map((operation) => operation.kind).lastIndexOf('write');
    const holdsEnvelope = new Uint8Array(length).fill(1);
    let envelopeRead = 0;
    for (const operation of operations.slice(firstRead, lastWrite + 1)) {
      for (let p = operation.start; p < operation.start + operation.count; p++) {
        if (operation.kind === 'write') holdsEnvelope[p] = 0;
        else if (holdsEnvelope[p] === 1) envelopeRead++;
        else assert.unreachable(`position ${p} read after a round's gain went over its envelope`);
      }
    }
    assert.is(envelopeRead, length, `tolerance ${toleranceDb}: the first of ${result.rounds.length} round(s) read the whole envelope`);
    if (toleranceDb < 1e-3) assert.is(result.rounds.length, 3, 'every round ran; the later ones interpolated for themselves');
  }
});

test('with a gain expected from a prediction (the rider plan\'s) the true peaks come in the first pass: one pass fewer, nearly the same gain, goal and ceiling held', () => {
  const sampleRateHz = 44100;
  const original = hotMaterial(sampleRateHz, 5).map((samples) => samples.map((x) => x * 0.3));
  const length = original[0].length;
  const settings = { goalLufs: -8, limiter: createLimiter({ sampleRateHz, ceilingDbtp: -0.9, lookaheadMs: 3, releaseMs: 150 }), truePeakCeilingDbtp: -1, toleranceDb: 0.3, maxCorrectionDb: 1.5 };
  const converge = (expectedGainDb?: number) => {
    const store = memoryTrackStore(original.map((samples) => samples.slice()), sampleRateHz);
    let passes = 0;
    const counting = { ...store, read: (start: number, count: number) => ((passes += start === 0 ? 1 : 0), store.read(start, count)) };
    const result = convergeLoudness(counting, { ...settings, expectedGainDb }, true, { curveStore: memoryCurveStore(length) });
    return { result, passes };
  };
  const twoStages = converge();
  assert.ok(twoStages.result.limiterMaxReductionDb > 1, `the material was limited (${twoStages.result.limiterMaxReductionDb} dB)`);
  // The gain the search settles on as the expectation, and expectations 2 dB off either way.
  for (const offsetDb of [0, -2, 2]) {
    const { result, passes } = converge(twoStages.result.loudnessGainDb + offsetDb);
    assert.is(passes, twoStages.passes - 1, `expected ${offsetDb} dB off: one pass fewer`);
    assert.ok(Math.abs(result.loudnessGainDb - twoStages.result.loudnessGainDb) < 0.05, `expected ${offsetDb} dB off: ${result.loudnessGainDb} dB against ${twoStages.result.loudnessGainDb} dB`);
    assert.ok(result.goalReached, `expected ${offsetDb} dB off: ${result.output.integratedLufs} LUFS`);
    assert.ok(result.output.truePeakDbtp! <= settings.truePeakCeilingDbtp, `expected ${offsetDb} dB off: ${result.output.truePeakDbtp} dBTP`);
  }
  assert.equal(converge(null as unknown as undefined), twoStages, 'a null expectation is none');
});

test('a curve store outside memory (a file, for a long track) gets no envelope: the round interpolates for itself, the same master', () => {
  const sampleRateHz = 44100;
  const original = hotMaterial(sampleRateHz, 3).map((samples) => samples.map((x) => x * 0.3));
  const length = original[0].length;
  const settings = { goalLufs: -8, limiter: createLimiter({ sampleRateHz, ceilingDbtp: -0.9, lookaheadMs: 3, releaseMs: 150 }), truePeakCeilingDbtp: -1, toleranceDb: 0.3, maxCorrectionDb: 1.5 };
  const operations: string[] = [];
  // Reads and writes as a file store's: copies, and no channels to work on in place.
  const fileLike: CurveStoreFactory = (shape) => {
    const held = new Float32Array(shape.length);
    return {
      sampleRateHz: shape.sampleRateHz,
      channelCount: 1,
      length: shape.length,
      read: (start, count) => (operations.push('read'), [held.slice(start, Math.min(shape.length, start + count))]),
      write: (start, frames) => void (operations.push('write'), held.set(frames[0], start)),
      close() {},
    };
  };
  const inFile = original.map((samples) => samples.slice());
  const result = convergeLoudness(memoryTrackStore(inFile, sampleRateHz), settings, true, { curveStore: fileLike });
  const inMemory = original.map((samples) => samples.slice());
  assert.equal(result, convergeLoudness(memoryTrackStore(inMemory, sampleRateHz), settings, true, { curveStore: memoryCurveStore(length) }));
  // The round writes its gains, the last pass reads them: nothing read before the last write.
  assert.ok(operations.lastIndexOf('write') < operations.indexOf('read'), 'no envelope went through the store');
  inMemory.forEach((samples, c) => {
    for (let i = 0; i < samples.length; i++) if (!Object.is(inFile[c][i], samples[i])) assert.unreachable(`channel ${c} sample ${i}`);
  });
});

test('a probe render (no measuring rounds) asks for no curve store; a failing sink still closes it', () => {
  const sampleRateHz = 44100;
  const channels = hotMaterial(sampleRateHz, 2);
  let made = 0;
  let closed = 0;
  const curveStore: CurveStoreFactory = (shape) => {
    made++;
    return { ...memoryTrackStore([new Float32Array(shape.length)], shape.sampleRateHz), close: () => void closed++ };
  };
  const settings = { goalLufs: -10, limiter: createLimiter({ sampleRateHz, ceilingDbtp: -0.9, lookaheadMs: 3, releaseMs: 150 }), truePeakCeilingDbtp: -1, toleranceDb: 0.3, maxCorrectionDb: 1.5 };
  convergeLoudness(memoryTrackStore(channels.map((s) => s.slice()), sampleRateHz), settings, false, { curveStore });
  assert.is(made, 0);
  const sink = () => {
    throw new Error('disk full');
  };
  assert.throws(() => convergeLoudness(memoryTrackStore(channels.map((s) => s.slice()), sampleRateHz), settings, true, { curveStore, sink, write: false }), /disk full/);
  assert.is(made, 1);
  assert.is(closed, 1);
});

test('a track in memory keeps its curve in memory only up to MEMORY_CURVE_FRAMES', () => {
  assert.ok(memoryCurveStore(MEMORY_CURVE_FRAMES) !== undefined);
  assert.is(memoryCurveStore(MEMORY_CURVE_FRAMES + 1), undefined);
  assert.is(memoryCurveStore(10)!({ sampleRateHz: 48000, channelCount: 1, length: 10 }).length, 10);
});

test('the SIMD look-ahead maximum equals the scalar scan for every window, length and chunk edge, in place too', withSimd(() => {
  let seed = 3;
  const values = Float32Array.from({ length: 70001 }, () => {
    seed = (seed * 16807) % 2147483647;
    return (seed / 2147483647) ** 4;
  });
  for (const lookahead of [0, 1, 2, 3, 4, 7, 132, 143, 575, 40000]) {
    for (const length of [1, 3, 5, 200, 32768, 32769, 70001]) {
      const input = values.subarray(0, length);
      const simd = slidingMaxSimd(input, lookahead + 1);
      if (!simd) return assert.unreachable('this runtime lacks WebAssembly SIMD');
      const expected = Array.from(scalarLookaheadPeaks(input, lookahead));
      assert.equal(Array.from(simd), expected, `look-ahead ${lookahead}, length ${length}`);
      const overwritten = input.slice();
      assert.is(slidingMaxSimd(overwritten, lookahead + 1, overwritten), overwritten);
      assert.equal(Array.from(overwritten), expected, `in place: look-ahead ${lookahead}, length ${length}`);
    }
  }
}));

test('SIMD block maxima equal a plain scan, whole and cut blocks, across chunk edges', withSimd(() => {
  let seed = 11;
  const values = Float32Array.from({ length: 100003 }, () => {
    seed = (seed * 16807) % 2147483647;
    return seed / 2147483647;
  });
  for (const length of [1, 15, 16, 17, 32768, 32769, 100003]) {
    const input = values.subarray(0, length);
    const simd = blockMaximaSimd(input);
    if (!simd) return assert.unreachable('this runtime lacks WebAssembly SIMD');
    const expected = Array.from({ length: Math.ceil(length / 16) }, (_, b) => Math.max(...input.subarray(16 * b, 16 * b + 16)));
    assert.equal(Array.from(simd), expected, `length ${length}`);
  }
}));

test('block peaks over any multiple of 16 values (the true-peak relevance blocks of 64) are the same with SIMD and without, whole and cut blocks', async () => {
  let seed = 5;
  const values = Float32Array.from({ length: 70001 }, () => {
    seed = (seed * 16807) % 2147483647;
    return seed / 2147483647;
  });
  for (const block of [16, 32, 64]) {
    for (const length of [1, 63, 64, 65, 32768, 70001]) {
      const input = values.subarray(0, length);
      const expected = Array.from({ length: Math.ceil(length / block) }, (_, b) => Math.max(...input.subarray(block * b, block * b + block)));
      let simd: number[] = [];
      await withSimd(() => void (simd = Array.from(blockPeaks(input, block))))();
      const was = simdEnabled();
      setSimdEnabled(false);
      const scalar = Array.from(blockPeaks(input, block));
      setSimdEnabled(was);
      assert.equal(simd, expected, `SIMD, blocks of ${block}, length ${length}`);
      assert.equal(scalar, expected, `JavaScript, blocks of ${block}, length ${length}`);
    }
  }
});

test('the SIMD stereo peak envelope is max(|left|, |right|) at every sample, across chunk edges', withSimd(() => {
  for (const length of [1, 5, 32768, 32771, 70000]) {
    const left = Float32Array.from({ length }, (_, i) => Math.sin(i * 0.37) * (i % 3 === 0 ? -1 : 0.5));
    const right = Float32Array.from({ length }, (_, i) => Math.cos(i * 0.11) * -0.8);
    const simd = stereoPeakEnvelopeSimd(left, right);
    if (!simd) return assert.unreachable('this runtime lacks WebAssembly SIMD');
    assert.equal(Array.from(simd), Array.from(left, (x, i) => Math.fround(Math.max(Math.abs(x), Math.abs(right[i])))), `length ${length}`);
  }
}));

test('SIMD stereo block peaks are the largest |left| or |right| of each 16 frames, whole and cut blocks, across chunks', withSimd(() => {
  for (const length of [1, 17, 32768, 32790, 70001]) {
    const left = Float32Array.from({ length }, (_, i) => Math.sin(i * 0.31) * (i % 5 === 0 ? -0.9 : 0.4));
    const right = Float32Array.from({ length }, (_, i) => Math.cos(i * 0.07) * -0.6);
    const simd = stereoBlockMaximaSimd(left, right);
    if (!simd) return assert.unreachable('this runtime lacks WebAssembly SIMD');
    const expected = Array.from({ length: Math.ceil(length / 16) }, (_, b) => {
      let peak = 0;
      for (let i = 16 * b; i < Math.min(length, 16 * b + 16); i++) peak = Math.max(peak, Math.abs(left[i]), Math.abs(right[i]));
      return Math.fround(peak);
    });
    assert.equal(Array.from(simd), expected, `length ${length}`);
  }
}));

test('limiting a sine 12 dB over the ceiling makes no clicks: sample steps stay near the sine’s own', () => {
  // A click is a jump of the order of the amplitude; the look-ahead ramp may only
  // steepen the first quarter-cycles a little (the gain is still settling there).
  const sampleRateHz = 48000;
  const frequencyHz = 440;
  const n = sampleRateHz * 2;
  const sine = new Float32Array(n);
  // Silence, then a sudden full-scale tone, then silence: the hardest case for gain changes.
  for (let i = sampleRateHz / 4; i < n - sampleRateHz / 4; i++) sine[i] = Math.sin((2 * Math.PI * frequencyHz * i) / sampleRateHz);
  const [out] = limit([sine], sampleRateHz, 12, -1);
  const amplitude = dbToLinear(-1);
  const naturalStep = amplitude * 2 * Math.sin((Math.PI * frequencyHz) / sampleRateHz);
  let largest = 0;
  for (let i = 1; i < n; i++) largest = Math.max(largest, Math.abs(out[i] - out[i - 1]));
  assert.ok(largest <= naturalStep * 1.25, `largest step ${largest.toFixed(4)} vs the sine's ${naturalStep.toFixed(4)}`);
  const peak = measureTruePeak({ sampleRateHz, channels: [out] }).truePeakDbtp!;
  assert.ok(peak <= -1 + 0.05);
});

test('material under the ceiling passes the limiter untouched', () => {
  const sampleRateHz = 44100;
  const quiet = hotMaterial(sampleRateHz, 2).map((c) => c.map((x) => x * 0.1));
  const out = limit(quiet, sampleRateHz, 0, -1);
  for (let c = 0; c < quiet.length; c++) for (let i = 0; i < quiet[c].length; i++) assert.ok(out[c][i] === quiet[c][i]);
});

test('the look-ahead maximum equals a brute-force window maximum', () => {
  const noise = seededNoise(3);
  for (const [length, lookahead] of [[1000, 7], [37, 5], [5, 10], [1, 3], [64, 0], [513, 128]]) {
    const envelope = Float32Array.from({ length }, () => Math.abs(noise()));
    const fast = lookaheadPeaks(envelope, lookahead);
    for (let n = 0; n < length; n++) {
      let max = 0;
      for (let k = n; k <= Math.min(length - 1, n + lookahead); k++) max = Math.max(max, envelope[k]);
      assert.is(fast[n], max);
    }
  }
});

test.run();
