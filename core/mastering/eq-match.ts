/**
 * Reference-match tone (SPEC section 4, matching issue item 3). Both
 * long-term spectra are level-normalised and compared band by band.
 *
 * Two resolutions:
 * - the nine spec bands (edges 20 … 16k Hz): reported, smoothed with the
 *   profile's three-tap kernel and clamped as the tuning table says;
 * - the realised curve on a 1/6-octave grid (20 Hz – 20 kHz). Its goal is the
 *   reference's balance: goal = target + strength × smooth(reference − target)
 *   per band, the difference smoothed with a Gaussian of σ = 1/6 octave across
 *   the grid (about a third of an octave at half height, the resolution of the
 *   1/3-octave meters a master is judged by, and of Matchering's LOWESS
 *   curve): a mix's tonal balance is matched, single notes and a different
 *   song's key are not chased. What the chain itself does to the target's
 *   tone (compression and limiting shift it) is measured by probe renders and
 *   corrected more closely (σ = 1/12 octave): those are the target's own notes. The curve is centred so it
 *   leaves the target's total power where it was (the loudness stage sets the
 *   level), and the profile's maximum correction is a safety limit, sized so
 *   the balance of real mixes is reached (18 dB by default).
 *
 * Above a band-limited reference's cut-off (a lossy codec's low-pass) and above
 * either track's Nyquist frequency there is nothing to match: the curve
 * returns to neutral there.
 */
import { MATCH_BAND_EDGES_HZ, type MasteringProfile } from './profiles.ts';
import type { LongTermSpectrum } from './reference-profile.ts';

/** 1/3-octave centres from 25 Hz to 20 kHz (base-2, 1 kHz reference), for meters and plots. */
export const THIRD_OCTAVE_CENTRES_HZ: readonly number[] = Array.from({ length: 30 }, (_, i) => 1000 * Math.pow(2, (i - 16) / 3));

/** The realised curve's grid: 1/6-octave centres from 19.7 Hz to 20.2 kHz (base-2, 1 kHz reference). */
export const CURVE_CENTRES_HZ: readonly number[] = Array.from({ length: 61 }, (_, i) => 1000 * Math.pow(2, (i - 34) / 6));
const CURVE_BANDS: ReadonlyArray<readonly [number, number]> = CURVE_CENTRES_HZ.map((c) => [c * Math.pow(2, -1 / 12), c * Math.pow(2, 1 / 12)] as const);

/** σ of the Gaussian that smooths the difference to the reference, in octaves. */
export const CURVE_SMOOTHING_OCTAVES = 1 / 6;
/** σ of the Gaussian over what separates the output from the (already smooth) goal: the chain's effect, followed closely. */
const RESIDUAL_SMOOTHING_OCTAVES = 1 / 12;

export interface MatchBand {
  readonly lowHz: number;
  readonly highHz: number;
  readonly centreHz: number;
  /** Delta after level normalisation, before smoothing (dB); 0 where nothing is matched. */
  readonly rawDeltaDb: number;
  /** The correction applied (dB). */
  readonly correctionDb: number;
  /** Whether the profile's safety limit cut this band's correction. */
  readonly clamped: boolean;
  /** False above the reference's cut-off or either Nyquist frequency: held neutral. */
  readonly matched: boolean;
}

/** Power gain the chain applies before the matching EQ, as a function of frequency. */
export type PowerResponse = (frequencyHz: number) => number;

const unity: PowerResponse = () => 1;

/** Mean power per Hz of `spectrum` in [lowHz, highHz), weighted by `response`; null when the band is above Nyquist. */
function bandPowerDensity(spectrum: LongTermSpectrum, lowHz: number, highHz: number, response: PowerResponse): number | null {
  const { longTermPower, binHz } = spectrum;
  if (highHz > spectrum.sampleRateHz / 2) return null;
  const first = Math.max(1, Math.ceil(lowHz / binHz));
  const last = Math.min(longTermPower.length - 1, Math.ceil(highHz / binHz) - 1);
  let sum = 0;
  let bins = 0;
  for (let k = first; k <= last; k++) {
    sum += longTermPower[k] * response(k * binHz);
    bins++;
  }
  if (bins === 0) {
    // Band narrower than a bin: take the bin it falls in.
    const k = Math.min(longTermPower.length - 1, Math.max(1, Math.round(Math.sqrt(lowHz * highHz) / binHz)));
    return longTermPower[k] * response(k * binHz);
  }
  return sum / bins;
}

