import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { PcmAudio } from '../../core/audio/pcm.ts';
import { resampleChannel } from '../../core/audio/resample.ts';
import { AudoEqError } from '../../core/domain/errors.ts';
import { createRecordingPublisher } from '../../core/domain/events.ts';
import { master, type MasterOptions } from '../../core/mastering/master.ts';
import type { MasteringWarning } from '../../core/mastering/warnings.ts';
import { clippedCopy, loadFixture, lowPassed, monoFold, peakNormalised, sectioned, silence } from '../support/test-material.ts';

const indie = { target: await loadFixture('indie_pop/target.wav'), reference: await loadFixture('indie_pop/reference.wav') };

const codesOf = (warnings: readonly MasteringWarning[]) => warnings.map((warning) => warning.code);
const find = (warnings: readonly MasteringWarning[], code: string) => warnings.find((warning) => warning.code === code);
const resampled = (audio: PcmAudio, toHz: number): PcmAudio => ({ sampleRateHz: toHz, channels: audio.channels.map((x) => resampleChannel(x, audio.sampleRateHz, toHz)) });

function masterWarnings(target: PcmAudio, reference: PcmAudio | PcmAudio[], options: MasterOptions = {}) {
  const events = createRecordingPublisher();
  const result = master(target, reference, { ...options, events });
  return { result, warnings: result.diagnostics.warnings, events: events.events };
}

test('clean material masters without a warning and without a MasteringWarned event', () => {
  const { warnings, events } = masterWarnings(indie.target, indie.reference, { eqMode: 'reference-match' });
  assert.equal(warnings, []);
  assert.not.ok(events.some((event) => event.name === 'MasteringWarned'));
  // A reachable explicit goal does not warn either.
  assert.equal(masterWarnings(indie.target, indie.reference, { goalLufs: -14 }).warnings, []);
});

test('loudness_goal_not_reached: -5 LUFS on dynamic music says how far short the master stays', () => {
  const dynamic = sectioned(indie.target, [-9, 0, -6, 0], 4);
  const { result, warnings, events } = masterWarnings(dynamic, indie.reference, { goalLufs: -5 });
  assert.equal(codesOf(warnings), ['loudness_goal_not_reached']);
  const warning = find(warnings, 'loudness_goal_not_reached')!;
  assert.is(warning.goal_lufs, -5);
  assert.is(warning.reached_lufs, result.diagnostics.output_lufs);
  assert.ok((warning.short_by_lu as number) > 0.5, String(warning.short_by_lu));
  assert.is(warning.goal_source, 'target_lufs');
  assert.match(warning.message, /LU short of the -5 LUFS goal/);
  const warned = events.filter((event) => event.name === 'MasteringWarned');
  assert.is(warned.length, 1);
  assert.equal(warned[0].payload.warnings, warnings);
  assert.is(events.at(-1)!.name, 'MasteringWarned');
});

test('silent_target: a silent target gives a silent master with the warning, no error', () => {
  const { result, warnings } = masterWarnings(silence(44100, 4, 2), indie.reference);
  assert.equal(codesOf(warnings), ['silent_target']);
  for (const samples of result.audio.channels) assert.ok(samples.every((x) => x === 0));
});

test('target_clipped: an overdriven export warns with its clipped runs; a peak touching full scale does not', () => {
  const { warnings } = masterWarnings(clippedCopy(indie.target, 12), indie.reference);
  assert.ok(codesOf(warnings).includes('target_clipped'), JSON.stringify(warnings));
  const warning = find(warnings, 'target_clipped')!;
  assert.ok((warning.clipped_runs as number) >= 10);
  assert.ok((warning.longest_run_samples as number) >= 3);
  assert.ok((warning.clipped_samples as number) >= 3 * (warning.clipped_runs as number));
  const touching = masterWarnings(peakNormalised(indie.target, 1), indie.reference);
  assert.not.ok(codesOf(touching.warnings).includes('target_clipped'));
});

