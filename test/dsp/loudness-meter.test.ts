import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { PcmAudio } from '../../core/audio/pcm.ts';
import {
  createLoudnessMeter,
  defaultChannelWeights,
  measureLoudness,
  type LoudnessCapabilities,
  type LoudnessResult,
} from '../../core/dsp/loudness.ts';
import { perChannelTone, toneSequence } from '../support/ebu-signals.ts';

const ALL: LoudnessCapabilities = { integrated: true, momentary: true, shortTerm: true, loudnessRange: true, truePeak: true };

/** A music-like test signal: a decaying tone burst every 0.5 s over a quieter drone, louder in its second half. */
function musicLike(sampleRateHz: number, seconds: number): PcmAudio {
  const n = Math.round(sampleRateHz * seconds);
  const left = new Float32Array(n);
  const right = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const t = i / sampleRateHz;
    const beat = t % 0.5;
    const level = t > seconds / 2 ? 0.5 : 0.2;
    const hit = level * Math.exp(-beat * 12) * Math.sin(2 * Math.PI * 220 * t);
    const drone = 0.05 * Math.sin(2 * Math.PI * 3100 * t) + 0.03 * Math.sin(2 * Math.PI * 55 * t);
    left[i] = hit + drone;
    right[i] = 0.8 * hit - drone;
  }
  return { sampleRateHz, channels: [left, right] };
}

function meterInBlocks(audio: PcmAudio, block: number, capabilities = ALL, channelWeights?: number[]): LoudnessResult {
  const meter = createLoudnessMeter({ sampleRateHz: audio.sampleRateHz, channelCount: audio.channels.length, capabilities, channelWeights });
  const frames = audio.channels[0].length;
  for (let s = 0; s < frames; s += block) meter.addFrames(audio.channels.map((c) => c.subarray(s, s + block)));
  return meter.result();
}

function assertNoNaN(result: LoudnessResult): void {
  for (const [key, value] of Object.entries(result)) {
    if (typeof value === 'number') assert.not.ok(Number.isNaN(value), `${key} is NaN`);
    if (Array.isArray(value) || value instanceof Float32Array) for (const v of value) assert.not.ok(Number.isNaN(v), `${key} holds NaN`);
  }
}

test('feeding the meter in blocks of any size gives the results of one block', () => {
  for (const fs of [44100, 69313]) {
    const audio = musicLike(fs, 4);
    const whole = meterInBlocks(audio, audio.channels[0].length);
    for (const block of [1, 100, 441, 4096, 65537]) {
      const r = meterInBlocks(audio, block);
      for (const key of ['integratedLufs', 'loudnessRangeLu', 'momentaryMaxLufs', 'shortTermMaxLufs', 'truePeakDbtp'] as const) {
        assert.ok(Math.abs((r[key] as number) - (whole[key] as number)) < 1e-9, `${fs} Hz, block ${block}: ${key}`);
      }
      assert.is(r.momentaryLufs!.length, whole.momentaryLufs!.length);
      r.momentaryLufs!.forEach((v, i) => assert.ok(Math.abs(v - whole.momentaryLufs![i]) < 1e-4, `M[${i}]`));
    }
  }
});

test('reading results mid-stream does not disturb the measurement', () => {
  const audio = musicLike(48000, 6);
  const meter = createLoudnessMeter({ sampleRateHz: 48000, channelCount: 2, capabilities: ALL });
  for (let s = 0; s < audio.channels[0].length; s += 12000) {
    meter.addFrames(audio.channels.map((c) => c.subarray(s, s + 12000)));
    assertNoNaN(meter.result());
  }
  assert.equal(meter.result(), meterInBlocks(audio, 12000));
});

test('the 100 ms series hold one value per step once a full window exists, at odd rates too', () => {
  for (const fs of [44100, 48000, 69313]) {
    const r = meterInBlocks(toneSequence(fs, [{ seconds: 10, dbfs: -20 }]), 4410);
    assert.is(r.momentaryLufs!.length, 97, `${fs}: momentary steps`); // windows ending at 0.4 … 10.0 s
    assert.is(r.shortTermLufs!.length, 71, `${fs}: short-term steps`); // windows ending at 3.0 … 10.0 s
  }
});

test('digital silence reads null everywhere (and -Infinity in the series), never NaN', () => {
  const silence: PcmAudio = { sampleRateHz: 48000, channels: [new Float32Array(48000 * 5), new Float32Array(48000 * 5)] };
  const r = meterInBlocks(silence, 4800);
  assert.equal(
    [r.integratedLufs, r.loudnessRangeLu, r.momentaryMaxLufs, r.shortTermMaxLufs, r.truePeakDbtp],
    [null, null, null, null, null],
  );
  assert.equal(r.truePeakPerChannelDbtp, [-Infinity, -Infinity]);
  assert.ok(r.momentaryLufs!.every((v) => v === -Infinity));
  assert.ok(r.shortTermLufs!.every((v) => v === -Infinity));
  assert.equal(JSON.parse(JSON.stringify({ i: r.integratedLufs, tp: r.truePeakDbtp })), { i: null, tp: null });
});

