/**
 * Reference-match EQ deltas (SPEC section 4). Both long-term spectra are
 * level-normalised, compared band by band (delta = reference − target, in dB),
 * smoothed with the profile's kernel, clamped to ± the profile's maximum, and
 * corrections smaller than its minimum are dropped.
 *
 * Two resolutions: the nine spec bands (reported, the coarsest acceptable), and
 * the realised curve at 1/3 octave, where the three-tap kernel spans about two
 * thirds of an octave — broad tone is matched, the notes of a different piece
 * are not chased.
 */
import type { SpectrumAnalysis } from '../dsp/spectrum.ts';
import { MATCH_BAND_EDGES_HZ, type MasteringProfile } from './profiles.ts';

/** 1/3-octave centres from 25 Hz to 20 kHz (base-2, 1 kHz reference). */
export const THIRD_OCTAVE_CENTRES_HZ: readonly number[] = Array.from({ length: 30 }, (_, i) => 1000 * Math.pow(2, (i - 16) / 3));

export interface MatchBand {
  readonly lowHz: number;
  readonly highHz: number;
  readonly centreHz: number;
  /** Delta after level normalisation, before smoothing (dB). */
  readonly rawDeltaDb: number;
  /** Smoothed, clamped, small corrections dropped (dB). */
  readonly correctionDb: number;
}

/** Power gain the chain applies before the matching EQ, as a function of frequency. */
export type PowerResponse = (frequencyHz: number) => number;

const unity: PowerResponse = () => 1;

