/**
 * Tuning tables of SPEC section 4 as data: one row per profile, one row per
 * preset. Decision code reads these; nothing here branches.
 */
import type { EqPreset, ProfileId } from './options.ts';

export interface Range {
  readonly min: number;
  readonly max: number;
}

export interface MasteringProfile {
  readonly id: ProfileId;
  /** Three-tap kernel smoothing the nine reported reference-match bands. */
  readonly eqSmoothingKernel: readonly [number, number, number];
  /** Clamp of the nine reported bands (the tuning table's "EQ max correction"). */
  readonly nineBandMaxCorrectionDb: number;
  /**
   * Safety limit of the realised matching curve (dB either way): sized so the
   * smoothed balance of real mixes is reached, it stops only extreme moves
   * (a band the target barely has, a reference with a hole in it).
   */
  readonly eqMaxCorrectionDb: number;
  /** Nine-band corrections under this are dropped (the realised curve keeps small moves: they add up). */
  readonly eqMinCorrectionDb: number;
  readonly shelfScale: number;
  readonly shelfClampDb: number;
  readonly compressorBaseThresholdDb: number;
  readonly compressorThresholdScale: number;
  readonly compressorThresholdClampDb: Range;
  readonly compressorBaseRatio: number;
  readonly compressorRatioScale: number;
  readonly compressorRatioClamp: Range;
  readonly limiterCeilingClippingDb: number;
  readonly limiterCeilingNormalDb: number;
  readonly deEsserThresholdBase: number;
  readonly deEsserThresholdDeltaScale: number;
  readonly deEsserThresholdClamp: Range;
  readonly deEsserDepthScale: number;
  readonly deEsserDepthClampDb: Range;
  readonly loudnessToleranceDb: number;
  readonly loudnessMaxCorrectionDb: number;
  readonly truePeakCeilingDbtp: number;
  readonly truePeakToleranceDb: number;
}

export const PROFILES: Readonly<Record<ProfileId, MasteringProfile>> = {
  default: {
    id: 'default',
    eqSmoothingKernel: [0.25, 0.5, 0.25],
    nineBandMaxCorrectionDb: 4,
    eqMaxCorrectionDb: 18,
    eqMinCorrectionDb: 0.75,
    shelfScale: 12,
    shelfClampDb: 3,
    compressorBaseThresholdDb: -22,
    compressorThresholdScale: 1.2,
    compressorThresholdClampDb: { min: -30, max: -14 },
    compressorBaseRatio: 2.2,
    compressorRatioScale: 0.3,
    compressorRatioClamp: { min: 1.5, max: 4 },
    limiterCeilingClippingDb: -1.0,
    limiterCeilingNormalDb: -0.9,
    deEsserThresholdBase: 0.08,
    deEsserThresholdDeltaScale: 0.2,
    deEsserThresholdClamp: { min: 0.04, max: 0.2 },
    deEsserDepthScale: 30,
    deEsserDepthClampDb: { min: 0, max: 6 },
    loudnessToleranceDb: 0.3,
    loudnessMaxCorrectionDb: 1.5,
    truePeakCeilingDbtp: -1.0,
    truePeakToleranceDb: 0.1,
  },
  conservative: {
    id: 'conservative',
    eqSmoothingKernel: [0.2, 0.6, 0.2],
    nineBandMaxCorrectionDb: 3,
    eqMaxCorrectionDb: 12,
    eqMinCorrectionDb: 1.0,
    shelfScale: 9,
    shelfClampDb: 2.25,
    compressorBaseThresholdDb: -20,
    compressorThresholdScale: 0.8,
    compressorThresholdClampDb: { min: -27, max: -16 },
    compressorBaseRatio: 1.9,
    compressorRatioScale: 0.2,
    compressorRatioClamp: { min: 1.3, max: 3 },
    limiterCeilingClippingDb: -1.1,
    limiterCeilingNormalDb: -1.0,
    deEsserThresholdBase: 0.1,
    deEsserThresholdDeltaScale: 0.15,
    deEsserThresholdClamp: { min: 0.05, max: 0.22 },
    deEsserDepthScale: 24,
    deEsserDepthClampDb: { min: 0, max: 4 },
    loudnessToleranceDb: 0.45,
    loudnessMaxCorrectionDb: 1.0,
    truePeakCeilingDbtp: -1.2,
    truePeakToleranceDb: 0.08,
  },
  aggressive: {
    id: 'aggressive',
    eqSmoothingKernel: [0.3, 0.4, 0.3],
    nineBandMaxCorrectionDb: 5.5,
    eqMaxCorrectionDb: 24,
    eqMinCorrectionDb: 0.5,
    shelfScale: 14,
    shelfClampDb: 4,
    compressorBaseThresholdDb: -24,
    compressorThresholdScale: 1.5,
    compressorThresholdClampDb: { min: -32, max: -12 },
    compressorBaseRatio: 2.6,
    compressorRatioScale: 0.45,
    compressorRatioClamp: { min: 1.8, max: 5 },
    limiterCeilingClippingDb: -0.9,
    limiterCeilingNormalDb: -0.7,
    deEsserThresholdBase: 0.07,
    deEsserThresholdDeltaScale: 0.25,
    deEsserThresholdClamp: { min: 0.035, max: 0.18 },
    deEsserDepthScale: 36,
    deEsserDepthClampDb: { min: 0, max: 8 },
    loudnessToleranceDb: 0.2,
    loudnessMaxCorrectionDb: 2.0,
    truePeakCeilingDbtp: -0.8,
    truePeakToleranceDb: 0.12,
  },
};

