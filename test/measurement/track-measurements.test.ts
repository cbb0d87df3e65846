import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { PcmAudio } from '../../core/audio/pcm.ts';
import { measureLoudness } from '../../core/dsp/loudness.ts';
import { THIRD_OCTAVE_CENTRES_HZ } from '../../core/mastering/eq-match.ts';
import { measureTrack } from '../../core/measurement/track-measurements.ts';
import { analysisJson } from '../../core/http/analysis-json.ts';

const KHZ_BAND = THIRD_OCTAVE_CENTRES_HZ.indexOf(1000);

function sine(frequencyHz: number, amplitude: number, seconds: number, sampleRateHz: number, channels = 1): PcmAudio {
  const samples = new Float32Array(Math.round(seconds * sampleRateHz));
  for (let i = 0; i < samples.length; i++) samples[i] = amplitude * Math.sin((2 * Math.PI * frequencyHz * i) / sampleRateHz);
  return { sampleRateHz, channels: Array.from({ length: channels }, () => samples.slice()) };
}

/** Deterministic white noise (xorshift), uniform in [-amplitude, amplitude]. */
function whiteNoise(amplitude: number, seconds: number, sampleRateHz: number): PcmAudio {
  const samples = new Float32Array(Math.round(seconds * sampleRateHz));
  let state = 0x12345678;
  for (let i = 0; i < samples.length; i++) {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    samples[i] = amplitude * ((state >>> 0) / 0xffffffff * 2 - 1);
  }
  return { sampleRateHz, channels: [samples] };
}

test('a 1 kHz sine puts nearly all of its power in the 1 kHz band', () => {
  const { levelsDb } = measureTrack(sine(1000, 0.5, 5, 48000)).spectrum;
  assert.ok(levelsDb[KHZ_BAND]! > -0.1, `1 kHz band at ${levelsDb[KHZ_BAND]} dB`);
  levelsDb.forEach((db, band) => {
    if (Math.abs(band - KHZ_BAND) > 1) assert.ok(db! < -30, `band ${THIRD_OCTAVE_CENTRES_HZ[band]} Hz at ${db} dB`);
  });
});

test('white noise rises 1 dB per band (3 dB per octave): band power follows bandwidth', () => {
  const { levelsDb } = measureTrack(whiteNoise(0.3, 10, 44100)).spectrum;
  const at100 = THIRD_OCTAVE_CENTRES_HZ.findIndex((hz) => hz > 99 && hz < 100);
  for (let band = at100; band < THIRD_OCTAVE_CENTRES_HZ.length && levelsDb[band] !== null; band++) {
    const expectedDb = 10 * Math.log10(THIRD_OCTAVE_CENTRES_HZ[band] / THIRD_OCTAVE_CENTRES_HZ[at100]);
    assert.ok(Math.abs(levelsDb[band]! - levelsDb[at100]! - expectedDb) < 0.75, `band ${THIRD_OCTAVE_CENTRES_HZ[band]} Hz`);
  }
});

test('band shares sum to one over the bands present, and bands past Nyquist are null', () => {
  for (const sampleRateHz of [8000, 32000, 44100, 69313]) {
    const { centresHz, levelsDb } = measureTrack(whiteNoise(0.3, 2, sampleRateHz)).spectrum;
    const total = levelsDb.reduce<number>((sum, db) => sum + (db === null ? 0 : Math.pow(10, db / 10)), 0);
    assert.ok(Math.abs(total - 1) < 1e-9, `${sampleRateHz} Hz: shares sum to ${total}`);
    centresHz.forEach((hz, band) => {
      const pastNyquist = hz * Math.pow(2, 1 / 6) > sampleRateHz / 2;
      assert.is(levelsDb[band] === null, pastNyquist, `${sampleRateHz} Hz, band ${hz} Hz`);
    });
  }
});

test('the level does not change the spectrum: it is level-normalised', () => {
  const quiet = measureTrack(whiteNoise(0.01, 3, 44100)).spectrum.levelsDb;
  const loud = measureTrack(whiteNoise(0.5, 3, 44100)).spectrum.levelsDb;
  quiet.forEach((db, band) => {
    if (db === null) assert.is(loud[band], null);
    else assert.ok(Math.abs(db - loud[band]!) < 1e-6);
  });
});

