/**
 * What a master is matched to: one reference's analysis, or several
 * references combined into one profile. The combination is loudness-weighted
 * (each reference weighs as its integrated loudness in power, 10^(LUFS/10), so
 * a louder reference counts for more, as it would when played after the other)
 * and independent of the order the references came in: they are put in a
 * canonical order first, so the same set always gives the same numbers to the
 * last bit.
 *
 * - Tone: the long-term spectra, each normalised to its own total power (its
 *   shape), averaged with the weights.
 * - Width: per band, side and mid power of each reference over its own total
 *   mid power, averaged with the weights (mono references do not vote).
 * - Loudness, loudness range, crest factor: weighted means in dB.
 */
import { bandPower, type SpectrumAnalysis } from '../dsp/spectrum.ts';
import { WIDTH_BANDS, widthFromBandPowers, type StereoWidth, type WidthBandId } from '../dsp/stereo-width.ts';
import type { EnergyShares, TrackAnalysis } from './analysis.ts';

/** A long-term power spectrum: what tone matching reads of a track. */
export type LongTermSpectrum = Pick<SpectrumAnalysis, 'sampleRateHz' | 'binHz' | 'longTermPower'>;

/** The reference side of a decision: one track's analysis or several combined. */
export interface ReferenceProfile {
  /** The lowest sample rate among the references. */
  readonly sampleRateHz: number;
  /** The most channels among the references. */
  readonly channelCount: number;
  readonly durationSeconds: number;
  readonly integratedLufs: number | null;
  readonly loudnessRangeLu: number | null;
  readonly truePeakDbtp: number | null;
  readonly crestFactorDb: number | null;
  readonly energyShares: EnergyShares;
  readonly sibilanceRatio: number;
  readonly clipping: boolean;
  readonly silent: boolean;
  readonly spectrum: LongTermSpectrum;
  readonly width: StereoWidth | null;
  /** The lowest codec cut-off among the references (Hz), or null when none is band-limited. */
  readonly spectralCutoffHz: number | null;
}

/**
 * One profile from one or more reference analyses (a single one is returned as it is).
 *
 * @example const reference = combineReferences([analyzeTrack(a), analyzeTrack(b)]);
 */
export function combineReferences(analyses: readonly TrackAnalysis[]): ReferenceProfile {
  if (analyses.length === 0) throw new RangeError('at least one reference is needed');
  if (analyses.length === 1) return analyses[0];
  const ordered = [...analyses].sort(compareCanonically);
  const voting = ordered.filter((analysis) => !analysis.silent && analysis.integratedLufs !== null);
  if (voting.length === 0) return { ...ordered[0], durationSeconds: sum(ordered.map((a) => a.durationSeconds)) };
  const weights = normalised(voting.map((analysis) => Math.pow(10, analysis.integratedLufs! / 10)));
  const spectrum = combineSpectra(voting, weights);
  const total = bandPower(spectrum.longTermPower, spectrum.binHz, 0, Infinity);
  const share = (lowHz: number, highHz: number) => (total > 0 ? bandPower(spectrum.longTermPower, spectrum.binHz, lowHz, highHz) / total : 0);
  const weightedMean = (values: ReadonlyArray<number | null>) => {
    let acc = 0;
    let weight = 0;
    values.forEach((value, i) => {
      if (value === null) return;
      acc += weights[i] * value;
      weight += weights[i];
    });
    return weight > 0 ? acc / weight : null;
  };
  const cutoffs = ordered.map((a) => a.spectralCutoffHz).filter((hz): hz is number => hz !== null);
  const peaks = ordered.map((a) => a.truePeakDbtp).filter((db): db is number => db !== null);
  return {
    sampleRateHz: Math.min(...ordered.map((a) => a.sampleRateHz)),
    channelCount: Math.max(...ordered.map((a) => a.channelCount)),
    durationSeconds: sum(ordered.map((a) => a.durationSeconds)),
    integratedLufs: weightedMean(voting.map((a) => a.integratedLufs)),
    loudnessRangeLu: weightedMean(voting.map((a) => a.loudnessRangeLu)),
    truePeakDbtp: peaks.length ? Math.max(...peaks) : null,
    crestFactorDb: weightedMean(voting.map((a) => a.crestFactorDb)),
    energyShares: { low: share(0, 200), mid: share(200, 4000), high: share(4000, Infinity) },
    sibilanceRatio: share(5000, 10000),
    clipping: ordered.some((a) => a.clipping),
    silent: false,
    spectrum,
    width: combineWidths(voting, weights),
    spectralCutoffHz: cutoffs.length ? Math.min(...cutoffs) : null,
  };
}

