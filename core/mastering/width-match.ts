/**
 * Width matching (matching issue item 1): per band, the target's side/mid
 * energy moves toward the reference's by `strength`, as a side gain with
 * half-octave raised-cosine crossovers between the bands.
 *
 * Limits (documented in the README):
 * - below 120 Hz nothing is widened (the low end stays mono-compatible); it
 *   may narrow toward a narrower reference;
 * - a band changes by at most ±{@link MAX_WIDTH_CHANGE_DB} dB;
 * - widening stops where the band's side/mid would pass
 *   {@link MAX_WIDENED_SIDE_TO_MID_DB} (L/R correlation ≥ 0.12 in that band),
 *   and the widener's guard keeps every 50 ms block's correlation from going
 *   below 0 through the widening;
 * - a mono target (one channel, or side/mid under −40 dB) stays mono, and a
 *   mono reference says nothing about width: the target's is kept.
 */
import { MONO_SIDE_TO_MID_DB, WIDTH_BANDS, type StereoWidth, type WidthBandId } from '../dsp/stereo-width.ts';

export const MAX_WIDTH_CHANGE_DB = 12;
export const MAX_WIDENED_SIDE_TO_MID_DB = -1;
/** Crossover width in octaves (raised cosine), upward from each band edge, so nothing below 120 Hz moves. */
const CROSSOVER_OCTAVES = 0.5;

export interface WidthBandDecision {
  readonly id: WidthBandId;
  readonly lowHz: number;
  readonly highHz: number;
  readonly beforeDb: number | null;
  readonly goalDb: number | null;
  /** Side gain for the band (dB). */
  readonly changeDb: number;
}

export interface WidthDecision {
  readonly matched: boolean;
  /** Why width is left alone although matched (`mono_target`, `mono_reference`), or null. */
  readonly skipped: 'mono_target' | 'mono_reference' | null;
  readonly bands: readonly WidthBandDecision[];
  /** True when some band's side gain is not 0 dB. */
  readonly active: boolean;
}

/**
 * @example decideWidth(target.width, reference.width, 1, true).bands.map((b) => b.changeDb)
 */
export function decideWidth(target: StereoWidth | null, reference: StereoWidth | null, strength: number, matched: boolean): WidthDecision {
  const skipped = !matched ? null : isMono(target) ? 'mono_target' : isMono(reference) ? 'mono_reference' : null;
  const bands = WIDTH_BANDS.map((band): WidthBandDecision => {
    const beforeDb = target?.bandsDb[band.id] ?? null;
    const referenceDb = reference?.bandsDb[band.id] ?? null;
    let changeDb = 0;
    let goalDb: number | null = beforeDb;
    if (matched && !skipped && beforeDb !== null && referenceDb !== null) {
      changeDb = Math.max(-MAX_WIDTH_CHANGE_DB, Math.min(MAX_WIDTH_CHANGE_DB, strength * (referenceDb - beforeDb)));
      if (band.lowHz === 0) changeDb = Math.min(0, changeDb);
      if (changeDb > 0) changeDb = Math.min(changeDb, Math.max(0, MAX_WIDENED_SIDE_TO_MID_DB - beforeDb));
      goalDb = beforeDb + strength * (referenceDb - beforeDb);
    }
    return { id: band.id, lowHz: band.lowHz, highHz: band.highHz, beforeDb, goalDb, changeDb };
  });
  return { matched, skipped, bands, active: bands.some((band) => Math.abs(band.changeDb) > 0.05) };
}

function isMono(width: StereoWidth | null): boolean {
  return width === null || width.above200HzDb === null || width.above200HzDb < MONO_SIDE_TO_MID_DB;
}

/**
 * The side gain (dB) at a frequency: each band's change, joined by raised
 * cosines over the half octave above each band edge.
 */
export function sideGainCurve(bands: readonly WidthBandDecision[]): (frequencyHz: number) => number {
  return (frequencyHz) => {
    const x = Math.log2(Math.max(frequencyHz, 1));
    let gain = bands[0].changeDb;
    for (let b = 1; b < bands.length; b++) {
      const edge = Math.log2(bands[b].lowHz);
      const t = Math.max(0, Math.min(1, (x - edge) / CROSSOVER_OCTAVES));
      const blend = 0.5 - 0.5 * Math.cos(Math.PI * t);
      gain += blend * (bands[b].changeDb - bands[b - 1].changeDb);
    }
    return gain;
  };
}
