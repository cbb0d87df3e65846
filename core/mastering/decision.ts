/**
 * Decision stage (SPEC section 4): from the two analyses and the request
 * options to every setting of the chain — profile, strategy and its
 * conditions, shelves, matching EQ, compressor, de-esser, limiter ceiling and
 * loudness goal. Pure: the same analyses and options give the same decision.
 */
import { cascadePowerResponse } from '../dsp/biquad.ts';
import { designHighPass, designHighShelf, designLowShelf } from '../dsp/filters.ts';
import type { TrackAnalysis } from './analysis.ts';
import { nineBandCorrections, thirdOctaveCorrections, type MatchBand, type PowerResponse } from './eq-match.ts';
import { resolveProfile, type DeEsserMode, type EqMode, type EqPreset, type ProfileId } from './options.ts';
import {
  CHAIN_FREQUENCIES,
  COMPRESSOR_TIMING,
  LIMITER_RELEASE_MS,
  PRESET_OFFSETS,
  PROFILES,
  type MasteringProfile,
  type PresetOffsets,
  type Range,
} from './profiles.ts';
import { selectStrategy, type StrategySelection } from './strategies.ts';

export interface DecisionOptions {
  readonly eqMode: EqMode;
  readonly eqPreset: EqPreset;
  readonly deEsserMode: DeEsserMode;
  readonly profile?: ProfileId;
  readonly targetLufs?: number;
}


export interface LoudnessGoal {
  /** null when neither the reference nor the option gives a goal (e.g. silent reference): keep the level. */
  readonly lufs: number | null;
  readonly source: 'reference' | 'target_lufs' | 'none';
  readonly toleranceDb: number;
  readonly maxCorrectionDb: number;
}

export interface MasteringDecision {
  readonly profile: MasteringProfile;
  readonly strategy: StrategySelection;
  readonly eqMode: EqMode;
  readonly eqPreset: EqPreset;
  readonly preset: PresetOffsets;
  readonly highPassHz: number;
  /** Decided shelf gains before the preset offsets (what the match curve builds on). */
  readonly matchedLowShelfDb: number;
  readonly matchedHighShelfDb: number;
  /** Applied shelf gains: decided + preset offset. */
  readonly lowShelfDb: number;
  readonly highShelfDb: number;
  readonly bandBiasDb: { readonly low: number; readonly mid: number; readonly high: number };
  /** The nine spec bands (reported in both modes; realised only in reference-match). */
  readonly eqBands: readonly MatchBand[];
  /** The realised 1/3-octave matching curve; empty in fixed mode. */
  readonly eqCurve: readonly MatchBand[];
  readonly crestDeltaDb: number;
  readonly compressor: {
    readonly thresholdDb: number;
    readonly ratio: number;
    readonly attackMs: number;
    readonly releaseMs: number;
  };
  readonly deEsser: { readonly mode: DeEsserMode; readonly thresholdShare: number; readonly depthDb: number };
  readonly limiter: { readonly ceilingDbtp: number; readonly releaseMs: number };
  readonly truePeak: { readonly ceilingDbtp: number; readonly toleranceDb: number };
  readonly loudness: LoudnessGoal;
}

export const clamp = (value: number, range: Range): number => Math.min(range.max, Math.max(range.min, value));
const symmetric = (limit: number): Range => ({ min: -limit, max: limit });

/** Power response of the high-pass and the decided (pre-preset) shelves at the target's rate. */
function chainPowerResponse(sampleRateHz: number, lowShelfDb: number, highShelfDb: number): PowerResponse {
  const sections = [
    designHighPass(CHAIN_FREQUENCIES.highPassHz, sampleRateHz),
    designLowShelf(CHAIN_FREQUENCIES.lowShelfHz, lowShelfDb, sampleRateHz),
    designHighShelf(CHAIN_FREQUENCIES.highShelfHz, highShelfDb, sampleRateHz),
  ];
  return cascadePowerResponse(sections, sampleRateHz);
}

/**
 * Decides the chain for `target` mastered against `reference`.
 *
 * @example const decision = decideMastering(targetAnalysis, referenceAnalysis, { eqMode: 'fixed', eqPreset: 'neutral', deEsserMode: 'off' });
 */