test('short-term loudness is one value per 100 ms after the first 3 s, and follows a level step', () => {
  const sampleRateHz = 44100;
  const audio = sine(997, 0.05, 10, sampleRateHz, 2);
  // +20 dB from 5 s on.
  for (const channel of audio.channels) for (let i = 5 * sampleRateHz; i < channel.length; i++) channel[i] *= 10;
  const series = measureTrack(audio).shortTermLoudness;
  assert.is(series.windowSeconds, 3);
  assert.is(series.hopSeconds, 0.1);
  assert.is(series.firstEndSeconds, 3);
  assert.is(series.lufs.length, 71);
  const at = (endSeconds: number) => series.lufs[Math.round((endSeconds - series.firstEndSeconds) / series.hopSeconds)];
  // Windows wholly before and wholly after the step differ by the step.
  assert.ok(Math.abs(at(8.5) - at(4.5) - 20) < 0.1, `${at(4.5)} → ${at(8.5)}`);
  // A stationary stretch reads its own loudness, the same as a meter run on that stretch alone.
  const before = { sampleRateHz, channels: audio.channels.map((c) => c.subarray(0, 5 * sampleRateHz)) };
  assert.ok(Math.abs(at(4.5) - measureLoudness(before).integratedLufs!) < 0.05);
});

test('scalar measures come from the meters: a full-scale-relative sine reads its known levels', () => {
  const m = measureTrack(sine(1000, 0.5, 4, 48000, 2));
  assert.ok(Math.abs(m.samplePeakDbfs! - 20 * Math.log10(0.5)) < 0.01);
  assert.ok(Math.abs(m.rmsDbfs! - (20 * Math.log10(0.5) - 3.0103)) < 0.01);
  assert.ok(Math.abs(m.crestFactorDb! - 3.0103) < 0.01);
  // Stereo 1 kHz sine at -6.02 dBFS peak: -3.01 dB RMS per channel, +3.01 for two channels, K-weighting +0.69 at 1 kHz, -0.691 offset.
  assert.ok(Math.abs(m.integratedLufs! - -6.02) < 0.1, `${m.integratedLufs}`);
  assert.is(m.durationSeconds, 4);
  assert.is(m.channelCount, 2);
  assert.is(m.sampleRateHz, 48000);
});

test('silence has no levels: null scalars and bands, short-term windows at minus infinity, and JSON without NaN or Infinity', () => {
  const silence: PcmAudio = { sampleRateHz: 44100, channels: [new Float32Array(44100 * 4), new Float32Array(44100 * 4)] };
  const m = measureTrack(silence);
  assert.is(m.integratedLufs, null);
  assert.is(m.truePeakDbtp, null);
  assert.is(m.samplePeakDbfs, null);
  assert.is(m.crestFactorDb, null);
  assert.ok(m.spectrum.levelsDb.every((db) => db === null));
  assert.ok(m.shortTermLoudness.lufs.length > 0 && m.shortTermLoudness.lufs.every((lufs) => lufs === -Infinity));
  const json = analysisJson({ source: { container: 'wav', codec: 'pcm_s16le', bitDepth: 16 }, measurements: m });
  const text = JSON.stringify(json);
  assert.not.match(text, /NaN|Infinity/);
  const series = json.short_term_loudness as { lufs: unknown[] };
  assert.ok(series.lufs.every((value) => value === null));
  assert.is(json.integrated_lufs, null);
});

test('audio under 3 s has an empty short-term series and, under 400 ms, no integrated loudness', () => {
  const short = measureTrack(sine(440, 0.3, 0.3, 22050));
  assert.is(short.shortTermLoudness.lufs.length, 0);
  assert.is(short.integratedLufs, null);
  assert.is(short.loudnessRangeLu, null);
  assert.ok(short.samplePeakDbfs !== null);
  assert.ok(short.spectrum.levelsDb.some((db) => db !== null));
});

test.run();
