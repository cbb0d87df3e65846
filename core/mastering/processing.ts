/**
 * Processing stages up to the limiter (SPEC section 4 chain): high-pass, shelves
 * and preset band bias, the reference-match FIR, the compressor and the
 * de-esser, each in place on the target's channels. The loudness gain, limiter,
 * convergence and true-peak guard follow in `convergence.ts`.
 *
 * The de-esser runs before the (scalar) loudness gain here rather than after
 * it: its detector compares the sibilance band with the full band, a ratio no
 * gain changes, so the result is the same and the gain search can treat the
 * whole pre-limiter signal as fixed.
 */
import { cascadePowerResponse, type BiquadCoefficients } from '../dsp/biquad.ts';
import { filterChannelsInPlace } from '../dsp/channel-cascade.ts';
import { applyGainReduction, computeGainReduction, summarizeGainReduction } from '../dsp/compressor.ts';
import { deEss, type DeEsserReport } from '../dsp/deesser.ts';
import { designHighPass, designHighShelf, designLowShelf, designPeaking, IDENTITY_BIQUAD } from '../dsp/filters.ts';
import { convolveChannelsInPlace, prepareFirKernel } from '../dsp/fir-convolution.ts';
import { designMinimumPhaseFir } from '../dsp/minimum-phase.ts';
import type { MasteringDecision } from './decision.ts';
import { correctionCurve, type MatchBand } from './eq-match.ts';
import { CHAIN_FREQUENCIES } from './profiles.ts';

/** Programme loudness the compressor thresholds are calibrated for (an unmastered mix). */
export const COMPRESSOR_REFERENCE_LUFS = -20;
const COMPRESSOR_KNEE_DB = 6;

/** Preset band-bias bells: broad, centred in the low / mid / high regions. */
const BAND_BIAS_BELLS = { low: { hz: 90, q: 0.6 }, mid: { hz: 1200, q: 0.5 }, high: { hz: 8000, q: 0.6 } } as const;

/** Matching-FIR length: about 93 ms, enough resolution for 1/3-octave detail down to ~40 Hz. */
export const MATCH_FIR_SECONDS = 0.093;

/** The fixed EQ sections: high-pass, shelves and the non-zero band biases. */
export function designStaticEq(decision: MasteringDecision, sampleRateHz: number): BiquadCoefficients[] {
  const sections = [
    designHighPass(decision.highPassHz, sampleRateHz),
    designLowShelf(CHAIN_FREQUENCIES.lowShelfHz, decision.lowShelfDb, sampleRateHz),
    designHighShelf(CHAIN_FREQUENCIES.highShelfHz, decision.highShelfDb, sampleRateHz),
  ];
  for (const band of ['low', 'mid', 'high'] as const) {
    const { hz, q } = BAND_BIAS_BELLS[band];
    sections.push(designPeaking(hz, decision.bandBiasDb[band], q, sampleRateHz));
  }
  return sections.filter((section) => section !== IDENTITY_BIQUAD);
}

/** Crest-factor excess (target over reference) at which the decided compression applies in full. */
export const FULL_COMPRESSION_CREST_DELTA_DB = 6;

/**
 * How much of the decided compression to apply (0–1): in proportion to how
 * much more dynamic (higher crest factor) the target is than the reference,
 * in full from {@link FULL_COMPRESSION_CREST_DELTA_DB} up, and none when the
 * target is already as dense as the reference — an over-compressed or
 * identical target is not squashed further.
 */
export function compressorAmount(crestDeltaDb: number): number {
  return Math.min(1, Math.max(0, crestDeltaDb / FULL_COMPRESSION_CREST_DELTA_DB));
}

/** Power response of {@link designStaticEq}'s sections at `frequencyHz`. */
export function staticEqPowerResponse(decision: MasteringDecision, sampleRateHz: number): (frequencyHz: number) => number {
  return cascadePowerResponse(designStaticEq(decision, sampleRateHz), sampleRateHz);
}

/** High-pass, shelves and band bias, in place. Returns the number of sections. */
export function applyStaticEq(channels: Float32Array[], sampleRateHz: number, decision: MasteringDecision): number {
  const sections = designStaticEq(decision, sampleRateHz);
  filterChannelsInPlace(sections, channels);
  return sections.length;
}

/** The reference-match FIR for `curve`, in place. Returns its length (0 when the curve is flat). */
export function applyMatchEq(channels: Float32Array[], sampleRateHz: number, curve: readonly MatchBand[]): number {
  if (!curve.some((band) => band.correctionDb !== 0)) return 0;
  const taps = designMinimumPhaseFir(correctionCurve(curve), sampleRateHz, Math.round(MATCH_FIR_SECONDS * sampleRateHz));
  convolveChannelsInPlace(channels, prepareFirKernel(taps));
  return taps.length;
}

export interface DynamicsReport {
  readonly compressor: { readonly amount: number; readonly meanReductionDb: number; readonly maxReductionDb: number };
  readonly deEsser: DeEsserReport | null;
}

/**
 * Compressor (threshold calibrated to the target's programme loudness, see
 * {@link COMPRESSOR_REFERENCE_LUFS}) and, in `auto` mode, the de-esser — in place.
 */
export function applyDynamics(
  channels: Float32Array[],
  sampleRateHz: number,
  decision: MasteringDecision,
  targetLufs: number | null,
): DynamicsReport {
  const amount = compressorAmount(decision.crestDeltaDb);
  let summary = { meanDb: 0, maxDb: 0 };
  if (amount > 0) {
    const envelope = computeGainReduction(channels, sampleRateHz, {
      thresholdDb: decision.compressor.thresholdDb,
      ratio: decision.compressor.ratio,
      attackMs: decision.compressor.attackMs,
      releaseMs: decision.compressor.releaseMs,
      kneeDb: COMPRESSOR_KNEE_DB,
      detectorOffsetDb: targetLufs === null ? 0 : COMPRESSOR_REFERENCE_LUFS - targetLufs,
    });
    applyGainReduction(channels, envelope, amount);
    summary = summarizeGainReduction(envelope, amount);
  }
  const deEsser =
    decision.deEsser.mode === 'auto'
      ? deEss(channels, sampleRateHz, { thresholdShare: decision.deEsser.thresholdShare, depthDb: decision.deEsser.depthDb })
      : null;
  return { compressor: { amount, meanReductionDb: summary.meanDb, maxReductionDb: summary.maxDb }, deEsser };
}
