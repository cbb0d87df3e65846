/**
 * Uploads that trigger each mastering warning (and a clean pair that
 * triggers none), made at test time from the indie_pop fixtures: 8 s of each,
 * encoded as 24-bit WAV (no dither, so full-scale samples stay full scale).
 */
import type { PcmAudio } from '../../core/audio/pcm.ts';
import { resampleChannel } from '../../core/audio/resample.ts';
import { encodeWav } from '../../core/audio/wav-encode.ts';
import { clippedCopy, loadFixture, lowPassed, monoFold, sectioned, silence } from './test-material.ts';

const SECONDS = 8;

const trimmed = (audio: PcmAudio): PcmAudio => ({
  sampleRateHz: audio.sampleRateHz,
  channels: audio.channels.map((samples) => samples.slice(0, SECONDS * audio.sampleRateHz)),
});
const wav = (audio: PcmAudio) => encodeWav(audio, { bitDepth: 24 });

export interface WarningMaterial {
  readonly cleanTarget: Uint8Array;
  readonly cleanReference: Uint8Array;
  /** Overdriven by 12 dB and clipped: `target_clipped`. */
  readonly clippedTarget: Uint8Array;
  /** 16th-order low-pass at 11 kHz: `reference_band_limited`. */
  readonly bandLimitedReference: Uint8Array;
  /** Mono, sections 9 dB apart (a -5 LUFS goal is out of reach): `mono_target_stereo_reference`, `loudness_goal_not_reached`. */
  readonly dynamicMonoTarget: Uint8Array;
  /** Resampled to 22.05 kHz: `reference_low_sample_rate` for a 44.1 kHz target. */
  readonly lowRateReference: Uint8Array;
  readonly silence: Uint8Array;
}

/** Builds every upload once (about a second). */
export async function buildWarningMaterial(): Promise<WarningMaterial> {
  const target = trimmed(await loadFixture('indie_pop/target.wav'));
  const reference = trimmed(await loadFixture('indie_pop/reference.wav'));
  return {
    cleanTarget: wav(target),
    cleanReference: wav(reference),
    clippedTarget: wav(clippedCopy(target, 12)),
    bandLimitedReference: wav(lowPassed(reference, 11000)),
    dynamicMonoTarget: wav(monoFold(sectioned(target, [-9, 0, -9, 0], 2))),
    lowRateReference: wav({ sampleRateHz: 22050, channels: reference.channels.map((x) => resampleChannel(x, reference.sampleRateHz, 22050)) }),
    silence: wav(silence(44100, 4, 2)),
  };
}

/** The codes of an `X-Mastering-Warnings` value (an RFC 8941 list: items split on commas, parameters on semicolons). */
export function warningHeaderItems(value: string | null): Array<{ code: string; parameters: Record<string, string> }> {
  if (value === null) return [];
  return value.split(/\s*,\s*/).map((item) => {
    const [code, ...parameters] = item.split(';');
    return { code, parameters: Object.fromEntries(parameters.map((parameter) => parameter.split('=') as [string, string])) };
  });
}
