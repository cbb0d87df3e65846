/**
 * Decision stage (SPEC section 4, matching issue): from the target's analysis,
 * the reference profile and the request options to every setting of the
 * chain — profile, strategy and its conditions, shelves, matching curve,
 * width, dynamics goal, compressor, de-esser, limiter and loudness goal. Pure:
 * the same analyses and options give the same decision.
 *
 * The controls: `match` says which dimensions follow the reference (one left
 * out stays as the target has it), `strength` scales every matching move
 * (shelves, curve, width change, dynamics change and the compressor's share),
 * while the loudness goal and the true-peak ceiling always hold.
 */
import type { TrackAnalysis } from './analysis.ts';
import { dynamicsGoal, type DynamicsGoal } from './dynamics-match.ts';
import { matchingCurve, nineBandCorrections, toneGoal, type MatchBand, type PowerResponse, type ToneGoal } from './eq-match.ts';
import { createEqualizer } from '../dsp/equalizer.ts';
import { bandPower } from '../dsp/spectrum.ts';
import { LOUDNESS_PRESETS, type LoudnessPresetId } from './loudness-presets.ts';
import { MATCH_DIMENSIONS, resolveProfile, type DeEsserMode, type EqMode, type EqPreset, type MatchDimension, type ProfileId } from './options.ts';
import { compressorAmount } from './processing.ts';
import {
  CHAIN_FREQUENCIES,
  COMPRESSOR_TIMING,
  LIMITER_TIMING,
  PRESET_OFFSETS,
  PROFILES,
  type MasteringProfile,
  type PresetOffsets,
  type Range,
} from './profiles.ts';
import type { LongTermSpectrum, ReferenceProfile } from './reference-profile.ts';
import { selectStrategy, type StrategySelection } from './strategies.ts';
import { decideWidth, type WidthDecision } from './width-match.ts';

export interface DecisionOptions {
  readonly eqMode: EqMode;
  readonly eqPreset: EqPreset;
  readonly deEsserMode: DeEsserMode;
  readonly profile?: ProfileId;
  /** Explicit loudness goal (LUFS). */
  readonly goalLufs?: number;
  readonly loudnessPreset?: LoudnessPresetId;
  /** Explicit true-peak ceiling (dBTP). */
  readonly ceilingDbtp?: number;
  /** 0–100 (default 100). */
  readonly strength?: number;
  /** Default: every dimension. */
  readonly match?: readonly MatchDimension[];
}

export type LoudnessGoalSource = 'target_lufs' | 'loudness_preset' | 'reference' | 'target' | 'none';

export interface LoudnessGoal {
  /** null when there is nothing to aim at (a silent track): the level is kept. */
  readonly lufs: number | null;
  readonly source: LoudnessGoalSource;
  readonly toleranceDb: number;
  readonly maxCorrectionDb: number;
}

export interface MasteringDecision {
  readonly profile: MasteringProfile;
  readonly strategy: StrategySelection;
  readonly eqMode: EqMode;
  readonly eqPreset: EqPreset;
  readonly preset: PresetOffsets;
  /** 0–1. */
  readonly strength: number;
  readonly match: ReadonlySet<MatchDimension>;
  /** The chain's high-pass (Hz), part of tone processing; null when tone is left alone. */
  readonly highPassHz: number | null;
  /** Decided shelf gains before the preset offsets (what the match curve builds on). */
  readonly matchedLowShelfDb: number;
  readonly matchedHighShelfDb: number;
  /** Applied shelf gains: decided + preset offset. */
  readonly lowShelfDb: number;
  readonly highShelfDb: number;
  readonly bandBiasDb: { readonly low: number; readonly mid: number; readonly high: number };
  /** The nine spec bands (reported in both modes; realised only in reference-match). */
  readonly eqBands: readonly MatchBand[];
  /**
   * What the realised curve aims at: the reference's balance by strength in
   * reference-match, the target's own when tone is not matched; null in fixed
   * mode with tone matched (the shelves are the matching there).
   */
  readonly toneGoal: ToneGoal | null;
  /** The realised 1/6-octave curve toward the tone goal (before refinement); empty without a goal. */
  readonly eqCurve: readonly MatchBand[];
  /** The reference's codec cut-off (Hz) when it has one: nothing is matched above it. */
  readonly referenceCutoffHz: number | null;
  readonly width: WidthDecision;
  readonly dynamics: DynamicsGoal;
  readonly crestDeltaDb: number;
  readonly compressor: {
    readonly thresholdDb: number;
    readonly ratio: number;
    readonly attackMs: number;
    readonly releaseMs: number;
    /** 0–1: share of the computed reduction applied (crest excess × strength; 0 unless dynamics are matched). */
    readonly amount: number;
  };
  readonly deEsser: { readonly mode: DeEsserMode; readonly thresholdShare: number; readonly depthDb: number };
  readonly limiter: {
    readonly ceilingDbtp: number;
    readonly lookaheadMs: number;
    readonly releaseMs: number;
    readonly transientReleaseMs: number;
    readonly sustainMs: number;
  };
  readonly truePeak: { readonly ceilingDbtp: number; readonly source: 'ceiling_dbtp' | 'loudness_preset' | 'profile'; readonly toleranceDb: number };
  readonly loudness: LoudnessGoal;
}

