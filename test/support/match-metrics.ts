/**
 * How closely a master matches its reference, measured the way the founders'
 * independent meter does, for tests and the matching bench: loudness, LRA and
 * true peak from real ffmpeg (`ebur128=peak=true`, its Summary), audiogen.py's
 * 1/3-octave spectral distance and smooth-EQ floor (./spectral-distance.ts),
 * side/mid width overall and per band and L/R correlation (./stereo-image.ts).
 * Nothing here uses audo-eq's own meters or analysis.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { PcmAudio } from '../../core/audio/pcm.ts';
import { encodeWav } from '../../core/audio/wav-encode.ts';
import { ffmpegDecode, ffmpegEbur128 } from './ffmpeg.ts';
import { smoothEqFloorFromLevels, spectralDistanceFromLevels, THIRD_OCTAVE_CENTRES, thirdOctavePowers } from './spectral-distance.ts';
import { sideMidByBandDb, sideMidDb, stereoCorrelation, type StereoCorrelation, type WidthByBandDb } from './stereo-image.ts';

export { THIRD_OCTAVE_CENTRES } from './spectral-distance.ts';
export { WIDTH_BANDS_HZ, type WidthBand, type WidthByBandDb, type StereoCorrelation } from './stereo-image.ts';

/** Every figure of one track; plain JSON (null where a figure does not exist). */
export interface TrackMetrics {
  sampleRateHz: number;
  channels: number;
  durationSeconds: number;
  /** ffmpeg ebur128 Summary: integrated loudness (LUFS), loudness range (LU), true peak (dBTP); null for −inf. */
  integratedLufs: number | null;
  loudnessRangeLu: number | null;
  truePeakDbtp: number | null;
  /** Side/mid energy ratio over the whole track (dB), null for mono. */
  sideMidDb: number | null;
  /** Side/mid ratio per band (dB), null for mono. */
  widthDb: WidthByBandDb | null;
  correlation: StereoCorrelation | null;
  /** Level-normalised 1/3-octave levels (dB, sum to 0 dB) at {@link THIRD_OCTAVE_CENTRES}; null above Nyquist. */
  bandLevelsDb: Array<number | null>;
  /** Mean-square power of the mono mix per 1/3-octave band, dB re full scale (a full-scale sine reads −3.01 dB); null above Nyquist. */
  bandPowersDb: Array<number | null>;
}

const toJson = (values: number[]) => values.map((v) => (Number.isNaN(v) ? null : v));
const fromJson = (values: ReadonlyArray<number | null>) => values.map((v) => (v === null ? NaN : v));

function measureSpectrumAndImage(audio: PcmAudio): Omit<TrackMetrics, 'integratedLufs' | 'loudnessRangeLu' | 'truePeakDbtp'> {
  const powers = thirdOctavePowers(audio);
  const total = powers.reduce((sum, p) => (Number.isNaN(p) ? sum : sum + p), 0);
  return {
    sampleRateHz: audio.sampleRateHz,
    channels: audio.channels.length,
    durationSeconds: audio.channels[0].length / audio.sampleRateHz,
    sideMidDb: sideMidDb(audio),
    widthDb: sideMidByBandDb(audio),
    correlation: stereoCorrelation(audio),
    bandLevelsDb: toJson(powers.map((p) => 10 * Math.log10(p / total))),
    // audiogen.py's band powers count one side of the spectrum only: ×2 is the signal's mean square.
    bandPowersDb: toJson(powers.map((p) => 10 * Math.log10(2 * p))),
  };
}

/**
 * Measures a file of any format ffmpeg reads (decoded by ffmpeg at its own rate).
 *
 * @example const output = measureTrackFile('/tmp/master.wav');
 */
export function measureTrackFile(path: string): TrackMetrics {
  const loudness = ffmpegEbur128(path);
  return { ...measureSpectrumAndImage(ffmpegDecode(path)), ...loudness };
}

/**
 * Measures decoded PCM; ffmpeg meters it from a temporary 32-bit float WAV
 * (exactly the samples given, no requantisation).
 *
 * @example const output = measureTrackAudio(result.audio);
 */
export function measureTrackAudio(audio: PcmAudio): TrackMetrics {
  const dir = mkdtempSync(join(tmpdir(), 'audo-eq-match-metrics-'));
  try {
    const path = join(dir, 'track.wav');
    writeFileSync(path, encodeWav(audio, { bitDepth: 32 }));
    return { ...measureSpectrumAndImage(audio), ...ffmpegEbur128(path) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** audiogen.py's `spectral_distance` between two measured tracks (dB, mean over common 1/3-octave bands). */
export function spectralDistance(a: TrackMetrics, b: TrackMetrics): number {
  return spectralDistanceFromLevels(fromJson(a.bandLevelsDb), fromJson(b.bandLevelsDb));
}

/** audiogen.py's `smooth_eq_floor` from `a` towards `b` (dB): what no half-octave-smooth EQ can remove. */
export function smoothEqFloor(a: TrackMetrics, b: TrackMetrics): number {
  return smoothEqFloorFromLevels(fromJson(a.bandLevelsDb), fromJson(b.bandLevelsDb));
}

/**
 * Level-normalised level (dB) of the 1/3-octave bands whose centres lie in
 * [loHz, hiHz), power-summed; null when none of them is below Nyquist. The
 * top octave is `bandRangeLevelDb(m, 8000, 16001)` (bands 10, 12.5, 16 kHz).
 *
 * @example const topBoostDb = bandRangeLevelDb(output, 8000, 16001)! - bandRangeLevelDb(target, 8000, 16001)!;
 */
export function bandRangeLevelDb(metrics: TrackMetrics, loHz: number, hiHz: number): number | null {
  let power = 0;
  let counted = 0;
  THIRD_OCTAVE_CENTRES.forEach((centre, i) => {
    const level = metrics.bandLevelsDb[i];
    if (centre >= loHz && centre < hiHz && level !== null) {
      power += Math.pow(10, level / 10);
      counted++;
    }
  });
  return counted ? 10 * Math.log10(power) : null;
}

/** How far a track is from its reference on each judged dimension (signed: track − reference). */
export interface MatchComparison {
  spectralDistanceDb: number;
  smoothEqFloorDb: number;
  /** Side/mid above 200 Hz, track − reference (dB); null when either is mono. */
  widthAbove200ErrorDb: number | null;
  loudnessRangeErrorLu: number | null;
  loudnessErrorLu: number | null;
  truePeakDbtp: number | null;
}

/**
 * Compares a track (a master, or its target before mastering) with the reference.
 *
 * @example const { spectralDistanceDb } = compareToReference(measureTrackFile(out), measureTrackFile(ref));
 */
export function compareToReference(track: TrackMetrics, reference: TrackMetrics): MatchComparison {
  const difference = (a: number | null | undefined, b: number | null | undefined) => (a == null || b == null ? null : a - b);
  return {
    spectralDistanceDb: spectralDistance(track, reference),
    smoothEqFloorDb: smoothEqFloor(track, reference),
    widthAbove200ErrorDb: difference(track.widthDb?.above200, reference.widthDb?.above200),
    loudnessRangeErrorLu: difference(track.loudnessRangeLu, reference.loudnessRangeLu),
    loudnessErrorLu: difference(track.integratedLufs, reference.integratedLufs),
    truePeakDbtp: track.truePeakDbtp,
  };
}