/** Band powers (density × width) of `spectrum` through `response`; null above its Nyquist frequency. */
function bandPowers(spectrum: LongTermSpectrum, bands: ReadonlyArray<readonly [number, number]>, response: PowerResponse = unity): Array<number | null> {
  return bands.map(([lowHz, highHz]) => {
    const density = bandPowerDensity(spectrum, lowHz, highHz, response);
    return density === null ? null : density * (highHz - lowHz);
  });
}

const FLOOR = 1e-20;

/**
 * Level-normalised band levels (dB) of two band-power lists over the bands
 * both have (and `usable` allows): each list sums to 0 dB over those bands.
 */
function commonLevels(a: ReadonlyArray<number | null>, b: ReadonlyArray<number | null>, usable: (i: number) => boolean = () => true) {
  const common = a.map((x, i) => x !== null && b[i] !== null && usable(i));
  let totalA = 0;
  let totalB = 0;
  a.forEach((x, i) => {
    if (!common[i]) return;
    totalA += x!;
    totalB += b[i]!;
  });
  const level = (x: number | null, total: number, i: number) => (common[i] && total > 0 ? 10 * Math.log10(x! / total + FLOOR) : null);
  return { a: a.map((x, i) => level(x, totalA, i)), b: b.map((x, i) => level(x, totalB, i)), common };
}

// ---------------------------------------------------------------------------
// The nine reported spec bands (three-tap kernel, tuning-table clamps).

function smoothThreeTap(values: readonly number[], kernel: readonly [number, number, number]): number[] {
  return values.map((value, i) => {
    const left = values[Math.max(0, i - 1)];
    const right = values[Math.min(values.length - 1, i + 1)];
    return kernel[0] * left + kernel[1] * value + kernel[2] * right;
  });
}

/**
 * The nine spec bands (edges 20, 60, 120, 250, 500, 1k, 2k, 4k, 8k, 16k Hz):
 * delta = reference − target, smoothed with the profile kernel, clamped to
 * the nine-band limit of the tuning table, corrections under its minimum dropped.
 *
 * @example nineBandCorrections(targetAnalysis.spectrum, referenceAnalysis.spectrum, PROFILES.default)
 */
export function nineBandCorrections(
  target: LongTermSpectrum,
  reference: LongTermSpectrum,
  profile: MasteringProfile,
  targetResponse: PowerResponse = unity,
): MatchBand[] {
  const bands = MATCH_BAND_EDGES_HZ.slice(0, -1).map((low, i) => [low, MATCH_BAND_EDGES_HZ[i + 1]] as const);
  const levels = commonLevels(bandPowers(target, bands, targetResponse), bandPowers(reference, bands));
  const rows = bands.map(([lowHz, highHz], i) => ({ lowHz, highHz, deltaDb: levels.common[i] ? levels.b[i]! - levels.a[i]! : null }));
  const present = rows.filter((row) => row.deltaDb !== null);
  const smoothed = smoothThreeTap(
    present.map((row) => row.deltaDb!),
    profile.eqSmoothingKernel,
  );
  const offset = clampAwareOffsetDb(smoothed, profile.nineBandMaxCorrectionDb);
  return present.map((row, i) => {
    const clamped = Math.max(-profile.nineBandMaxCorrectionDb, Math.min(profile.nineBandMaxCorrectionDb, smoothed[i] - offset));
    return {
      lowHz: row.lowHz,
      highHz: row.highHz,
      centreHz: Math.sqrt(row.lowHz * row.highHz),
      rawDeltaDb: row.deltaDb!,
      correctionDb: Math.abs(clamped) < profile.eqMinCorrectionDb ? 0 : clamped,
      clamped: Math.abs(smoothed[i] - offset) > profile.nineBandMaxCorrectionDb,
      matched: true,
    };
  });
}

/**
 * The level offset to measure nine-band corrections from: the one that leaves
 * the least of the tonal shape outside the ± clamp (an L1 fit, scanned to
 * 0.05 dB; ties go to the median).
 */
export function clampAwareOffsetDb(values: readonly number[], maxCorrectionDb: number): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  const median = sorted.length % 2 ? sorted[mid] : 0.5 * (sorted[mid - 1] + sorted[mid]);
  const excess = (offset: number) => values.reduce((sum, v) => sum + Math.max(0, Math.abs(v - offset) - maxCorrectionDb), 0);
  let best = median;
  let bestCost = excess(median);
  for (let offset = sorted[0]; offset <= sorted[sorted.length - 1]; offset += 0.05) {
    const cost = excess(offset) + 1e-6 * Math.abs(offset - median);
    if (cost < bestCost - 1e-9) {
      best = offset;
      bestCost = cost;
    }
  }
  return best;
}

