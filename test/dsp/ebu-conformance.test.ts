// EBU Tech 3341 (cases 1–6, 9–19) and Tech 3342 (cases 1–4), generated in code
// at 48 kHz, 44.1 kHz and an odd 69,313 Hz; the cases and tolerances are those
// of test/dsp/ebu-loudness-cases.md (vendored from the shared conformance file).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { PcmAudio } from '../../core/audio/pcm.ts';
import { createLoudnessMeter, type LoudnessCapabilities, type LoudnessResult } from '../../core/dsp/loudness.ts';
import { burstInSilence, perChannelTone, phasedSine, repeatSegments, toneSequence } from '../support/ebu-signals.ts';

const RATES_HZ = [48000, 44100, 69313];
const LOUDNESS_TOLERANCE_LU = 0.1;
const LRA_TOLERANCE_LU = 1;

/** Meters `audio` in 4,099-frame blocks (an odd size, so block edges never line up with anything). */
function meter(audio: PcmAudio, capabilities: LoudnessCapabilities): LoudnessResult {
  const m = createLoudnessMeter({ sampleRateHz: audio.sampleRateHz, channelCount: audio.channels.length, capabilities });
  const frames = audio.channels[0].length;
  for (let start = 0; start < frames; start += 4099) m.addFrames(audio.channels.map((c) => c.subarray(start, start + 4099)));
  return m.result();
}

function assertWithin(actual: number | null, expected: number, below: number, above: number, what: string): void {
  assert.ok(actual !== null && Number.isFinite(actual), `${what}: got ${actual}`);
  assert.ok(actual! >= expected - below && actual! <= expected + above, `${what}: ${actual!.toFixed(3)} not within ${expected} -${below}/+${above}`);
}

const within = (actual: number | null, expected: number, what: string) =>
  assertWithin(actual, expected, LOUDNESS_TOLERANCE_LU, LOUDNESS_TOLERANCE_LU, what);

/** Every value of a 100 ms series from `fromSeconds` on (element i ends at firstEnd + 0.1·i s). */
function seriesFrom(series: Float32Array, firstEndSeconds: number, fromSeconds: number): Float32Array {
  return series.subarray(Math.max(0, Math.ceil((fromSeconds - firstEndSeconds) * 10 - 1e-9)));
}

const implemented = { 3341: new Set<number>(), 3342: new Set<number>() };

