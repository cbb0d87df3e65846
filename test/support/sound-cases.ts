/**
 * The mastering cases whose sound must not change (issue 14: the streaming
 * rewrite keeps every fixture pair in every EQ mode within 0.05 LU, 0.05 dB
 * true peak and 0.05 dB spectral distance of the commit it started from):
 * every fixture pair × every EQ mode at default options, plus one preview, one
 * two-reference, one de-esser, one resampled and one long (excerpt-refined)
 * render and every non-neutral EQ preset. `bench/sound-baseline.ts` records
 * them into test/mastering/sound-baseline.json;
 * test/mastering/sound-unchanged.test.ts masters them again and compares.
 *
 * Measured per case: integrated loudness and true peak of the float output by
 * the repo's own meter (core/dsp/loudness.ts), the 1/3-octave spectral
 * distance to each reference (./spectral-distance.ts, the matching bench's
 * "dist dB") and the output's own 1/3-octave band levels, the SHA-256 of the
 * output encoded as 24-bit WAV, its length and a few of its samples.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { decodeAudio } from '../../core/audio/decode.ts';
import type { PcmAudio } from '../../core/audio/pcm.ts';
import { encodeWav } from '../../core/audio/wav-encode.ts';
import { measureLoudness } from '../../core/dsp/loudness.ts';
import { master, type MasterOptions } from '../../core/mastering/master.ts';
import { EQ_MODES, EQ_PRESETS } from '../../core/mastering/options.ts';
import type { FixtureManifest } from './fixtures.ts';
import { fixturePath } from './fixtures.ts';
import { loopedWav } from './load.ts';
import { spectralDistanceDb, thirdOctaveLevels } from './spectral-distance.ts';

export interface SoundCase {
  readonly id: string;
  /** Fixture paths (relative to the fixture set). */
  readonly target: string;
  readonly references: readonly string[];
  readonly options: MasterOptions;
  /** The target and references looped to this many seconds (past 40 s the chain is refined on excerpts). */
  readonly loopSeconds?: number;
}

/** What one case sounds like; plain JSON. */
export interface SoundFigures {
  readonly frames: number;
  readonly integratedLufs: number | null;
  readonly truePeakDbtp: number | null;
  /** 1/3-octave spectral distance (dB) from the output to each reference, in order. */
  readonly spectralDistanceDb: readonly number[];
  /**
   * The output's level-normalised 1/3-octave band levels (dB, 4 decimals; null
   * above Nyquist): the distance is a mean over 28 bands, so a 0.3 dB shelf
   * moves it by less than 0.05 dB, but moves its bands by 0.2–0.3 dB.
   */
  readonly bandLevelsDb: readonly (number | null)[];
  /** SHA-256 (hex) of the output encoded as 24-bit WAV. */
  readonly wavSha256: string;
  /**
   * {@link WAVEFORM_PROBES} samples of each channel, evenly spread (7 decimals):
   * loudness, peak and spectrum do not see a time shift, swapped channels or a
   * flipped polarity; these samples do.
   */
  readonly waveformProbe: readonly (readonly number[])[];
}

export interface SoundBaseline {
  readonly commit: string;
  readonly simd: boolean;
  readonly note: string;
  /** SHA-256 of each fixture file used: a baseline only says something about the same input audio. */
  readonly inputSha256: Readonly<Record<string, string>>;
  readonly cases: Readonly<Record<string, SoundCase & SoundFigures>>;
}

export const WAVEFORM_PROBES = 64;

/** Where the waveform probe reads a track of `frames` frames. */
function probePositions(frames: number): number[] {
  const count = Math.min(WAVEFORM_PROBES, frames);
  return Array.from({ length: count }, (_, k) => Math.floor(((k + 0.5) * frames) / count));
}

/**
 * How far two waveform probes differ beyond a common gain (dB): the residual
 * energy after scaling `expected` by the best non-negative gain, relative to
 * its energy. A level difference alone gives −∞; a one-sample shift of music
 * about −10 to −25 dB, an inverted polarity 0 dB.
 */
