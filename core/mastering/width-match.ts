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
 *   {@link MAX_WIDENED_SIDE_TO_MID_DB} (L/R correlation ≥ 0.06 in that band),
 *   and the widener's guard keeps every 50 ms block's correlation from going
 *   below 0 through the widening;
 * - a mono target (one channel, or side/mid under −40 dB) stays mono, and a
 *   mono reference says nothing about width: the target's is kept.
 *
 * The gains are planned from the width the signal has when it reaches the
 * width stage, after equalisation (which moves side and mid energy within a
 * band differently), so a band left as the target has it comes out as the
 * target had it.
 */
import { MONO_SIDE_TO_MID_DB, WIDTH_BANDS, type StereoWidth, type WidthBandId } from '../dsp/stereo-width.ts';

export const MAX_WIDTH_CHANGE_DB = 15;
export const MAX_WIDENED_SIDE_TO_MID_DB = -0.5;
/** Crossover width in octaves (raised cosine), upward from each band edge, so nothing below 120 Hz moves. */
const CROSSOVER_OCTAVES = 0.5;
/** The crossover above the low band starts this far above 120 Hz (the FIR's and any meter's resolution). */
const LOW_EDGE_GUARD_OCTAVES = 0.25;

export interface WidthBandDecision {
  readonly id: WidthBandId;
  readonly lowHz: number;
  readonly highHz: number;
  /** The target's side/mid (dB) as analysed. */
  readonly beforeDb: number | null;
  /** What the output's side/mid should be: the target's moved toward the reference's by strength, or the target's own. */
  readonly goalDb: number | null;
}

export interface WidthDecision {
  readonly matched: boolean;
  /** Why width is left alone although matched (`mono_target`, `mono_reference`), or null. */
  readonly skipped: 'mono_target' | 'mono_reference' | null;
  readonly bands: readonly WidthBandDecision[];
}

/** The side gain per band that takes the signal's current width to the goal. */
export interface SideGainPlan {
  readonly bands: ReadonlyArray<WidthBandDecision & { readonly currentDb: number | null; readonly changeDb: number }>;
  /** True when some band's side gain is at least {@link SETTLED_WIDTH_DB} away from 0 dB. */
  readonly active: boolean;
}

/** A band this close to its goal is left alone. */
export const SETTLED_WIDTH_DB = 0.25;

/**
 * The goal per band. A band left unmatched (width not in `match`, a mono
 * reference) keeps the target's own width as its goal: the width stage then
 * only undoes what equalisation did to it.
 *
 * @example decideWidth(target.width, reference.width, 1, true).bands.map((b) => b.goalDb)
 */
export function decideWidth(target: StereoWidth | null, reference: StereoWidth | null, strength: number, matched: boolean): WidthDecision {
  const skipped = !matched ? null : isMono(target) ? 'mono_target' : isMono(reference) ? 'mono_reference' : null;
  const bands = WIDTH_BANDS.map((band): WidthBandDecision => {
    const beforeDb = target?.bandsDb[band.id] ?? null;
    const referenceDb = reference?.bandsDb[band.id] ?? null;
    const moves = matched && !skipped && beforeDb !== null && referenceDb !== null;
    let goalDb = moves ? beforeDb + strength * (referenceDb - beforeDb) : beforeDb;
    // The low end never comes out wider than the target had it.
    if (band.id === 'low' && goalDb !== null && beforeDb !== null) goalDb = Math.min(goalDb, beforeDb);
    return { id: band.id, lowHz: band.lowHz, highHz: band.highHz, beforeDb, goalDb };
  });
  return { matched, skipped, bands };
}

/**
 * Side gains from the width the signal has as it reaches the width stage
 * (`current`, moved by `transferDb`: what the stages after it do) to the goal, within the limits: nothing widened below 120 Hz,
 * at most ±{@link MAX_WIDTH_CHANGE_DB}, widening stopped at
 * {@link MAX_WIDENED_SIDE_TO_MID_DB}. Null for a mono target.
 *
 * @example planSideGains(decision.width, measureStereoWidthOf(channels, 44100), probe.widthTransferDb)
 */
export function planSideGains(decision: WidthDecision, current: StereoWidth | null, transferDb: WidthTransfer | null): SideGainPlan | null {
  if (!current || decision.skipped === 'mono_target') return null;
  const bands = decision.bands.map((band) => {
    const measuredDb = current.bandsDb[band.id];
    // Where the band will end up without a width change: as measured, moved by what the later stages do.
    const currentDb = measuredDb === null ? null : measuredDb + (transferDb?.[band.id] ?? 0);
    let changeDb = 0;
    if (band.goalDb !== null && currentDb !== null) {
      changeDb = Math.max(-MAX_WIDTH_CHANGE_DB, Math.min(MAX_WIDTH_CHANGE_DB, band.goalDb - currentDb));
      if (band.id === 'low') changeDb = Math.min(0, changeDb);
      if (changeDb > 0) changeDb = Math.min(changeDb, Math.max(0, MAX_WIDENED_SIDE_TO_MID_DB - currentDb));
      if (Math.abs(changeDb) < SETTLED_WIDTH_DB) changeDb = 0;
    }
    return { ...band, currentDb, changeDb };
  });
  return { bands, active: bands.some((band) => band.changeDb !== 0) };
}

/** Change of side/mid per band (dB) between two points of the chain. */
export type WidthTransfer = Readonly<Record<WidthBandId, number>>;

/** What happened to side/mid per band between `before` and `after` (0 where either is unmeasurable). */
export function widthTransfer(before: StereoWidth, after: StereoWidth): WidthTransfer {
  const out = {} as Record<WidthBandId, number>;
  for (const band of WIDTH_BANDS) {
    const a = before.bandsDb[band.id];
    const b = after.bandsDb[band.id];
    out[band.id] = a === null || b === null ? 0 : b - a;
  }
  return out;
}

/** Whether a track's width says it is mono (one channel, or side/mid under −40 dB). */
export function isMonoWidth(width: StereoWidth | null): boolean {
  return isMono(width);
}

function isMono(width: StereoWidth | null): boolean {
  return width === null || width.above200HzDb === null || width.above200HzDb < MONO_SIDE_TO_MID_DB;
}

/**
 * The side gain (dB) at a frequency: each band's change, joined by raised
 * cosines over the half octave above each band edge.
 */
export function sideGainCurve(bands: SideGainPlan['bands']): (frequencyHz: number) => number {
  return (frequencyHz) => {
    const x = Math.log2(Math.max(frequencyHz, 1));
    let gain = bands[0].changeDb;
    for (let b = 1; b < bands.length; b++) {
      // Above the low band's edge a quarter octave more: a widened low-mid must not reach under 120 Hz.
      const edge = Math.log2(bands[b].lowHz) + (bands[b - 1].id === 'low' ? LOW_EDGE_GUARD_OCTAVES : 0);
      const t = Math.max(0, Math.min(1, (x - edge) / CROSSOVER_OCTAVES));
      const blend = 0.5 - 0.5 * Math.cos(Math.PI * t);
      gain += blend * (bands[b].changeDb - bands[b - 1].changeDb);
    }
    return gain;
  };
}
