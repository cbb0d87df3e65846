import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { PcmAudio } from '../../core/audio/pcm.ts';
import { toneSequence } from './ebu-signals.ts';
import { hasFfmpeg } from './ffmpeg.ts';
import { ffmpeg } from './ffmpeg-meter.ts';
import { ensureFixtures, fixturePath } from './fixtures.ts';
import { bandRangeLevelDb, compareToReference, measureTrackAudio, measureTrackFile, THIRD_OCTAVE_CENTRES } from './match-metrics.ts';
import { requireTool } from './tools.ts';

const near = (actual: number | null | undefined, expected: number, tolerance: number, what: string) =>
  assert.ok(actual != null && Math.abs(actual - expected) <= tolerance, `${what}: ${actual} vs ${expected}`);

if (requireTool('ffmpeg', hasFfmpeg(), 'match metrics')) {
  const dir = mkdtempSync(join(tmpdir(), 'audo-eq-match-metrics-test-'));

  test('loudness, loudness range and true peak are ffmpeg ebur128 figures (EBU Tech 3341 case 1, Tech 3342 case 1)', () => {
    const steady = measureTrackAudio(toneSequence(48000, [{ seconds: 20, dbfs: -23 }]));
    near(steady.integratedLufs, -23, 0.1, 'I of a -23 dBFS 1 kHz stereo sine');
    near(steady.truePeakDbtp, -23, 0.2, 'true peak');
    const stepped = measureTrackAudio(toneSequence(48000, [{ seconds: 20, dbfs: -20 }, { seconds: 20, dbfs: -30 }]));
    near(stepped.loudnessRangeLu, 10, 1, 'LRA of 20 s at -20 then 20 s at -30 dBFS');
  });

  test('a file and its decoded samples give the same figures', () => {
    ensureFixtures();
    const path = fixturePath('indie_pop/reference.wav');
    const fromFile = measureTrackFile(path);
    const copy = join(dir, 'copy.wav');
    ffmpeg(['-i', path, '-c:a', 'pcm_f32le', copy]);
    const again = measureTrackFile(copy);
    assert.equal(again.bandLevelsDb, fromFile.bandLevelsDb);
    assert.equal(again.widthDb, fromFile.widthDb);
    assert.is(again.integratedLufs, fromFile.integratedLufs);
    assert.is(fromFile.sampleRateHz, 44100);
    assert.is(fromFile.channels, 2);
    near(fromFile.durationSeconds, 10, 0.01, 'duration');
  });

  test('band powers are absolute (a full-scale-relative sine reads its mean square in its band) and band levels sum to 0 dB', () => {
    const sine = measureTrackAudio(toneSequence(44100, [{ seconds: 5, dbfs: -6 }], 1));
    const kHz = THIRD_OCTAVE_CENTRES.indexOf(1000);
    near(sine.bandPowersDb[kHz], -6 - 3.01, 0.05, '1 kHz band power of a -6 dBFS sine');
    const total = sine.bandLevelsDb.reduce<number>((sum, level) => sum + (level === null ? 0 : Math.pow(10, level / 10)), 0);
    near(10 * Math.log10(total), 0, 1e-9, 'sum of band levels');
    assert.is(sine.widthDb, null, 'mono has no width');
  });

  test('the top octave of a low-passed copy reads far below the original and the rest stays put', () => {
    ensureFixtures();
    const path = fixturePath('indie_pop/reference.wav');
    const lowPassed = join(dir, 'low-passed.wav');
    ffmpeg(['-i', path, '-af', 'lowpass=f=5000:poles=2,lowpass=f=5000:poles=2', '-c:a', 'pcm_f32le', lowPassed]);
    const original = measureTrackFile(path);
    const dull = measureTrackFile(lowPassed);
    const topDrop = bandRangeLevelDb(dull, 8000, 16001)! - bandRangeLevelDb(original, 8000, 16001)!;
    assert.ok(topDrop < -10, `top octave change ${topDrop.toFixed(2)} dB`);
    const lowMidChange = bandRangeLevelDb(dull, 100, 1000)! - bandRangeLevelDb(original, 100, 1000)!;
    // Normalised levels: the low-mids gain what the top lost in share, a fraction of a dB.
    assert.ok(Math.abs(lowMidChange) < 1, `100 Hz-1 kHz change ${lowMidChange.toFixed(2)} dB`);
  });

  test('compared with itself a track has no error on any dimension; quieter, narrowed and tilted copies each show theirs', () => {
    ensureFixtures();
    const path = fixturePath('indie_pop/reference.wav');
    const reference = measureTrackFile(path);
    const same = compareToReference(reference, reference);
    assert.equal(same, { spectralDistanceDb: 0, smoothEqFloorDb: 0, widthAbove200ErrorDb: 0, loudnessRangeErrorLu: 0, loudnessErrorLu: 0, truePeakDbtp: reference.truePeakDbtp });
    const variant = (name: string, filter: string) => {
      const out = join(dir, `${name}.wav`);
      ffmpeg(['-i', path, '-af', filter, '-c:a', 'pcm_f32le', out]);
      return compareToReference(measureTrackFile(out), reference);
    };
    const quieter = variant('quieter', 'volume=-6dB');
    near(quieter.loudnessErrorLu, -6, 0.15, 'loudness error');
    near(quieter.loudnessRangeErrorLu, 0, 0.15, 'loudness range error');
    near(quieter.widthAbove200ErrorDb, 0, 0.01, 'width error of a gain change');
    near(quieter.spectralDistanceDb, 0, 0.01, 'spectral distance of a gain change');
    // side x 0.25: side/mid 12 dB lower in every band.
    const narrow = variant('narrow', 'stereotools=slev=0.25');
    near(narrow.widthAbove200ErrorDb, -12.04, 0.1, 'width error');
    const tilted = variant('tilted', 'treble=g=6:f=3000');
    assert.ok(tilted.spectralDistanceDb > 1.5, `spectral distance ${tilted.spectralDistanceDb}`);
    // A shelf is what a smooth EQ removes: the floor stays well under the distance.
    assert.ok(tilted.smoothEqFloorDb < 0.5 * tilted.spectralDistanceDb, `floor ${tilted.smoothEqFloorDb} vs ${tilted.spectralDistanceDb}`);
  });

  test('PCM with peaks over full scale is measured as given (float WAV, no clipping)', () => {
    const loud: PcmAudio = toneSequence(48000, [{ seconds: 5, dbfs: 3 }]);
    const metrics = measureTrackAudio(loud);
    near(metrics.truePeakDbtp, 3, 0.2, 'true peak of a +3 dBFS sine');
  });
}

test.run();