// ---------------------------------------------------------------------------
// The realised curve.

/** What the curve aims at: per grid band, the level (dB, normalised like the target's) the output should have. */
export interface ToneGoal {
  /** Normalised level of the target (before the chain) per grid band; null where the band is not matched. */
  readonly targetDb: ReadonlyArray<number | null>;
  /** Goal level per grid band; null where the band is not matched. */
  readonly goalDb: ReadonlyArray<number | null>;
  /** The target's share of power per grid band (weights that keep the curve loudness-neutral). */
  readonly targetShare: readonly number[];
  readonly strength: number;
  /** Highest matched frequency (Hz): the reference's cut-off or the lower Nyquist frequency. */
  readonly matchedUpToHz: number;
}

/**
 * The tonal goal: target + `strength` (0–1) × (reference − target) per 1/6-octave band,
 * from `lowestHz` (the chain's high-pass: what it removes is not matched back)
 * up to `cutoffHz` (a band-limited reference's low-pass) and both Nyquist frequencies.
 *
 * @example const goal = toneGoal(target.spectrum, reference.spectrum, { strength: 1, cutoffHz: reference.spectralCutoffHz, lowestHz: 30 });
 */
export function toneGoal(
  target: LongTermSpectrum,
  reference: LongTermSpectrum,
  { strength, cutoffHz, lowestHz }: { strength: number; cutoffHz: number | null; lowestHz: number },
): ToneGoal {
  // A codec's low-pass rolls off over the sixth of an octave below its edge: that band is not matched either.
  const limitHz = Math.min(cutoffHz === null ? Infinity : cutoffHz * Math.pow(2, -1 / 6), target.sampleRateHz / 2, reference.sampleRateHz / 2);
  const usable = (i: number) => CURVE_BANDS[i][1] <= limitHz && CURVE_CENTRES_HZ[i] >= lowestHz;
  const targetPowers = bandPowers(target, CURVE_BANDS);
  const levels = commonLevels(targetPowers, bandPowers(reference, CURVE_BANDS), usable);
  // The reference's balance, not its notes: the difference is smoothed before it becomes the goal.
  const towardReference = smoothAcrossGrid(levels.a.map((t, i) => (t === null ? null : levels.b[i]! - t)), CURVE_SMOOTHING_OCTAVES);
  const goalDb = levels.a.map((t, i) => (t === null ? null : t + strength * towardReference[i]!));
  const total = targetPowers.reduce<number>((sum, p) => sum + (p ?? 0), 0);
  return {
    targetDb: levels.a,
    goalDb,
    targetShare: targetPowers.map((p) => (total > 0 && p !== null ? p / total : 0)),
    strength,
    matchedUpToHz: limitHz,
  };
}

/** Gaussian smoothing (σ in octaves) across the grid over the bands present (weights renormalised at gaps and edges). */
function smoothAcrossGrid(values: ReadonlyArray<number | null>, sigmaOctaves: number): Array<number | null> {
  const sigmaBands = sigmaOctaves * 6;
  const reach = Math.ceil(3 * sigmaBands);
  return values.map((value, i) => {
    if (value === null) return null;
    let acc = 0;
    let weight = 0;
    for (let j = Math.max(0, i - reach); j <= Math.min(values.length - 1, i + reach); j++) {
      const v = values[j];
      if (v === null) continue;
      const w = Math.exp(-0.5 * ((j - i) / sigmaBands) ** 2);
      acc += w * v;
      weight += w;
    }
    return acc / weight;
  });
}

/** Centres `values` so their power-weighted gain is 0 dB (the target's total power stays), then clamps. */
function finishCurve(values: ReadonlyArray<number | null>, goal: ToneGoal, rawDb: ReadonlyArray<number | null>, profile: MasteringProfile): MatchBand[] {
  let weighted = 0;
  let weight = 0;
  values.forEach((v, i) => {
    if (v === null) return;
    weighted += goal.targetShare[i] * Math.pow(10, v / 10);
    weight += goal.targetShare[i];
  });
  const offsetDb = weight > 0 && weighted > 0 ? 10 * Math.log10(weighted / weight) : 0;
  const limit = profile.eqMaxCorrectionDb;
  const bands = CURVE_BANDS.map(([lowHz, highHz], i) => {
    const v = values[i];
    const centred = v === null ? 0 : v - offsetDb;
    return {
      lowHz,
      highHz,
      centreHz: CURVE_CENTRES_HZ[i],
      rawDeltaDb: rawDb[i] ?? 0,
      correctionDb: Math.max(-limit, Math.min(limit, centred)),
      clamped: Math.abs(centred) > limit,
      matched: v !== null,
    };
  });
  return bands;
}