for (const fs of RATES_HZ) {
  const at = `at ${fs} Hz`;

  implemented[3341].add(1).add(2);
  for (const [caseNo, level] of [[1, -23], [2, -33]] as const) {
    test(`Tech 3341 case ${caseNo} ${at}: 20 s of 1 kHz at ${level} dBFS reads ${level} LUFS momentary, short-term and integrated`, () => {
      const r = meter(toneSequence(fs, [{ seconds: 20, dbfs: level }]), { integrated: true, momentary: true, shortTerm: true });
      within(r.integratedLufs, level, 'I');
      within(r.momentaryMaxLufs, level, 'max M');
      within(r.shortTermMaxLufs, level, 'max S');
      for (const m of seriesFrom(r.momentaryLufs!, 0.4, 0.4)) within(m, level, 'M');
      for (const s of seriesFrom(r.shortTermLufs!, 3, 3)) within(s, level, 'S');
    });
  }

  implemented[3341].add(3).add(4).add(5);
  const gatingCases: Array<[number, string, Array<[number, number]>]> = [
    [3, 'the relative gate', [[10, -36], [60, -23], [10, -36]]],
    [4, 'the absolute gate', [[10, -72], [10, -36], [60, -23], [10, -36], [10, -72]]],
    [5, 'level steps', [[20, -26], [20.1, -20], [20, -26]]],
  ];
  for (const [caseNo, what, parts] of gatingCases) {
    test(`Tech 3341 case ${caseNo} ${at}: ${what} brings integrated loudness to -23.0 LUFS`, () => {
      const r = meter(toneSequence(fs, parts.map(([seconds, dbfs]) => ({ seconds, dbfs }))), { integrated: true });
      within(r.integratedLufs, -23, 'I');
    });
  }

  implemented[3341].add(6);
  test(`Tech 3341 case 6 ${at}: 5.0 channels with surrounds weighted 1.41 read -23.0 LUFS`, () => {
    const r = meter(perChannelTone(fs, 20, [-28, -28, -24, -30, -30]), { integrated: true });
    within(r.integratedLufs, -23, 'I');
  });

  implemented[3341].add(9);
  test(`Tech 3341 case 9 ${at}: alternating 1.34 s / 1.66 s tones hold short-term loudness at -23.0 after 3 s`, () => {
    const audio = toneSequence(fs, repeatSegments([{ seconds: 1.34, dbfs: -20 }, { seconds: 1.66, dbfs: -30 }], 5));
    const r = meter(audio, { shortTerm: true });
    within(r.shortTermMaxLufs, -23, 'max S');
    const values = seriesFrom(r.shortTermLufs!, 3, 3);
    assert.ok(values.length >= 100);
    for (const s of values) within(s, -23, 'S');
  });

  implemented[3341].add(12);
  test(`Tech 3341 case 12 ${at}: alternating 0.18 s / 0.22 s tones hold momentary loudness at -23.0 after 1 s`, () => {
    const audio = toneSequence(fs, repeatSegments([{ seconds: 0.18, dbfs: -20 }, { seconds: 0.22, dbfs: -30 }], 25));
    const r = meter(audio, { momentary: true });
    within(r.momentaryMaxLufs, -23, 'max M');
    const values = seriesFrom(r.momentaryLufs!, 0.4, 1);
    assert.ok(values.length >= 85);
    for (const m of values) within(m, -23, 'M');
  });

  // Offsets step by 17.3 ms: twenty bursts meet the 10 ms and 100 ms grids at every alignment.
  const offsets = Array.from({ length: 20 }, (_, k) => 0.5 + 0.0173 * k);
  const levels = Array.from({ length: 20 }, (_, k) => -38 + k);

  implemented[3341].add(10).add(11);
  test(`Tech 3341 case 10 ${at}: a 3 s burst at -23 dBFS reads max short-term -23.0 at any offset`, () => {
    for (const offset of offsets) {
      within(meter(burstInSilence(fs, offset, 3, -23), { shortTerm: true }).shortTermMaxLufs, -23, `offset ${offset.toFixed(4)} s`);
    }
  });
  test(`Tech 3341 case 11 ${at}: 3 s bursts from -38 to -19 dBFS read their own level as max short-term`, () => {
    levels.forEach((level, k) => {
      within(meter(burstInSilence(fs, offsets[k], 3, level), { shortTerm: true }).shortTermMaxLufs, level, `burst at ${level} dBFS`);
    });
  });

  implemented[3341].add(13).add(14);
  test(`Tech 3341 case 13 ${at}: a 0.4 s burst at -23 dBFS reads max momentary -23.0 at any offset`, () => {
    for (const offset of offsets) {
      within(meter(burstInSilence(fs, offset, 0.4, -23), { momentary: true }).momentaryMaxLufs, -23, `offset ${offset.toFixed(4)} s`);
    }
  });
  test(`Tech 3341 case 14 ${at}: 0.4 s bursts from -38 to -19 dBFS read their own level as max momentary`, () => {
    levels.forEach((level, k) => {
      within(meter(burstInSilence(fs, offsets[k], 0.4, level), { momentary: true }).momentaryMaxLufs, level, `burst at ${level} dBFS`);
    });
  });

  implemented[3341].add(15).add(16).add(17).add(18).add(19);
  const truePeakCases: Array<[number, number, number, number, number]> = [
    // case, fraction of fs, phase (degrees), amplitude, expected dBTP
    [15, 4, 0, 0.5, -6],
    [16, 4, 45, 0.5, -6],
    [17, 6, 60, 0.5, -6],
    [18, 8, 67.5, 0.5, -6],
    [19, 4, 45, 1.41, 3],
  ];
  for (const [caseNo, divisor, phase, amplitude, expected] of truePeakCases) {
    test(`Tech 3341 case ${caseNo} ${at}: a sine at fs/${divisor}, phase ${phase}°, amplitude ${amplitude} reads ${expected} dBTP`, () => {
      const r = meter(phasedSine(fs, fs / divisor, phase, amplitude), { truePeak: true });
      assertWithin(r.truePeakDbtp, expected, 0.4, 0.2, 'TP');
      for (const channel of r.truePeakPerChannelDbtp!) assertWithin(channel, expected, 0.4, 0.2, 'TP per channel');
    });
  }

  const rangeCases: Array<[number, number[], number]> = [
    [1, [-20, -30], 10],
    [2, [-20, -15], 5],
    [3, [-40, -20], 20],
    [4, [-50, -35, -20, -35, -50], 15],
  ];
  for (const [caseNo, parts, expected] of rangeCases) {
    implemented[3342].add(caseNo);
    test(`Tech 3342 case ${caseNo} ${at}: 20 s segments at ${parts.join(', ')} dBFS give a loudness range of ${expected} LU`, () => {
      const r = meter(toneSequence(fs, parts.map((dbfs) => ({ seconds: 20, dbfs }))), { loudnessRange: true });
      assertWithin(r.loudnessRangeLu, expected, LRA_TOLERANCE_LU, LRA_TOLERANCE_LU, 'LRA');
    });
  }
}

test('every synthetic case listed in the conformance file has a test above', () => {
  const text = readFileSync(join(dirname(fileURLToPath(import.meta.url)), 'ebu-loudness-cases.md'), 'utf8');
  const section = (title: string) => text.split(/^## /m).find((s) => s.startsWith(title)) ?? '';
  const cases = (body: string) => [...body.matchAll(/^\| (\d+) \|/gm)].map((m) => Number(m[1])).sort((a, b) => a - b);
  assert.equal(cases(section('Tech 3341')), [...implemented[3341]].sort((a, b) => a - b));
  assert.equal(cases(section('Tech 3342')), [...implemented[3342]].sort((a, b) => a - b));
});

test.run();
