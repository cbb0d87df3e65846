/**
 * The long-term 1/3-octave spectrum of a track, level-normalised, for display
 * and comparison: each band's share of the power in all bands the track can
 * hold, in dB. Two tracks at different loudness then compare by tonal shape
 * alone, the way the reference-match EQ compares them.
 */
import type { SpectrumAnalysis } from '../dsp/spectrum.ts';
import { THIRD_OCTAVE_CENTRES_HZ } from '../mastering/eq-match.ts';

export interface ThirdOctaveSpectrum {
  /** Band centres, Hz (base-2 series around 1 kHz, 25 Hz to 20 kHz). */
  readonly centresHz: readonly number[];
  /**
   * Band power as a share of the power in every band present, dB (the shares
   * sum to one, so every value is ≤ 0). Null where the band reaches past the
   * Nyquist frequency, and everywhere for silence.
   */
  readonly levelsDb: ReadonlyArray<number | null>;
}

const HALF_BAND = Math.pow(2, 1 / 6);

/** Power in [lowHz, highHz) from the bins whose centres fall inside; the nearest bin, scaled, when none does. */
function bandPowerOf(spectrum: SpectrumAnalysis, lowHz: number, highHz: number): number {
  const { longTermPower, binHz } = spectrum;
  const first = Math.max(1, Math.ceil(lowHz / binHz));
  const last = Math.min(longTermPower.length - 1, Math.ceil(highHz / binHz) - 1);
  let sum = 0;
  for (let k = first; k <= last; k++) sum += longTermPower[k];
  if (last >= first) return sum;
  // A band narrower than a bin (very short audio): its share of the bin it sits in.
  const k = Math.min(longTermPower.length - 1, Math.max(1, Math.round(Math.sqrt(lowHz * highHz) / binHz)));
  return (longTermPower[k] * (highHz - lowHz)) / binHz;
}

/**
 * Level-normalised 1/3-octave band levels of a long-term spectrum (from
 * `analyzeSpectrum`). Bands whose upper edge lies above the Nyquist frequency
 * are null: the track cannot hold them, and a partial band would read as a
 * roll-off that is only the sample rate.
 *
 * @example
 * const { centresHz, levelsDb } = thirdOctaveSpectrum(analyzeSpectrum(audio.channels, audio.sampleRateHz));
 * // centresHz[16] === 1000; levelsDb[16] is the 1 kHz band's share in dB, e.g. -11.2
 */
export function thirdOctaveSpectrum(spectrum: SpectrumAnalysis): ThirdOctaveSpectrum {
  const nyquistHz = spectrum.sampleRateHz / 2;
  const powers = THIRD_OCTAVE_CENTRES_HZ.map((centreHz) => {
    const highHz = centreHz * HALF_BAND;
    return highHz > nyquistHz ? null : bandPowerOf(spectrum, centreHz / HALF_BAND, highHz);
  });
  const total = powers.reduce<number>((sum, power) => sum + (power ?? 0), 0);
  const levelsDb = powers.map((power) => {
    if (power === null || !(total > 0) || !Number.isFinite(total)) return null;
    // A band with no energy at all (e.g. below a steep high-pass) reads as the floor, not −∞.
    return 10 * Math.log10(Math.max(power / total, 1e-15));
  });
  return { centresHz: THIRD_OCTAVE_CENTRES_HZ, levelsDb };
}