test('reference_band_limited: a reference low-passed like a lossy encode names its cut-off; the full-band one does not', () => {
  const { warnings } = masterWarnings(indie.target, lowPassed(indie.reference, 11000), { eqMode: 'reference-match' });
  assert.equal(codesOf(warnings), ['reference_band_limited']);
  const cutoff = find(warnings, 'reference_band_limited')!.cutoff_hz as number;
  assert.ok(cutoff > 9000 && cutoff < 12500, String(cutoff));
});

test('reference_low_sample_rate: a 22.05 kHz reference for a 44.1 kHz master warns; 48 kHz for 44.1 kHz and 22.05 kHz for 22.05 kHz do not', () => {
  const low = resampled(indie.reference, 22050);
  const { warnings } = masterWarnings(indie.target, low);
  assert.ok(codesOf(warnings).includes('reference_low_sample_rate'), JSON.stringify(warnings));
  const warning = find(warnings, 'reference_low_sample_rate')!;
  assert.is(warning.reference_sample_rate_hz, 22050);
  assert.is(warning.output_sample_rate_hz, 44100);
  assert.not.ok(codesOf(masterWarnings(indie.target, resampled(indie.reference, 48000)).warnings).includes('reference_low_sample_rate'));
  assert.not.ok(codesOf(masterWarnings(resampled(indie.target, 22050), low).warnings).includes('reference_low_sample_rate'));
});

test('mono_target_stereo_reference: a mono target with a stereo reference warns; mono with mono and stereo with stereo do not', () => {
  const mono = monoFold(indie.target);
  const { result, warnings } = masterWarnings(mono, indie.reference);
  assert.equal(codesOf(warnings), ['mono_target_stereo_reference']);
  assert.is(find(warnings, 'mono_target_stereo_reference')!.target_channels, 1);
  assert.is(result.audio.channels.length, 1);
  assert.equal(masterWarnings(mono, monoFold(indie.reference)).warnings, []);
});

test('a silent reference without an explicit loudness goal is refused with silent_reference', () => {
  const error = (() => {
    try {
      master(indie.target, silence(44100, 4, 2));
    } catch (caught) {
      return caught;
    }
    return null;
  })();
  assert.instance(error, AudoEqError);
  assert.is((error as AudoEqError).code, 'silent_reference');
  assert.is((error as AudoEqError).status, 422);
  assert.is((error as AudoEqError).details.part, 'reference');
  // Every reference silent is the same error, naming them.
  assert.throws(() => master(indie.target, [silence(44100, 2, 2), silence(48000, 2, 1)]), (e: AudoEqError) => e.code === 'silent_reference' && JSON.stringify(e.details.reference_indices) === '[1,2]');
});

test('a silent reference with target_lufs or loudness_preset masters to that loudness, matches nothing, and warns', () => {
  for (const options of [{ goalLufs: -16 }, { loudnessPreset: 'podcast' as const }]) {
    const { result, warnings } = masterWarnings(indie.target, silence(44100, 4, 2), options);
    assert.equal(codesOf(warnings), ['silent_reference'], JSON.stringify(options));
    assert.equal(result.diagnostics.match, []);
    assert.ok(Math.abs(result.diagnostics.output_lufs! + 16) <= 0.5, String(result.diagnostics.output_lufs));
  }
});

test('a silent reference among several is left out with a warning naming it; the master follows the others', () => {
  const alone = master(indie.target, indie.reference, { eqMode: 'reference-match' });
  const { result, warnings } = masterWarnings(indie.target, [indie.reference, silence(44100, 4, 2)], { eqMode: 'reference-match' });
  assert.equal(codesOf(warnings), ['silent_reference']);
  assert.is(find(warnings, 'silent_reference')!.reference_index, 2);
  assert.is(result.diagnostics.reference_lufs, alone.diagnostics.reference_lufs);
  assert.equal(result.audio.channels, alone.audio.channels);
});

test.run();