export const clamp = (value: number, range: Range): number => Math.min(range.max, Math.max(range.min, value));

/**
 * The high-pass removes rumble the target has and the reference does not:
 * it runs when the target's energy under 30 Hz (against its 30–120 Hz) is
 * this many dB above the reference's. On material without such rumble — a
 * mastered track against itself — a high-pass only shifts the bass's phase,
 * which raises its peaks and costs limiting for nothing.
 */
export const HIGH_PASS_SUBSONIC_EXCESS_DB = 3;

function subsonicExcessDb(target: LongTermSpectrum, reference: LongTermSpectrum): number {
  const ratioDb = (spectrum: LongTermSpectrum) => {
    const below = bandPower(spectrum.longTermPower, spectrum.binHz, 0, CHAIN_FREQUENCIES.highPassHz);
    const above = bandPower(spectrum.longTermPower, spectrum.binHz, CHAIN_FREQUENCIES.highPassHz, 120);
    return 10 * Math.log10((below + 1e-30) / (above + 1e-30));
  };
  return ratioDb(target) - ratioDb(reference);
}
const symmetric = (limit: number): Range => ({ min: -limit, max: limit });

/**
 * Decides the chain for `target` mastered against `reference`.
 *
 * @example const decision = decideMastering(targetAnalysis, referenceAnalysis, { eqMode: 'fixed', eqPreset: 'neutral', deEsserMode: 'off' });
 */