const sum = (values: readonly number[]) => values.reduce((acc, value) => acc + value, 0);

function normalised(values: readonly number[]): number[] {
  const total = sum(values);
  return values.map((value) => value / total);
}

/** A total order on analyses by what they measured, so a set has one canonical order. */
function compareCanonically(a: TrackAnalysis, b: TrackAnalysis): number {
  const keys = (x: TrackAnalysis) => [x.integratedLufs ?? -Infinity, x.durationSeconds, x.sampleRateHz, x.channelCount, x.rmsDbfs ?? -Infinity, spectrumChecksum(x.spectrum)];
  const ka = keys(a);
  const kb = keys(b);
  for (let i = 0; i < ka.length; i++) if (ka[i] !== kb[i]) return ka[i] < kb[i] ? -1 : 1;
  return 0;
}

function spectrumChecksum(spectrum: LongTermSpectrum): number {
  let acc = 0;
  for (let k = 0; k < spectrum.longTermPower.length; k++) acc = acc * 0.999 + spectrum.longTermPower[k] * (1 + (k % 7));
  return acc;
}

/**
 * Weighted mean of the references' spectral shapes on the finest grid among
 * them (the highest sample rate's bins up to its Nyquist frequency); above a
 * reference's own Nyquist frequency only the others count.
 */
function combineSpectra(analyses: readonly TrackAnalysis[], weights: readonly number[]): LongTermSpectrum {
  const grid = analyses.reduce((best, a) => (a.spectrum.sampleRateHz > best.spectrum.sampleRateHz || (a.spectrum.sampleRateHz === best.spectrum.sampleRateHz && a.spectrum.binHz < best.spectrum.binHz) ? a : best)).spectrum;
  const bins = grid.longTermPower.length;
  const density = new Float64Array(bins);
  const presentWeight = new Float64Array(bins);
  analyses.forEach(({ spectrum }, i) => {
    const total = bandPower(spectrum.longTermPower, spectrum.binHz, 0, Infinity);
    if (!(total > 0)) return;
    const last = spectrum.longTermPower.length - 1;
    for (let k = 1; k < bins; k++) {
      const hz = k * grid.binHz;
      const source = Math.round(hz / spectrum.binHz);
      if (source > last) break;
      density[k] += (weights[i] * spectrum.longTermPower[source]) / (spectrum.binHz * total);
      presentWeight[k] += weights[i];
    }
  });
  const longTermPower = new Float64Array(bins);
  for (let k = 1; k < bins; k++) longTermPower[k] = presentWeight[k] > 0 ? (density[k] / presentWeight[k]) * grid.binHz : 0;
  return { sampleRateHz: grid.sampleRateHz, binHz: grid.binHz, longTermPower };
}

function combineWidths(analyses: readonly TrackAnalysis[], weights: readonly number[]): StereoWidth | null {
  const stereo = analyses.map((a, i) => ({ width: a.width, weight: weights[i] })).filter((x): x is { width: StereoWidth; weight: number } => x.width !== null);
  if (stereo.length === 0) return null;
  const mid = {} as Record<WidthBandId, number>;
  const side = {} as Record<WidthBandId, number>;
  for (const band of WIDTH_BANDS) {
    mid[band.id] = 0;
    side[band.id] = 0;
  }
  let above200Db = 0;
  let above200Weight = 0;
  for (const { width, weight } of stereo) {
    const totalMid = sum(WIDTH_BANDS.map((band) => width.midPower[band.id]));
    if (!(totalMid > 0)) continue;
    for (const band of WIDTH_BANDS) {
      mid[band.id] += (weight * width.midPower[band.id]) / totalMid;
      side[band.id] += (weight * width.sidePower[band.id]) / totalMid;
    }
    if (width.above200HzDb !== null) {
      above200Db += weight * width.above200HzDb;
      above200Weight += weight;
    }
  }
  return widthFromBandPowers(mid, side, above200Weight > 0 ? above200Db / above200Weight : null);
}