/**
 * The matching curve that takes the target, after the chain's `targetResponse`
 * (high-pass, shelves), to `goal`.
 *
 * @example const curve = matchingCurve(t.spectrum, toneGoal(t.spectrum, r.spectrum, 1, null), PROFILES.default, chainResponse);
 */
export function matchingCurve(target: LongTermSpectrum, goal: ToneGoal, profile: MasteringProfile, targetResponse: PowerResponse = unity): MatchBand[] {
  return correctTowardGoal(null, target, targetResponse, goal, profile);
}

/**
 * Closes the loop on the curve: compares the estimated output spectrum (the
 * whole target through `response`: the static EQ times the transfer a probe
 * render measured, see {@link bandTransfer}) with the goal, and folds the
 * smoothed residual into `current`. Compression and limiting shift the tonal
 * balance they are fed; this measures that shift instead of guessing it.
 *
 * @example const refined = refineCurve(curve, target.spectrum, (f) => staticEq(f) * transfer(f), goal, profile);
 */
export function refineCurve(current: readonly MatchBand[], target: LongTermSpectrum, response: PowerResponse, goal: ToneGoal, profile: MasteringProfile): MatchBand[] {
  return correctTowardGoal(current, target, response, goal, profile);
}

function correctTowardGoal(current: readonly MatchBand[] | null, target: LongTermSpectrum, response: PowerResponse, goal: ToneGoal, profile: MasteringProfile): MatchBand[] {
  const usable = (i: number) => goal.goalDb[i] !== null;
  const estimated = bandPowers(target, CURVE_BANDS, response);
  const goalPowers = goal.goalDb.map((db) => (db === null ? null : Math.pow(10, db / 10)));
  const levels = commonLevels(estimated, goalPowers, usable);
  const residual = levels.a.map((est, i) => (est === null ? null : levels.b[i]! - est));
  // The goal is smooth already; what is left is the chain's own effect on the target, followed closely.
  const smoothed = smoothAcrossGrid(residual, RESIDUAL_SMOOTHING_OCTAVES);
  const totals = smoothed.map((v, i) => (v === null ? null : v + (current ? current[i].correctionDb : 0)));
  const raw = current ? current.map((band) => band.rawDeltaDb) : residual;
  return finishCurve(totals, goal, raw, profile);
}

/**
 * Continuous gain (dB) through the band corrections: linear in log-frequency
 * between band centres, flat beyond the first and last band.
 */
export function correctionCurve(bands: readonly MatchBand[]): (frequencyHz: number) => number {
  if (bands.length === 0) return () => 0;
  const logCentres = bands.map((band) => Math.log2(band.centreHz));
  const gains = bands.map((band) => band.correctionDb);
  return (frequencyHz: number) => {
    if (frequencyHz <= bands[0].centreHz) return gains[0];
    if (frequencyHz >= bands[bands.length - 1].centreHz) return gains[gains.length - 1];
    const x = Math.log2(frequencyHz);
    let i = 1;
    while (logCentres[i] < x) i++;
    const t = (x - logCentres[i - 1]) / (logCentres[i] - logCentres[i - 1]);
    return gains[i - 1] + t * (gains[i] - gains[i - 1]);
  };
}

/**
 * The chain's effect on an excerpt, per grid band: its output's power over its
 * input's (flat outside the grid and where a band is empty). Laid over the
 * whole track's spectrum, it estimates the whole output without the
 * excerpt's own content in it.
 *
 * @example const transfer = bandTransfer(analyzeSpectrum(excerpt, fs), analyzeSpectrum(renderedExcerpt, fs));
 */
export function bandTransfer(input: LongTermSpectrum, output: LongTermSpectrum): PowerResponse {
  const ratios = CURVE_BANDS.map(([lowHz, highHz]) => {
    const before = bandPowerDensity(input, lowHz, highHz, unity);
    const after = bandPowerDensity(output, lowHz, highHz, unity);
    return before === null || after === null || !(before > 0) || !(after > 0) ? 1 : after / before;
  });
  const lowest = CURVE_BANDS[0][0];
  return (frequencyHz) => {
    if (frequencyHz < lowest) return ratios[0];
    for (let b = 0; b < CURVE_BANDS.length; b++) if (frequencyHz < CURVE_BANDS[b][1]) return ratios[b];
    return ratios[ratios.length - 1];
  };
}
