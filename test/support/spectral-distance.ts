/**
 * The fixture set's spectral yardsticks (test/fixtures/generator/audiogen.py:
 * `welch_psd`, `band_levels`, `spectral_distance`, `smooth_eq_floor`),
 * reimplemented independently of audo-eq's analysis so tests and benches judge
 * the EQ with the same yardstick the fixtures were described with: Welch PSD
 * of the mono mix (Hann, 50 % overlap, segment 2^ceil(log2(sr/1.5)) capped by
 * the length), 1/3-octave band powers 31.5 Hz–16 kHz normalised to sum to one,
 * then the mean absolute dB difference over the bands both signals have.
 * test/support/spectral-distance.test.ts checks every figure against the
 * Python original on the fixture files (within 0.01 dB).
 */
import FFT from 'fft.js';
import type { PcmAudio } from '../../core/audio/pcm.ts';

/** 1000·2^(k/3) for k = −15…12: 31.5 Hz to 16 kHz, as audiogen.py's THIRD_OCT_CENTRES. */
export const THIRD_OCTAVE_CENTRES = Array.from({ length: 28 }, (_, i) => 1000 * Math.pow(2, (i - 15) / 3));

/** Welch power spectral density (one-sided bins, not doubled, as audiogen.py's `welch_psd`). */
export function welchPsd(mono: Float64Array, sampleRateHz: number): { freqs: Float64Array; psd: Float64Array } {
  let segment = 1 << Math.ceil(Math.log2(sampleRateHz / 1.5));
  segment = Math.min(segment, 1 << Math.floor(Math.log2(Math.max(mono.length, 256))));
  const hop = segment / 2;
  const window = new Float64Array(segment);
  for (let i = 0; i < segment; i++) window[i] = 0.5 - 0.5 * Math.cos((2 * Math.PI * i) / (segment - 1));
  const fft = new FFT(segment);
  const out = fft.createComplexArray() as number[];
  const frame = new Float64Array(segment);
  const acc = new Float64Array(segment / 2 + 1);
  const segments = Math.max(0, 1 + Math.floor((mono.length - segment) / hop));
  for (let s = 0; s < segments; s++) {
    for (let i = 0; i < segment; i++) frame[i] = mono[s * hop + i] * window[i];
    fft.realTransform(out, frame);
    for (let k = 0; k <= segment / 2; k++) acc[k] += out[2 * k] ** 2 + out[2 * k + 1] ** 2;
  }
  let windowEnergy = 0;
  for (const w of window) windowEnergy += w * w;
  const freqs = new Float64Array(segment / 2 + 1).map((_, k) => (k * sampleRateHz) / segment);
  const psd = acc.map((value) => value / Math.max(segments, 1) / (sampleRateHz * windowEnergy));
  return { freqs, psd };
}

/** The mono mix (mean of the channels) in float64. */
export function monoMix(audio: PcmAudio): Float64Array {
  const length = audio.channels[0].length;
  const mono = new Float64Array(length);
  for (const channel of audio.channels) for (let i = 0; i < length; i++) mono[i] += channel[i];
  const count = audio.channels.length;
  for (let i = 0; i < length; i++) mono[i] /= count;
  return mono;
}

/**
 * Power of the mono mix in each 1/3-octave band (edges centre·2^±1/6), as
 * audiogen.py sums it (PSD·bin width, one-sided bins not doubled, +1e-30);
 * NaN for a band whose upper edge is above Nyquist.
 */
export function thirdOctavePowers(audio: PcmAudio): number[] {
  const { freqs, psd } = welchPsd(monoMix(audio), audio.sampleRateHz);
  const df = freqs[1] - freqs[0];
  return THIRD_OCTAVE_CENTRES.map((centre) => {
    const lo = centre * Math.pow(2, -1 / 6);
    const hi = centre * Math.pow(2, 1 / 6);
    if (hi > audio.sampleRateHz / 2) return NaN;
    let sum = 0;
    for (let k = 0; k < freqs.length; k++) if (freqs[k] >= lo && freqs[k] < hi) sum += psd[k];
    return sum * df + 1e-30;
  });
}