export function decideMastering(target: TrackAnalysis, reference: TrackAnalysis, options: DecisionOptions): MasteringDecision {
  const profile = PROFILES[resolveProfile(options)];
  const preset = PRESET_OFFSETS[options.eqPreset];
  const targetCrest = target.crestFactorDb ?? 0;
  const referenceCrest = reference.crestFactorDb ?? 0;
  const strategy = selectStrategy({
    targetLowShare: target.energyShares.low,
    referenceLowShare: reference.energyShares.low,
    targetHighShare: target.energyShares.high,
    referenceHighShare: reference.energyShares.high,
    targetSibilance: target.sibilanceRatio,
    referenceSibilance: reference.sibilanceRatio,
    targetCrestDb: targetCrest,
    referenceCrestDb: referenceCrest,
    targetClipping: target.clipping,
    targetRmsDbfs: target.rmsDbfs ?? -Infinity,
  });
  const { scales } = strategy;

  const shelfRange = symmetric(profile.shelfClampDb);
  const matchedLowShelfDb = clamp(
    (reference.energyShares.low - target.energyShares.low) * profile.shelfScale * scales.eqScale,
    shelfRange,
  );
  const matchedHighShelfDb = clamp(
    (reference.energyShares.high - target.energyShares.high) * profile.shelfScale * scales.eqScale,
    shelfRange,
  );

  const crestDeltaDb = targetCrest - referenceCrest;
  const thresholdDb = clamp(
    profile.compressorBaseThresholdDb + crestDeltaDb * profile.compressorThresholdScale * scales.dynamicsScale,
    profile.compressorThresholdClampDb,
  );
  const ratio = clamp(
    profile.compressorBaseRatio + Math.max(0, crestDeltaDb) * profile.compressorRatioScale * scales.dynamicsScale,
    profile.compressorRatioClamp,
  );

  const deEsserThreshold = clamp(
    profile.deEsserThresholdBase +
      reference.sibilanceRatio * profile.deEsserThresholdDeltaScale +
      scales.deEsserThresholdOffset,
    profile.deEsserThresholdClamp,
  );
  const deEsserDepth = clamp(
    (Math.max(0, target.sibilanceRatio - deEsserThreshold) +
      0.5 * Math.max(0, target.sibilanceRatio - reference.sibilanceRatio)) *
      profile.deEsserDepthScale *
      scales.deEsserScale,
    profile.deEsserDepthClampDb,
  );

  const ceilingDbtp =
    (target.clipping ? profile.limiterCeilingClippingDb : profile.limiterCeilingNormalDb) + scales.ceilingOffsetDb;

  const response = chainPowerResponse(target.sampleRateHz, matchedLowShelfDb, matchedHighShelfDb);
  const eqBands = nineBandCorrections(target.spectrum, reference.spectrum, profile, response);
  const eqCurve =
    options.eqMode === 'reference-match' && !target.silent && !reference.silent
      ? thirdOctaveCorrections(target.spectrum, reference.spectrum, profile, response)
      : [];

  const loudness: LoudnessGoal =
    options.targetLufs !== undefined
      ? { lufs: options.targetLufs, source: 'target_lufs', toleranceDb: profile.loudnessToleranceDb, maxCorrectionDb: profile.loudnessMaxCorrectionDb }
      : reference.integratedLufs !== null
        ? { lufs: reference.integratedLufs, source: 'reference', toleranceDb: profile.loudnessToleranceDb, maxCorrectionDb: profile.loudnessMaxCorrectionDb }
        : { lufs: null, source: 'none', toleranceDb: profile.loudnessToleranceDb, maxCorrectionDb: profile.loudnessMaxCorrectionDb };

  return {
    profile,
    strategy,
    eqMode: options.eqMode,
    eqPreset: options.eqPreset,
    preset,
    highPassHz: CHAIN_FREQUENCIES.highPassHz,
    matchedLowShelfDb,
    matchedHighShelfDb,
    lowShelfDb: matchedLowShelfDb + preset.lowShelfDb,
    highShelfDb: matchedHighShelfDb + preset.highShelfDb,
    bandBiasDb: { low: preset.lowBandBiasDb, mid: preset.midBandBiasDb, high: preset.highBandBiasDb },
    eqBands,
    eqCurve,
    crestDeltaDb,
    compressor: { thresholdDb, ratio, attackMs: COMPRESSOR_TIMING.attackMs, releaseMs: COMPRESSOR_TIMING.releaseMs },
    deEsser: { mode: options.deEsserMode, thresholdShare: deEsserThreshold, depthDb: deEsserDepth },
    limiter: { ceilingDbtp, releaseMs: LIMITER_RELEASE_MS },
    truePeak: { ceilingDbtp: profile.truePeakCeilingDbtp, toleranceDb: profile.truePeakToleranceDb },
    loudness,
  };
}
