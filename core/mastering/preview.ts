/**
 * Preview (matching issue item 10): the whole track is analysed and decided
 * on as usual, but only its loudest 30 s are rendered, with 1 s fades, for
 * listening before the full render. The excerpt aims at the loudness the full
 * master would have over those 30 s (predicted from the whole track with the
 * rider and the limiter modelled), so it sounds as the full master will there.
 * The rider is planned on the unprocessed target rather than on the signal
 * after equalisation and compression as the full render does: the preview's
 * riding approximates the full render's.
 */
import { ENERGY_BLOCK } from './loudness-prediction.ts';

export const PREVIEW_SECONDS = 30;
export const PREVIEW_FADE_SECONDS = 1;

export interface PreviewRegion {
  /** First sample (a multiple of the energy block). */
  readonly start: number;
  /** One past the last sample. */
  readonly end: number;
}

/**
 * The {@link PREVIEW_SECONDS}-long stretch with the most K-weighted energy
 * (the whole track when it is shorter).
 *
 * @example loudestRegion(kWeightedBlockEnergy(channels, 44100), channels[0].length, 44100) // { start, end }
 */
export function loudestRegion(energy: Float64Array, length: number, sampleRateHz: number): PreviewRegion {
  const span = Math.ceil((PREVIEW_SECONDS * sampleRateHz) / ENERGY_BLOCK);
  if (span >= energy.length) return { start: 0, end: length };
  let running = 0;
  for (let b = 0; b < span; b++) running += energy[b];
  let best = running;
  let bestStart = 0;
  for (let b = span; b < energy.length; b++) {
    running += energy[b] - energy[b - span];
    if (running > best) {
      best = running;
      bestStart = b - span + 1;
    }
  }
  const start = bestStart * ENERGY_BLOCK;
  return { start, end: Math.min(length, start + Math.round(PREVIEW_SECONDS * sampleRateHz)) };
}

/** Raised-cosine fade-in and fade-out of {@link PREVIEW_FADE_SECONDS} (shorter for a short excerpt), in place. */
export function applyPreviewFades(channels: readonly Float32Array[], sampleRateHz: number): void {
  const length = channels.length ? channels[0].length : 0;
  const fade = Math.min(Math.round(PREVIEW_FADE_SECONDS * sampleRateHz), Math.floor(length / 2));
  for (const samples of channels) {
    for (let i = 0; i < fade; i++) {
      const w = 0.5 - 0.5 * Math.cos((Math.PI * (i + 0.5)) / fade);
      samples[i] *= w;
      samples[length - 1 - i] *= w;
    }
  }
}
