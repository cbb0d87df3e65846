import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { encodeWarningsHeader, MAX_WARNINGS_HEADER_CHARS } from '../../core/http/warnings-header.ts';
import type { MasteringWarning } from '../../core/mastering/warnings.ts';

test('warnings become an RFC 8941 list: codes as tokens, numbers, strings and flags as parameters, messages and nulls left out', () => {
  const warnings: MasteringWarning[] = [
    { code: 'loudness_goal_not_reached', message: 'prose', goal_lufs: -5, reached_lufs: -6.2149, short_by_lu: 1.21, goal_source: 'target_lufs' },
    { code: 'silent_target', message: 'prose', rms_dbfs: null },
    { code: 'reference_band_limited', message: 'prose', reference_index: 2, cutoff_hz: 16000, lossy: true },
  ];
  assert.is(
    encodeWarningsHeader(warnings),
    'loudness_goal_not_reached;goal_lufs=-5;reached_lufs=-6.215;short_by_lu=1.21;goal_source="target_lufs", silent_target, reference_band_limited;reference_index=2;cutoff_hz=16000;lossy=?1',
  );
  assert.is(encodeWarningsHeader([]), null);
});

test('the value stays printable ASCII: other characters in strings become ?, quotes and backslashes are escaped', () => {
  const value = encodeWarningsHeader([{ code: 'silent_reference', message: 'x', note: 'naïve "quoted" \\ text\n' }])!;
  assert.is(value, 'silent_reference;note="na?ve \\"quoted\\" \\\\ text?"');
  assert.match(value, /^[\x20-\x7e]+$/);
});

test('past the length bound items lose their parameters, then trailing items are left out', () => {
  const long = 'x'.repeat(400);
  const many: MasteringWarning[] = Array.from({ length: 4 }, () => ({ code: 'target_clipped', message: 'm', note: long }));
  assert.is(encodeWarningsHeader(many), 'target_clipped, target_clipped, target_clipped, target_clipped');
  const codes = Array.from({ length: 100 }, (): MasteringWarning => ({ code: 'mono_target_stereo_reference', message: 'm' }));
  const value = encodeWarningsHeader(codes)!;
  assert.ok(value.length <= MAX_WARNINGS_HEADER_CHARS, String(value.length));
  assert.ok(value.split(', ').every((item) => item === 'mono_target_stereo_reference'));
});

test.run();
