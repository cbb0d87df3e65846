/**
 * Stereo width as the side's energy against the mid's, per frequency band:
 * with M = (L + R) / 2 and S = (L − R) / 2, side/mid = E[S²] / E[M²]. It is
 * −∞ dB for mono, 0 dB when the channels are uncorrelated, and above 0 dB
 * when they are out of phase; the L/R correlation is (1 − r) / (1 + r) for a
 * side/mid power ratio r, so correlation ≥ 0 exactly when side/mid ≤ 0 dB.
 */
import { bandPower, createSpectrumTap, type SpectrumAnalysis } from './spectrum.ts';
import type { StreamTap } from './stream-stage.ts';

/**
 * The bands width is measured and matched in. Below about 120 Hz the low end
 * stays mono-compatible (never widened); the others split the body, the
 * presence range and the air.
 */
export const WIDTH_BANDS = [
  // From 20 Hz: a DC offset is not width (and any high-pass removes it).
  { id: 'low', lowHz: 20, highHz: 120 },
  { id: 'low_mid', lowHz: 120, highHz: 500 },
  { id: 'mid', lowHz: 500, highHz: 4000 },
  { id: 'high', lowHz: 4000, highHz: Infinity },
] as const;

export type WidthBandId = (typeof WIDTH_BANDS)[number]['id'];

/** Side/mid ratio below which a pair counts as mono (dither-level differences). */
export const MONO_SIDE_TO_MID_DB = -40;

export interface StereoWidth {
  /** Side/mid power ratio per {@link WIDTH_BANDS} band (dB; null where the mid has no energy). */
  readonly bandsDb: Readonly<Record<WidthBandId, number | null>>;
  /** Side/mid above 200 Hz (dB): the figure a listener hears as "width". */
  readonly above200HzDb: number | null;
  /** Mid and side power per band (the long-term spectra's band sums), for combining several tracks. */
  readonly midPower: Readonly<Record<WidthBandId, number>>;
  readonly sidePower: Readonly<Record<WidthBandId, number>>;
}

// The side needs no fine resolution (four broad bands): 100 ms windows without
// overlap read every sample once, about a third of the mid analysis's cost.
const SIDE_WINDOW_SECONDS = 0.1;

const ratioDb = (side: number, mid: number): number | null => (mid > 0 ? 10 * Math.log10(Math.max(side, 1e-30) / mid) : null);

/**
 * Width of a stereo pair from its mid spectrum (the analysis's mono-mix
 * spectrum) and a side spectrum computed here. Null for anything but two channels.
 *
 * @example const width = measureStereoWidth(audio.channels, audio.sampleRateHz, analysis.spectrum);
 */
export function measureStereoWidth(channels: readonly Float32Array[], sampleRateHz: number, mid: SpectrumAnalysis): StereoWidth | null {
  if (channels.length !== 2) return null;
  const side = sideSpectrumTap(sampleRateHz, channels[0].length);
  side.push(channels);
  return widthFromSpectra(mid, side.result());
}

/**
 * The side spectrum {@link measureStereoWidth} takes of a stereo pair of
 * `length` frames, fed in blocks of any size: with the mid spectrum, that
 * makes the width ({@link widthFromSpectra}).
 *
 * @example const side = sideSpectrumTap(44100, source.length); side.push(block); ...; widthFromSpectra(mid, side.result());
 */
export function sideSpectrumTap(sampleRateHz: number, length: number): StreamTap<SpectrumAnalysis> {
  return createSpectrumTap(2, sampleRateHz, length, { mix: 'side', windowSeconds: SIDE_WINDOW_SECONDS, overlap: 0 });
}

/**
 * The mid spectrum {@link stereoWidthTap} takes beside {@link sideSpectrumTap}
 * (at the side's resolution): the two can be taken apart, on two threads, and
 * joined by {@link widthFromSpectra} into the same width.
 *
 * @example const width = widthFromSpectra(mid.result(), side.result());
 */
export function midSpectrumTap(sampleRateHz: number, length: number): StreamTap<SpectrumAnalysis> {
  return createSpectrumTap(2, sampleRateHz, length, { windowSeconds: SIDE_WINDOW_SECONDS, overlap: 0 });
}

/**
 * {@link measureStereoWidthOf} of a track of `length` frames fed in blocks of
 * any size (the render measures width on the way through). Null unless
 * `channelCount` is 2; the frames of other layouts are not looked at.
 *
 * @example const tap = stereoWidthTap(44100, length); tap.push(block); ...; tap.result()?.above200HzDb
 */
export function stereoWidthTap(sampleRateHz: number, length: number, channelCount = 2): StreamTap<StereoWidth | null> {
  if (channelCount !== 2) return { push() {}, result: () => null };
  const mid = midSpectrumTap(sampleRateHz, length);
  const side = sideSpectrumTap(sampleRateHz, length);
  let width: StereoWidth | null = null;
  return {
    push(frames) {
      mid.push(frames);
      side.push(frames);
    },
    result: () => (width ??= widthFromSpectra(mid.result(), side.result())),
  };
}

/**
 * Width of a stereo pair measured on its own (mid and side both at the side's
 * coarse resolution): what a master came out as. Null unless stereo.
 *
 * @example measureStereoWidthOf(output.channels, 44100)?.bandsDb.high
 */
export function measureStereoWidthOf(channels: readonly Float32Array[], sampleRateHz: number): StereoWidth | null {
  const tap = stereoWidthTap(sampleRateHz, channels.length ? channels[0].length : 0, channels.length);
  tap.push(channels);
  return tap.result();
}

/** {@link StereoWidth} from long-term mid and side spectra (any resolutions). */
export function widthFromSpectra(mid: SpectrumAnalysis, side: SpectrumAnalysis): StereoWidth {
  const midPower = {} as Record<WidthBandId, number>;
  const sidePower = {} as Record<WidthBandId, number>;
  for (const band of WIDTH_BANDS) {
    midPower[band.id] = bandPower(mid.longTermPower, mid.binHz, band.lowHz, band.highHz);
    sidePower[band.id] = bandPower(side.longTermPower, side.binHz, band.lowHz, band.highHz);
  }
  const above200 = (spectrum: SpectrumAnalysis) => bandPower(spectrum.longTermPower, spectrum.binHz, 200, Infinity);
  return widthFromBandPowers(midPower, sidePower, ratioDb(above200(side), above200(mid)));
}

/** {@link StereoWidth} from band powers (also how several references combine). */
export function widthFromBandPowers(
  midPower: Readonly<Record<WidthBandId, number>>,
  sidePower: Readonly<Record<WidthBandId, number>>,
  above200HzDb: number | null,
): StereoWidth {
  const bandsDb = {} as Record<WidthBandId, number | null>;
  for (const band of WIDTH_BANDS) bandsDb[band.id] = ratioDb(sidePower[band.id], midPower[band.id]);
  return { bandsDb, above200HzDb, midPower: { ...midPower }, sidePower: { ...sidePower } };
}
