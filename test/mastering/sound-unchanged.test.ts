// The sound does not change (issue 14). Every case of test/support/sound-cases.ts
// (every fixture pair in every EQ mode, plus preview, two references, de-esser,
// resampling, a 60 s excerpt-refined track and the EQ presets), mastered by the
// code as it is now, stays within 0.05 LU integrated loudness, 0.05 dB true peak
// and 0.05 dB spectral distance to each reference of what master() produced at
// the commit in sound-baseline.json (59f1569, before the streaming rewrite), and
// mastering it twice gives the same WAV bytes. Equal bytes with the baseline are
// not asked: a reordered float sum may move a sample by one 24-bit step.
// Those three figures miss what a block-wise rewrite can get wrong without
// changing loudness, peak or the spectrum's mean distance (a shifted output,
// swapped channels, a flipped polarity, a 0.3 dB shelf), so each case also keeps
// its length, each 1/3-octave band of its own spectrum within 0.05 dB, and a few
// samples that agree with the baseline's beyond a common gain.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync } from 'node:fs';
import { hasFfmpeg } from '../support/ffmpeg.ts';
import { ensureFixtures, fixturePath } from '../support/fixtures.ts';
import { probeResidualDb, renderSoundCase, sha256Hex, soundCases, type SoundBaseline, type SoundCase } from '../support/sound-cases.ts';
import { THIRD_OCTAVE_CENTRES } from '../support/spectral-distance.ts';
import { inCi, requireTool } from '../support/tools.ts';

const LOUDNESS_TOLERANCE_LU = 0.05;
const TRUE_PEAK_TOLERANCE_DB = 0.05;
const SPECTRAL_DISTANCE_TOLERANCE_DB = 0.05;
// Each 1/3-octave band of the output's own spectrum (level-normalised): float
// rounding moves them by under 0.001 dB, a 0.3 dB shelf by 0.2–0.3 dB.
const BAND_LEVEL_TOLERANCE_DB = 0.05;
// Float rounding leaves the probe's residual near −130 dB (the JavaScript kernels
// against the SIMD ones), a 10 % longer limiter release −45 to −55 dB (over the
// whole output); a shift by one sample, swapped channels or a flipped polarity
// −14 dB or more.
const PROBE_RESIDUAL_LIMIT_DB = -40;

const baseline = JSON.parse(readFileSync(new URL('./sound-baseline.json', import.meta.url), 'utf8')) as SoundBaseline;
const baselineCommit = baseline.commit.slice(0, 7);

function assertWithin(actual: number | null, expected: number | null, tolerance: number, what: string): void {
  if (actual === null || expected === null) {
    assert.is(actual, expected, `${what}: ${actual} vs ${expected} at ${baselineCommit}`);
    return;
  }
  assert.ok(Math.abs(actual - expected) <= tolerance, `${what}: ${actual.toFixed(4)} vs ${expected.toFixed(4)} at ${baselineCommit} (tolerance ${tolerance})`);
}

/** Whether the fixture audio is the audio the baseline was measured on (same generator and Debian packages). */
function sameInputs(): boolean {
  const changed = Object.entries(baseline.inputSha256).filter(([path, sha]) => sha256Hex(readFileSync(fixturePath(path))) !== sha).map(([path]) => path);
  if (changed.length === 0) return true;
  const why = `sound unchanged: fixture audio differs from the baseline's (${changed.join(', ')}); record a new baseline at ${baselineCommit} with bench/sound-baseline.ts`;
  if (inCi) throw new Error(why);
  console.log(`skip: ${why}`);
  return false;
}

if (requireTool('ffmpeg', hasFfmpeg(), 'sound unchanged') && sameInputs()) {
  const cases = soundCases(ensureFixtures());

  test('the baseline holds exactly the cases mastered here, as they are defined here', () => {
    const definitions = (list: readonly SoundCase[]) => JSON.parse(JSON.stringify(list.map(({ id, target, references, options, loopSeconds }) => ({ id, target, references, options, loopSeconds }))));
    assert.equal(definitions(cases), definitions(Object.values(baseline.cases)));
  });

  for (const soundCase of cases) {
    test(`${soundCase.id}: within 0.05 LU, 0.05 dB true peak and 0.05 dB spectral distance of ${baselineCommit}, in time with it, and a repeat gives the same bytes`, async () => {
      const expected = baseline.cases[soundCase.id];
      const first = await renderSoundCase(soundCase);
      assert.is(first.frames, expected.frames, 'output length');
      assert.is(first.waveformProbe.length, expected.waveformProbe.length, 'output channels');
      assertWithin(first.integratedLufs, expected.integratedLufs, LOUDNESS_TOLERANCE_LU, 'integrated LUFS');
      assertWithin(first.truePeakDbtp, expected.truePeakDbtp, TRUE_PEAK_TOLERANCE_DB, 'true peak dBTP');
      assert.is(first.spectralDistanceDb.length, expected.spectralDistanceDb.length);
      first.spectralDistanceDb.forEach((distance, i) => assertWithin(distance, expected.spectralDistanceDb[i], SPECTRAL_DISTANCE_TOLERANCE_DB, `spectral distance to reference ${i + 1} (dB)`));
      assert.is(first.bandLevelsDb.length, expected.bandLevelsDb.length);
      first.bandLevelsDb.forEach((level, i) => assertWithin(level, expected.bandLevelsDb[i], BAND_LEVEL_TOLERANCE_DB, `${Math.round(THIRD_OCTAVE_CENTRES[i])} Hz 1/3-octave level (dB)`));
      const residualDb = probeResidualDb(first.waveformProbe, expected.waveformProbe);
      assert.ok(residualDb <= PROBE_RESIDUAL_LIMIT_DB, `waveform probe differs from ${baselineCommit}'s beyond a gain by ${residualDb.toFixed(1)} dB (limit ${PROBE_RESIDUAL_LIMIT_DB} dB): shifted in time, channels swapped or polarity flipped?`);
      const second = await renderSoundCase(soundCase);
      assert.ok(Buffer.from(first.wav).equals(Buffer.from(second.wav)), `a second render differs (${first.wavSha256} then ${second.wavSha256})`);
    });
  }
}

test.run();
