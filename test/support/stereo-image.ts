/**
 * Stereo image measurements for judging width matching, independent of
 * audo-eq's own code: side/mid energy ratio (M = (L+R)/2, S = (L−R)/2) overall
 * in the time domain (audiogen.py's `side_mid_db`) and per band from FFT band
 * energies, and the L/R correlation overall and over 400 ms windows.
 */
import FFT from 'fft.js';
import type { PcmAudio } from '../../core/audio/pcm.ts';

/** The bands width is judged in, [loHz, hiHz). "above200" is the figure issue 13 quotes. */
export const WIDTH_BANDS_HZ = {
  // From 20 Hz: a DC offset (in the mid, and removed by any high-pass) is not stereo width.
  low: [20, 120],
  lowMid: [120, 500],
  mid: [500, 4000],
  high: [4000, Infinity],
  above200: [200, Infinity],
} as const;

export type WidthBand = keyof typeof WIDTH_BANDS_HZ;
export type WidthByBandDb = Record<WidthBand, number>;

/** Added to both energies (as audiogen.py does) so silence and mono give a finite figure (about −200 dB for L = R). */
const ENERGY_FLOOR = 1e-20;

function isStereo(audio: PcmAudio): boolean {
  return audio.channels.length >= 2;
}

/** 10·log10(ΣS² / ΣM²) over the whole track, or null for a mono track (audiogen.py's `side_mid_db`). */
export function sideMidDb(audio: PcmAudio): number | null {
  if (!isStereo(audio)) return null;
  const [left, right] = audio.channels;
  let side = 0;
  let mid = 0;
  for (let i = 0; i < left.length; i++) {
    const m = (left[i] + right[i]) / 2;
    const s = (left[i] - right[i]) / 2;
    mid += m * m;
    side += s * s;
  }
  return 10 * Math.log10((side + ENERGY_FLOOR) / (mid + ENERGY_FLOOR));
}

/** Segment length: 2^ceil(log2(sr/4)), about 4 Hz per bin (16384 at 44.1 and 48 kHz), so the 120 Hz edge is 30 bins up. */
function segmentLength(sampleRateHz: number, frames: number): number {
  const wanted = 1 << Math.ceil(Math.log2(sampleRateHz / 4));
  return Math.min(wanted, 1 << Math.floor(Math.log2(Math.max(frames, 256))));
}

/**
 * Side/mid energy ratio in dB per band of {@link WIDTH_BANDS_HZ}, from Hann-
 * windowed FFT frames (50 % overlap; the last partial frame zero-padded so
 * every sample counts) of M and S, band energies summed over bins; null for
 * a mono track. A band with no energy in M or S reads about −200 dB.
 *
 * @example const { above200 } = sideMidByBandDb(audio)!;
 */