/** Level-normalised 1/3-octave band levels in dB (bands sum to 0 dB; NaN above Nyquist): audiogen.py's `band_levels`. */
export function thirdOctaveLevels(audio: PcmAudio): number[] {
  return normaliseLevels(thirdOctavePowers(audio));
}

function normaliseLevels(powers: number[]): number[] {
  const total = powers.reduce((sum, p) => (Number.isNaN(p) ? sum : sum + p), 0);
  return powers.map((p) => 10 * Math.log10(p / total));
}

/**
 * Mean absolute difference (dB) of two level-normalised band-level vectors
 * after renormalising both over the bands both have (audiogen.py's
 * `spectral_distance` from its two `band_levels`).
 */
export function spectralDistanceFromLevels(levelsA: readonly number[], levelsB: readonly number[]): number {
  const ok = levelsA.map((value, i) => !Number.isNaN(value) && !Number.isNaN(levelsB[i]));
  const pa = levelsA.filter((_, i) => ok[i]).map((v) => Math.pow(10, v / 10));
  const pb = levelsB.filter((_, i) => ok[i]).map((v) => Math.pow(10, v / 10));
  const sa = pa.reduce((s, v) => s + v, 0);
  const sb = pb.reduce((s, v) => s + v, 0);
  let sum = 0;
  for (let i = 0; i < pa.length; i++) sum += Math.abs(10 * Math.log10(pb[i] / sb) - 10 * Math.log10(pa[i] / sa));
  return sum / pa.length;
}

/** Mean absolute difference (dB) of the level-normalised 1/3-octave spectra of `a` and `b`. */
export function spectralDistanceDb(a: PcmAudio, b: PcmAudio): number {
  return spectralDistanceFromLevels(thirdOctaveLevels(a), thirdOctaveLevels(b));
}

/**
 * What is left of the distance from A to B after the best smooth (about
 * half-octave) EQ of A towards B (audiogen.py's `smooth_eq_floor`): the band
 * difference B−A over the common bands is smoothed with a Gaussian of
 * `sigmaBands` 1/3-octave bands (13 taps, edges extended) and removed; the
 * mean |residual − median residual| is what no broad tonal correction can fix,
 * a rough lower bound for what mastering can reach.
 */
export function smoothEqFloorFromLevels(levelsA: readonly number[], levelsB: readonly number[], sigmaBands = 1.5): number {
  const d: number[] = [];
  for (let i = 0; i < levelsA.length; i++) if (!Number.isNaN(levelsA[i]) && !Number.isNaN(levelsB[i])) d.push(levelsB[i] - levelsA[i]);
  const taps = Array.from({ length: 13 }, (_, i) => Math.exp(-0.5 * ((i - 6) / sigmaBands) ** 2));
  const tapSum = taps.reduce((s, w) => s + w, 0);
  const at = (i: number) => d[Math.min(d.length - 1, Math.max(0, i))];
  const residual = d.map((value, i) => {
    let smooth = 0;
    for (let k = -6; k <= 6; k++) smooth += at(i + k) * taps[k + 6];
    return value - smooth / tapSum;
  });
  const sorted = [...residual].sort((x, y) => x - y);
  const mid = sorted.length >> 1;
  const median = sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
  return residual.reduce((s, r) => s + Math.abs(r - median), 0) / residual.length;
}

/** {@link smoothEqFloorFromLevels} of two tracks. */
export function smoothEqFloorDb(a: PcmAudio, b: PcmAudio, sigmaBands = 1.5): number {
  return smoothEqFloorFromLevels(thirdOctaveLevels(a), thirdOctaveLevels(b), sigmaBands);
}