/** Mean power per Hz of `spectrum` in [lowHz, highHz), weighted by `response`; null when the band is empty. */
function bandPowerDensity(spectrum: SpectrumAnalysis, lowHz: number, highHz: number, response: PowerResponse): number | null {
  const { longTermPower, binHz } = spectrum;
  const first = Math.max(1, Math.ceil(lowHz / binHz));
  const last = Math.min(longTermPower.length - 1, Math.ceil(highHz / binHz) - 1);
  if (highHz > spectrum.sampleRateHz / 2) return null;
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

/**
 * Per-band deltas between `reference` and `target` (after `targetResponse`).
 * Bands above either track's Nyquist frequency are left out.
 */
function bandDeltas(
  target: SpectrumAnalysis,
  reference: SpectrumAnalysis,
  bands: ReadonlyArray<readonly [number, number]>,
  targetResponse: PowerResponse,
): Array<{ lowHz: number; highHz: number; deltaDb: number }> {
  const rows: Array<{ lowHz: number; highHz: number; t: number; r: number }> = [];
  for (const [lowHz, highHz] of bands) {
    const t = bandPowerDensity(target, lowHz, highHz, targetResponse);
    const r = bandPowerDensity(reference, lowHz, highHz, unity);
    if (t === null || r === null) continue;
    rows.push({ lowHz, highHz, t: t * (highHz - lowHz), r: r * (highHz - lowHz) });
  }
  const totalT = rows.reduce((sum, row) => sum + row.t, 0);
  const totalR = rows.reduce((sum, row) => sum + row.r, 0);
  const floor = 1e-20;
  return rows.map(({ lowHz, highHz, t, r }) => ({
    lowHz,
    highHz,
    deltaDb: totalT > 0 && totalR > 0 ? 10 * Math.log10((r / totalR + floor) / (t / totalT + floor)) : 0,
  }));
}

function smooth(values: readonly number[], kernel: readonly [number, number, number]): number[] {
  return values.map((value, i) => {
    const left = values[Math.max(0, i - 1)];
    const right = values[Math.min(values.length - 1, i + 1)];
    return kernel[0] * left + kernel[1] * value + kernel[2] * right;
  });
}

function finish(delta: number, profile: MasteringProfile): number {
  const clamped = Math.max(-profile.eqMaxCorrectionDb, Math.min(profile.eqMaxCorrectionDb, delta));
  return Math.abs(clamped) < profile.eqMinCorrectionDb ? 0 : clamped;
}

/**
 * The level offset to measure corrections from. The offset between two
 * level-normalised spectra is arbitrary (the loudness stage sets the level),
 * so choose the one that leaves the least of the tonal shape outside the
 * ± maximum clamp (an L1 fit, solved by a scan to 0.05 dB; ties go to the
 * median, i.e. to bands being cut and boosted evenly).
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

/** Corrections for a smoothed delta curve: measured from the clamp-aware offset, clamped, small ones dropped. */
function finishCurve(values: readonly number[], profile: MasteringProfile): number[] {
  const offset = clampAwareOffsetDb(values, profile.eqMaxCorrectionDb);
  return values.map((value) => finish(value - offset, profile));
}

function toMatchBands(
  rows: Array<{ lowHz: number; highHz: number; deltaDb: number }>,
  profile: MasteringProfile,
): MatchBand[] {
  const raw = rows.map((row) => row.deltaDb);
  const corrections = finishCurve(smooth(raw, profile.eqSmoothingKernel), profile);
  return rows.map((row, i) => ({
    lowHz: row.lowHz,
    highHz: row.highHz,
    centreHz: Math.sqrt(row.lowHz * row.highHz),
    rawDeltaDb: raw[i],
    correctionDb: corrections[i],
  }));
}

/**
 * The nine spec bands (edges 20, 60, 120, 250, 500, 1k, 2k, 4k, 8k, 16k Hz).
 *
 * @example nineBandCorrections(targetAnalysis.spectrum, referenceAnalysis.spectrum, PROFILES.default)
 */
export function nineBandCorrections(
  target: SpectrumAnalysis,
  reference: SpectrumAnalysis,
  profile: MasteringProfile,
  targetResponse: PowerResponse = unity,
): MatchBand[] {
  const bands = MATCH_BAND_EDGES_HZ.slice(0, -1).map((low, i) => [low, MATCH_BAND_EDGES_HZ[i + 1]] as const);
  return toMatchBands(bandDeltas(target, reference, bands, targetResponse), profile);
}

/**
 * The realised matching curve at 1/3-octave resolution.
 *
 * @example const curve = thirdOctaveCorrections(t.spectrum, r.spectrum, PROFILES.default, chainResponse);
 */
export function thirdOctaveCorrections(
  target: SpectrumAnalysis,
  reference: SpectrumAnalysis,
  profile: MasteringProfile,
  targetResponse: PowerResponse = unity,
): MatchBand[] {
  const bands = THIRD_OCTAVE_CENTRES_HZ.map((c) => [c * Math.pow(2, -1 / 6), c * Math.pow(2, 1 / 6)] as const);
  return toMatchBands(bandDeltas(target, reference, bands, targetResponse), profile);
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
 * The chain's effect on an excerpt, per 1/3-octave band: its output's power
 * over its input's (flat outside the bands and where a band is empty). Laid
 * over the whole track's spectrum, it estimates the whole output without the
 * excerpt's own content in it.
 *
 * @example const transfer = bandTransfer(analyzeSpectrum(excerpt, fs), analyzeSpectrum(renderedExcerpt, fs));
 */
export function bandTransfer(input: SpectrumAnalysis, output: SpectrumAnalysis): PowerResponse {
  const bands = THIRD_OCTAVE_CENTRES_HZ.map((c) => [c * Math.pow(2, -1 / 6), c * Math.pow(2, 1 / 6)] as const);
  const ratios = bands.map(([lowHz, highHz]) => {
    const before = bandPowerDensity(input, lowHz, highHz, unity);
    const after = bandPowerDensity(output, lowHz, highHz, unity);
    return before === null || after === null || !(before > 0) || !(after > 0) ? 1 : after / before;
  });
  const lowest = bands[0][0];
  return (frequencyHz) => {
    if (frequencyHz < lowest) return ratios[0];
    for (let b = 0; b < bands.length; b++) if (frequencyHz < bands[b][1]) return ratios[b];
    return ratios[ratios.length - 1];
  };
}

/**
 * Closes the loop on the matching curve: compares the estimated output
 * spectrum with the reference and folds the smoothed residual into the
 * current corrections (same bands, same clamps and minimum). Compression and
 * limiting shift the tonal balance they are fed; this measures that shift
 * instead of guessing it. The estimate is the whole target's spectrum through
 * `response`: the static EQ's response times the {@link bandTransfer} a probe
 * render measured, so a probe of excerpts judges the chain, not the excerpts.
 *
 * @example const refined = refineCorrections(curve, target.spectrum, (f) => staticEq(f) * transfer(f), reference.spectrum, profile);
 */
export function refineCorrections(
  current: readonly MatchBand[],
  target: SpectrumAnalysis,
  response: PowerResponse,
  reference: SpectrumAnalysis,
  profile: MasteringProfile,
): MatchBand[] {
  const residual = thirdOctaveCorrections(target, reference, profile, response);
  const smoothed = smooth(
    residual.map((band) => band.rawDeltaDb),
    profile.eqSmoothingKernel,
  );
  const byCentre = new Map(residual.map((band, i) => [Math.round(band.centreHz), smoothed[i]]));
  const totals = current.map((band) => band.correctionDb + (byCentre.get(Math.round(band.centreHz)) ?? 0));
  const corrections = finishCurve(totals, profile);
  return current.map((band, i) => ({ ...band, correctionDb: corrections[i] }));
}