export function probeResidualDb(actual: readonly (readonly number[])[], expected: readonly (readonly number[])[]): number {
  let cross = 0;
  let expectedEnergy = 0;
  for (let c = 0; c < expected.length; c++) {
    for (let i = 0; i < expected[c].length; i++) {
      cross += expected[c][i] * actual[c][i];
      expectedEnergy += expected[c][i] ** 2;
    }
  }
  const gain = expectedEnergy > 0 ? Math.max(0, cross / expectedEnergy) : 0;
  let residual = 0;
  for (let c = 0; c < expected.length; c++) {
    for (let i = 0; i < expected[c].length; i++) residual += (actual[c][i] - gain * expected[c][i]) ** 2;
  }
  if (expectedEnergy === 0) return residual === 0 ? -Infinity : Infinity;
  return 10 * Math.log10(residual / expectedEnergy);
}

export function soundCases(manifest: FixtureManifest): SoundCase[] {
  const cases: SoundCase[] = [];
  for (const pair of manifest.pairs) {
    for (const eqMode of EQ_MODES) {
      cases.push({ id: `${pair.id}/${eqMode}`, target: pair.target.path, references: [pair.reference.path], options: { eqMode } });
    }
  }
  const [music, electronic] = manifest.pairs;
  const match = { eqMode: 'reference-match' } as const;
  cases.push(
    { id: `${music.id}/reference-match/preview`, target: music.target.path, references: [music.reference.path], options: { ...match, preview: true } },
    { id: `${music.id}/reference-match/two-references`, target: music.target.path, references: [music.reference.path, electronic.reference.path], options: match },
    // The synthwave target is harsh: the de-esser works on about 40 % of it (the speech and band targets leave it idle).
    { id: `${electronic.id}/reference-match/de-esser`, target: electronic.target.path, references: [electronic.reference.path], options: { ...match, deEsserMode: 'auto' } },
    { id: `${music.id}/reference-match/48k`, target: music.target.path, references: [music.reference.path], options: { ...match, outputSampleRateHz: 48000 } },
    { id: `${electronic.id}/reference-match/looped-60s`, target: electronic.target.path, references: [electronic.reference.path], options: match, loopSeconds: 60 },
  );
  // Each preset has its own static EQ and, without `profile`, its own profile (conservative, aggressive).
  for (const eqPreset of EQ_PRESETS.filter((preset) => preset !== 'neutral')) {
    cases.push({ id: `${music.id}/fixed/${eqPreset}`, target: music.target.path, references: [music.reference.path], options: { eqMode: 'fixed', eqPreset } });
  }
  return cases;
}

export function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

async function decodeFixture(path: string, loopSeconds: number | undefined): Promise<PcmAudio> {
  const bytes = new Uint8Array(readFileSync(fixturePath(path)));
  return decodeAudio(loopSeconds === undefined ? bytes : loopedWav(bytes, loopSeconds), { filename: path });
}

/** Masters one case through `master()` and measures its output. */
export async function renderSoundCase(soundCase: SoundCase): Promise<SoundFigures & { wav: Uint8Array }> {
  const target = await decodeFixture(soundCase.target, soundCase.loopSeconds);
  const references = await Promise.all(soundCase.references.map((path) => decodeFixture(path, soundCase.loopSeconds)));
  const { audio } = master(target, references.length === 1 ? references[0] : references, soundCase.options);
  const wav = encodeWav(audio, { bitDepth: 24 });
  const { integratedLufs, truePeakDbtp } = measureLoudness(audio, { integrated: true, truePeak: true });
  const positions = probePositions(audio.channels[0].length);
  return {
    frames: audio.channels[0].length,
    integratedLufs,
    truePeakDbtp,
    spectralDistanceDb: references.map((reference) => spectralDistanceDb(audio, reference)),
    bandLevelsDb: thirdOctaveLevels(audio).map((level) => (Number.isNaN(level) ? null : Number(level.toFixed(4)))),
    wavSha256: sha256Hex(wav),
    waveformProbe: audio.channels.map((channel) => positions.map((position) => Number(channel[position].toFixed(7)))),
    wav,
  };
}
