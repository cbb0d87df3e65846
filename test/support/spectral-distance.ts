/**
 * The fixture set's spectral distance (test/fixtures/generator/audiogen.py,
 * `spectral_distance`), reimplemented independently of audo-eq's analysis so
 * tests judge the EQ with the same yardstick the fixtures were described with:
 * Welch PSD of the mono mix (Hann, 50 % overlap, segment 2^ceil(log2(sr/1.5))),
 * 1/3-octave band powers 31.5 Hz–16 kHz normalised to sum to one over the bands
 * both signals have, then the mean absolute dB difference.
 */
import FFT from 'fft.js';
import type { PcmAudio } from '../../core/audio/pcm.ts';

export const THIRD_OCTAVE_CENTRES = Array.from({ length: 28 }, (_, i) => 1000 * Math.pow(2, (i - 15) / 3));

function welchPsd(mono: Float64Array, sampleRateHz: number): { freqs: Float64Array; psd: Float64Array } {
  let segment = 1 << Math.ceil(Math.log2(sampleRateHz / 1.5));
  segment = Math.min(segment, 1 << Math.floor(Math.log2(Math.max(mono.length, 256))));
  const hop = segment / 2;
  const window = new Float64Array(segment);
  for (let i = 0; i < segment; i++) window[i] = 0.5 - 0.5 * Math.cos((2 * Math.PI * i) / (segment - 1));
  const fft = new FFT(segment);
  const out = fft.createComplexArray();
  const frame = new Float64Array(segment);
  const acc = new Float64Array(segment / 2 + 1);
  const segments = 1 + Math.floor((mono.length - segment) / hop);
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

/** Level-normalised 1/3-octave band levels in dB (NaN above Nyquist). */
export function thirdOctaveLevels(audio: PcmAudio): number[] {
  const length = audio.channels[0].length;
  const mono = new Float64Array(length);
  for (const channel of audio.channels) for (let i = 0; i < length; i++) mono[i] += channel[i] / audio.channels.length;
  const { freqs, psd } = welchPsd(mono, audio.sampleRateHz);
  const df = freqs[1] - freqs[0];
  const powers = THIRD_OCTAVE_CENTRES.map((centre) => {
    const lo = centre * Math.pow(2, -1 / 6);
    const hi = centre * Math.pow(2, 1 / 6);
    if (hi > audio.sampleRateHz / 2) return NaN;
    let sum = 0;
    for (let k = 0; k < freqs.length; k++) if (freqs[k] >= lo && freqs[k] < hi) sum += psd[k];
    return sum * df + 1e-30;
  });
  const total = powers.reduce((sum, p) => (Number.isNaN(p) ? sum : sum + p), 0);
  return powers.map((p) => 10 * Math.log10(p / total));
}

/** Mean absolute difference (dB) of the level-normalised 1/3-octave spectra of `a` and `b`. */
export function spectralDistanceDb(a: PcmAudio, b: PcmAudio): number {
  const la = thirdOctaveLevels(a);
  const lb = thirdOctaveLevels(b);
  const ok = la.map((value, i) => !Number.isNaN(value) && !Number.isNaN(lb[i]));
  const pa = la.filter((_, i) => ok[i]).map((v) => Math.pow(10, v / 10));
  const pb = lb.filter((_, i) => ok[i]).map((v) => Math.pow(10, v / 10));
  const sa = pa.reduce((s, v) => s + v, 0);
  const sb = pb.reduce((s, v) => s + v, 0);
  let sum = 0;
  for (let i = 0; i < pa.length; i++) sum += Math.abs(10 * Math.log10(pb[i] / sb) - 10 * Math.log10(pa[i] / sa));
  return sum / pa.length;
}