test('audio shorter than 400 ms gives no integrated value and no momentary maximum, without throwing', () => {
  for (const frames of [0, 1, 100, 19199]) {
    const audio = toneSequence(48000, [{ seconds: frames / 48000, dbfs: -20 }]);
    const r = measureLoudness(audio, ALL);
    assert.is(r.integratedLufs, null, `${frames} frames`);
    assert.is(r.momentaryMaxLufs, null);
    assert.is(r.loudnessRangeLu, null);
    assert.is(r.momentaryLufs!.length, 0);
    assertNoNaN(r);
  }
  const justEnough = measureLoudness(toneSequence(48000, [{ seconds: 0.4, dbfs: -20 }]));
  assert.ok(justEnough.integratedLufs !== null && Math.abs(justEnough.integratedLufs + 20) < 0.1);
  assert.is(justEnough.loudnessRangeLu, null, 'no 3 s window yet');
});

test('capabilities not asked for read null and produce no series', () => {
  const audio = musicLike(44100, 5);
  const onlyIntegrated = meterInBlocks(audio, 4096, { integrated: true });
  assert.ok(onlyIntegrated.integratedLufs !== null);
  assert.equal(
    [onlyIntegrated.loudnessRangeLu, onlyIntegrated.momentaryMaxLufs, onlyIntegrated.shortTermMaxLufs, onlyIntegrated.truePeakDbtp, onlyIntegrated.truePeakPerChannelDbtp],
    [null, null, null, null, null],
  );
  assert.is(onlyIntegrated.momentaryLufs, undefined);
  assert.is(onlyIntegrated.shortTermLufs, undefined);
  const onlyPeak = meterInBlocks(audio, 4096, { truePeak: true });
  assert.is(onlyPeak.integratedLufs, null);
  assert.is(onlyPeak.truePeakDbtp, meterInBlocks(audio, 4096).truePeakDbtp);
  const defaults = measureLoudness(audio);
  assert.ok(defaults.integratedLufs !== null && defaults.loudnessRangeLu !== null && defaults.truePeakDbtp !== null);
  assert.is(defaults.momentaryMaxLufs, null);
});

test('a mono signal reads 3 dB below the same signal played on both stereo channels', () => {
  const stereo = musicLike(48000, 6);
  const mono: PcmAudio = { sampleRateHz: 48000, channels: [stereo.channels[0]] };
  const dual: PcmAudio = { sampleRateHz: 48000, channels: [stereo.channels[0], stereo.channels[0]] };
  const difference = measureLoudness(dual).integratedLufs! - measureLoudness(mono).integratedLufs!;
  assert.ok(Math.abs(difference - 10 * Math.log10(2)) < 1e-6, `difference ${difference}`);
});

test('default channel weights follow BS.1770-4: surrounds 1.41, LFE left out', () => {
  assert.equal(defaultChannelWeights(1), [1]);
  assert.equal(defaultChannelWeights(2), [1, 1]);
  assert.equal(defaultChannelWeights(5), [1, 1, 1, 1.41, 1.41]);
  assert.equal(defaultChannelWeights(6), [1, 1, 1, 0, 1.41, 1.41]);
  const withQuietLfe = perChannelTone(48000, 5, [-28, -28, -24, -80, -30, -30]);
  const withLoudLfe = perChannelTone(48000, 5, [-28, -28, -24, -3, -30, -30]);
  const quiet = measureLoudness(withQuietLfe).integratedLufs!;
  assert.ok(Math.abs(quiet + 23) < 0.1, `5.1 reads ${quiet}`);
  assert.is(measureLoudness(withLoudLfe).integratedLufs, quiet);
  assert.ok(measureLoudness(withLoudLfe).truePeakDbtp! > -3.1, 'the LFE still counts for true peak');
});

test('caller-chosen channel weights replace the defaults', () => {
  const audio = musicLike(44100, 5);
  const leftOnly = meterInBlocks(audio, 4096, { integrated: true }, [1, 0]).integratedLufs!;
  const mono = measureLoudness({ sampleRateHz: 44100, channels: [audio.channels[0]] }).integratedLufs!;
  assert.ok(Math.abs(leftOnly - mono) < 1e-9);
  assert.throws(() => createLoudnessMeter({ sampleRateHz: 44100, channelCount: 2, capabilities: {}, channelWeights: [1] }), RangeError);
  assert.throws(() => createLoudnessMeter({ sampleRateHz: 44100, channelCount: 2, capabilities: {}, channelWeights: [1, -1] }), RangeError);
});

test('blocks with the wrong channel count or unequal lengths are refused', () => {
  const meter = createLoudnessMeter({ sampleRateHz: 44100, channelCount: 2, capabilities: ALL });
  assert.throws(() => meter.addFrames([new Float32Array(10)]), RangeError);
  assert.throws(() => meter.addFrames([new Float32Array(10), new Float32Array(9)]), RangeError);
  assert.throws(() => createLoudnessMeter({ sampleRateHz: 1000, channelCount: 2, capabilities: ALL }), RangeError);
});

test('a non-finite sample never turns into a NaN result', () => {
  const audio = musicLike(44100, 5);
  audio.channels[0][44100 * 2] = Number.NaN;
  audio.channels[1][44100 * 3] = Number.POSITIVE_INFINITY;
  assertNoNaN(measureLoudness(audio, ALL));
});

test.run();