export function sideMidByBandDb(audio: PcmAudio): WidthByBandDb | null {
  if (!isStereo(audio)) return null;
  const [left, right] = audio.channels;
  const frames = left.length;
  const segment = segmentLength(audio.sampleRateHz, frames);
  const hop = segment / 2;
  const window = new Float64Array(segment);
  for (let i = 0; i < segment; i++) window[i] = 0.5 - 0.5 * Math.cos((2 * Math.PI * i) / segment);
  const fft = new FFT(segment);
  const midSpectrum = fft.createComplexArray() as number[];
  const sideSpectrum = fft.createComplexArray() as number[];
  const midFrame = new Float64Array(segment);
  const sideFrame = new Float64Array(segment);
  const midPower = new Float64Array(segment / 2 + 1);
  const sidePower = new Float64Array(segment / 2 + 1);
  for (let start = 0; start < Math.max(frames - hop, 1); start += hop) {
    for (let i = 0; i < segment; i++) {
      const at = start + i;
      const l = at < frames ? left[at] : 0;
      const r = at < frames ? right[at] : 0;
      midFrame[i] = ((l + r) / 2) * window[i];
      sideFrame[i] = ((l - r) / 2) * window[i];
    }
    fft.realTransform(midSpectrum, midFrame);
    fft.realTransform(sideSpectrum, sideFrame);
    for (let k = 0; k <= segment / 2; k++) {
      midPower[k] += midSpectrum[2 * k] ** 2 + midSpectrum[2 * k + 1] ** 2;
      sidePower[k] += sideSpectrum[2 * k] ** 2 + sideSpectrum[2 * k + 1] ** 2;
    }
  }
  const binHz = audio.sampleRateHz / segment;
  const result = {} as WidthByBandDb;
  for (const [band, [loHz, hiHz]] of Object.entries(WIDTH_BANDS_HZ) as Array<[WidthBand, readonly [number, number]]>) {
    let mid = 0;
    let side = 0;
    for (let k = 0; k <= segment / 2; k++) {
      const hz = k * binHz;
      if (hz >= loHz && hz < hiHz) {
        mid += midPower[k];
        side += sidePower[k];
      }
    }
    // Scale both sums to per-sample energy so the floor means the same as in sideMidDb.
    const scale = 1 / (segment * segment);
    result[band] = 10 * Math.log10((side * scale + ENERGY_FLOOR) / (mid * scale + ENERGY_FLOOR));
  }
  return result;
}

export interface StereoCorrelation {
  /** ΣLR / √(ΣL²·ΣR²) over the whole track (a phase meter's reading: +1 mono, 0 unrelated, −1 out of phase). */
  overall: number;
  /** The lowest reading over 400 ms windows (100 ms hop) whose mean square (L²+R²)/2 is above −70 dBFS; null when none is. */
  min400ms: number | null;
}

/** Mean square below which a window is treated as silence: −70 dBFS. */
const SILENT_MEAN_SQUARE = Math.pow(10, -70 / 10);

function correlation(sumLr: number, sumLl: number, sumRr: number): number {
  const denominator = Math.sqrt(sumLl * sumRr);
  // One silent channel and one not: nothing in common, as a meter shows it.
  return denominator > 0 ? sumLr / denominator : sumLl === sumRr ? 1 : 0;
}

/**
 * L/R correlation of a stereo track, or null for mono.
 *
 * @example const { overall, min400ms } = stereoCorrelation(audio)!;
 */
export function stereoCorrelation(audio: PcmAudio): StereoCorrelation | null {
  if (!isStereo(audio)) return null;
  const [left, right] = audio.channels;
  const frames = left.length;
  // Prefix sums make every window O(1); float64 keeps 400 ms differences exact enough.
  const lr = new Float64Array(frames + 1);
  const ll = new Float64Array(frames + 1);
  const rr = new Float64Array(frames + 1);
  for (let i = 0; i < frames; i++) {
    lr[i + 1] = lr[i] + left[i] * right[i];
    ll[i + 1] = ll[i] + left[i] * left[i];
    rr[i + 1] = rr[i] + right[i] * right[i];
  }
  const overall = correlation(lr[frames], ll[frames], rr[frames]);
  const windowFrames = Math.round(0.4 * audio.sampleRateHz);
  const hopFrames = Math.round(0.1 * audio.sampleRateHz);
  let min400ms: number | null = null;
  for (let start = 0; start + windowFrames <= frames; start += hopFrames) {
    const end = start + windowFrames;
    const sumLr = lr[end] - lr[start];
    const sumLl = ll[end] - ll[start];
    const sumRr = rr[end] - rr[start];
    // (ΣL² + ΣR²)/2 = ΣM² + ΣS²: silence by either reading.
    if ((sumLl + sumRr) / 2 / windowFrames < SILENT_MEAN_SQUARE) continue;
    const value = correlation(sumLr, sumLl, sumRr);
    if (min400ms === null || value < min400ms) min400ms = value;
  }
  return { overall, min400ms };
}