export interface PresetOffsets {
  readonly lowShelfDb: number;
  readonly highShelfDb: number;
  readonly lowBandBiasDb: number;
  readonly midBandBiasDb: number;
  readonly highBandBiasDb: number;
}

export const PRESET_OFFSETS: Readonly<Record<EqPreset, PresetOffsets>> = {
  neutral: { lowShelfDb: 0, highShelfDb: 0, lowBandBiasDb: 0, midBandBiasDb: 0, highBandBiasDb: 0 },
  warm: { lowShelfDb: 1.5, highShelfDb: -0.8, lowBandBiasDb: 0.5, midBandBiasDb: 0, highBandBiasDb: 0 },
  bright: { lowShelfDb: -0.8, highShelfDb: 1.8, lowBandBiasDb: 0, midBandBiasDb: 0, highBandBiasDb: 0.4 },
  'vocal-presence': { lowShelfDb: -0.6, highShelfDb: 1.2, lowBandBiasDb: 0, midBandBiasDb: 0.8, highBandBiasDb: 0.2 },
  'bass-boost': { lowShelfDb: 2.0, highShelfDb: -0.5, lowBandBiasDb: 0.8, midBandBiasDb: 0, highBandBiasDb: 0 },
};

/** Fixed corner frequencies of the chain (SPEC section 4, processing chain). */
export const CHAIN_FREQUENCIES = {
  highPassHz: 30,
  lowShelfHz: 125,
  highShelfHz: 6000,
} as const;

/** The nine reference-match bands: edges in Hz (SPEC section 4). */
export const MATCH_BAND_EDGES_HZ = [20, 60, 120, 250, 500, 1000, 2000, 4000, 8000, 16000] as const;

/** Compressor time constants (SPEC section 4). */
export const COMPRESSOR_TIMING = { attackMs: 15, releaseMs: 120 } as const;

/**
 * Limiter timing: 3 ms of look-ahead catches a transient's rise; reduction that
 * lasts (over 60 ms) releases in 150 ms (SPEC: ≈ 150 ms), a lone peak's in
 * 20 ms, so shaving transients for a loud goal does not dip the music around them.
 */
export const LIMITER_TIMING = { lookaheadMs: 3, releaseMs: 150, transientReleaseMs: 20, sustainMs: 60 } as const;