export function decideMastering(target: TrackAnalysis, reference: ReferenceProfile, options: DecisionOptions): MasteringDecision {
  const profile = PROFILES[resolveProfile(options)];
  const preset = PRESET_OFFSETS[options.eqPreset];
  const strength = Math.min(100, Math.max(0, options.strength ?? 100)) / 100;
  const match = new Set<MatchDimension>(options.match ?? MATCH_DIMENSIONS);
  const matchTone = match.has('tone') && strength > 0;
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
  const toneScale = matchTone ? strength : 0;
  const matchedLowShelfDb =
    toneScale * clamp((reference.energyShares.low - target.energyShares.low) * profile.shelfScale * scales.eqScale, shelfRange);
  const matchedHighShelfDb =
    toneScale * clamp((reference.energyShares.high - target.energyShares.high) * profile.shelfScale * scales.eqScale, shelfRange);
  const highPassHz = matchTone && subsonicExcessDb(target.spectrum, reference.spectrum) > HIGH_PASS_SUBSONIC_EXCESS_DB ? CHAIN_FREQUENCIES.highPassHz : null;

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

  const presetLoudness = options.loudnessPreset ? LOUDNESS_PRESETS[options.loudnessPreset] : null;
  const truePeak =
    options.ceilingDbtp !== undefined
      ? { ceilingDbtp: options.ceilingDbtp, source: 'ceiling_dbtp' as const }
      : presetLoudness
        ? { ceilingDbtp: presetLoudness.ceilingDbtp, source: 'loudness_preset' as const }
        : { ceilingDbtp: profile.truePeakCeilingDbtp, source: 'profile' as const };
  // The profile's limiter sits a little above or below its true-peak ceiling
  // (the loudness stage never lets it aim above that); a chosen ceiling moves both together.
  const profileLimiterDb = (target.clipping ? profile.limiterCeilingClippingDb : profile.limiterCeilingNormalDb) + scales.ceilingOffsetDb;
  const limiterCeilingDbtp = profileLimiterDb + (truePeak.ceilingDbtp - profile.truePeakCeilingDbtp);

  // What matching builds on: the high-pass and the shelves (above 30 Hz, what the reference has there is matched back).
  const chainResponse: PowerResponse = createEqualizer({
    sampleRateHz: target.sampleRateHz,
    highPassHz,
    lowShelf: { cornerHz: CHAIN_FREQUENCIES.lowShelfHz, gainDb: matchedLowShelfDb },
    highShelf: { cornerHz: CHAIN_FREQUENCIES.highShelfHz, gainDb: matchedHighShelfDb },
    bells: [],
  }).powerResponse;
  const eqBands = nineBandCorrections(target.spectrum, reference.spectrum, profile, chainResponse);
  // The output's tone is held to a goal in reference-match (the reference's
  // balance by strength), and whenever tone is left as the target has it (not
  // matched, or strength 0): then the goal is the target's own balance, and the
  // curve only undoes what compression and limiting do to it.
  const holdsTone = options.eqMode === 'reference-match' || !matchTone;
  const curveGoal =
    holdsTone && !target.silent && !reference.silent
      ? toneGoal(target.spectrum, reference.spectrum, {
          strength: matchTone ? strength : 0,
          cutoffHz: reference.spectralCutoffHz,
          lowestHz: CHAIN_FREQUENCIES.highPassHz,
        })
      : null;
  const eqCurve = curveGoal ? matchingCurve(target.spectrum, curveGoal, profile, chainResponse) : [];

  const tolerances = { toleranceDb: profile.loudnessToleranceDb, maxCorrectionDb: profile.loudnessMaxCorrectionDb };
  const loudness: LoudnessGoal =
    options.goalLufs !== undefined
      ? { lufs: options.goalLufs, source: 'target_lufs', ...tolerances }
      : presetLoudness
        ? { lufs: presetLoudness.goalLufs, source: 'loudness_preset', ...tolerances }
        : match.has('loudness')
          ? { lufs: reference.integratedLufs, source: reference.integratedLufs === null ? 'none' : 'reference', ...tolerances }
          : { lufs: target.integratedLufs, source: target.integratedLufs === null ? 'none' : 'target', ...tolerances };

  const matchDynamics = match.has('dynamics');
  return {
    profile,
    strategy,
    eqMode: options.eqMode,
    eqPreset: options.eqPreset,
    preset,
    strength,
    match,
    highPassHz,
    matchedLowShelfDb,
    matchedHighShelfDb,
    lowShelfDb: matchedLowShelfDb + preset.lowShelfDb,
    highShelfDb: matchedHighShelfDb + preset.highShelfDb,
    bandBiasDb: { low: preset.lowBandBiasDb, mid: preset.midBandBiasDb, high: preset.highBandBiasDb },
    eqBands,
    toneGoal: curveGoal,
    eqCurve,
    referenceCutoffHz: reference.spectralCutoffHz,
    width: decideWidth(target.width, reference.width, strength, match.has('width')),
    dynamics: dynamicsGoal(target.loudnessRangeLu, reference.loudnessRangeLu, strength, matchDynamics),
    crestDeltaDb,
    compressor: {
      thresholdDb,
      ratio,
      attackMs: COMPRESSOR_TIMING.attackMs,
      releaseMs: COMPRESSOR_TIMING.releaseMs,
      amount: matchDynamics ? strength * compressorAmount(crestDeltaDb) : 0,
    },
    deEsser: { mode: options.deEsserMode, thresholdShare: deEsserThreshold, depthDb: deEsserDepth },
    limiter: { ceilingDbtp: limiterCeilingDbtp, ...LIMITER_TIMING },
    truePeak: { ...truePeak, toleranceDb: profile.truePeakToleranceDb },
    loudness,
  };
}
