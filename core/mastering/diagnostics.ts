/**
 * Diagnostics (SPEC section 5): what was measured, decided and applied, as a
 * compact JSON-serialisable object for `X-Mastering-Diagnostics` and
 * `--report-json`. Numbers are rounded to what is meaningful (0.01 dB).
 */
import type { TrackAnalysis } from './analysis.ts';
import type { ConvergenceResult } from './convergence.ts';
import type { MasteringDecision } from './decision.ts';
import type { DynamicsReport } from './processing.ts';

/** What the processing stages report back. */
export interface ProcessingReport extends DynamicsReport {
  readonly eqSections: number;
  readonly matchFirTaps: number;
}

export interface MasteringDiagnostics {
  readonly profile: string;
  readonly strategy: { readonly id: string; readonly conditions: Record<string, boolean> };
  readonly input_lufs: number | null;
  readonly reference_lufs: number | null;
  readonly output_lufs: number | null;
  readonly loudness_goal_lufs: number | null;
  readonly loudness_goal_source: string;
  readonly loudness_goal_reached: boolean;
  readonly output_lra_lu: number | null;
  readonly output_true_peak_dbtp: number | null;
  readonly crest_factor_delta_db: number;
  readonly balance_delta: { readonly low: number; readonly mid: number; readonly high: number };
  readonly limiter: {
    readonly ceiling_dbtp: number;
    readonly true_peak_ceiling_dbtp: number;
    readonly measured_true_peak_dbtp: number | null;
    readonly margin_db: number | null;
    readonly max_reduction_db: number;
    readonly guard_trim_db: number;
  };
  readonly chain: {
    readonly eq_mode: string;
    readonly eq_preset: string;
    readonly high_pass_hz: number;
    readonly low_shelf_db: number;
    readonly high_shelf_db: number;
    readonly band_bias_db: { readonly low: number; readonly mid: number; readonly high: number };
    readonly eq_bands: ReadonlyArray<{ readonly lo_hz: number; readonly hi_hz: number; readonly db: number }>;
    readonly eq_curve_db: readonly number[];
    readonly eq_curve_hz: readonly number[];
    readonly match_fir_taps: number;
    readonly compressor: {
      readonly threshold_db: number;
      readonly ratio: number;
      readonly attack_ms: number;
      readonly release_ms: number;
      readonly amount: number;
      readonly mean_reduction_db: number;
      readonly max_reduction_db: number;
    };
    readonly de_esser: { readonly mode: string; readonly threshold: number; readonly depth_db: number; readonly active_fraction: number | null };
    readonly loudness_gain_db: number;
    readonly convergence_rounds: number;
  };
  readonly stage_ms: Record<string, number>;
}

const r2 = (value: number) => Math.round(value * 100) / 100;
const r4 = (value: number) => Math.round(value * 10000) / 10000;
const r2n = (value: number | null) => (value === null ? null : r2(value));

/**
 * Assembles the diagnostics of one mastering run.
 *
 * @example const diagnostics = buildDiagnostics(target, reference, decision, pre, converged, stageMs);
 */
export function buildDiagnostics(
  target: TrackAnalysis,
  reference: TrackAnalysis,
  decision: MasteringDecision,
  pre: ProcessingReport,
  converged: ConvergenceResult,
  stageMs: Record<string, number>,
): MasteringDiagnostics {
  const truePeak = converged.output.truePeakDbtp;
  return {
    profile: decision.profile.id,
    strategy: { id: decision.strategy.id, conditions: { ...decision.strategy.conditions } },
    input_lufs: r2n(target.integratedLufs),
    reference_lufs: r2n(reference.integratedLufs),
    output_lufs: r2n(converged.output.integratedLufs),
    loudness_goal_lufs: r2n(decision.loudness.lufs),
    loudness_goal_source: decision.loudness.source,
    loudness_goal_reached: converged.goalReached,
    output_lra_lu: r2n(converged.output.loudnessRangeLu),
    output_true_peak_dbtp: r2n(truePeak),
    crest_factor_delta_db: r2(decision.crestDeltaDb),
    balance_delta: {
      low: r4(reference.energyShares.low - target.energyShares.low),
      mid: r4(reference.energyShares.mid - target.energyShares.mid),
      high: r4(reference.energyShares.high - target.energyShares.high),
    },
    limiter: {
      ceiling_dbtp: r2(decision.limiter.ceilingDbtp),
      true_peak_ceiling_dbtp: decision.truePeak.ceilingDbtp,
      measured_true_peak_dbtp: r2n(truePeak),
      margin_db: truePeak === null ? null : r2(decision.truePeak.ceilingDbtp - truePeak),
      max_reduction_db: r2(converged.limiterMaxReductionDb),
      guard_trim_db: r2(converged.guardTrimDb),
    },
    chain: {
      eq_mode: decision.eqMode,
      eq_preset: decision.eqPreset,
      high_pass_hz: decision.highPassHz,
      low_shelf_db: r2(decision.lowShelfDb),
      high_shelf_db: r2(decision.highShelfDb),
      band_bias_db: { ...decision.bandBiasDb },
      eq_bands: decision.eqBands.map((band) => ({ lo_hz: band.lowHz, hi_hz: band.highHz, db: r2(band.correctionDb) })),
      eq_curve_hz: decision.eqCurve.map((band) => Math.round(band.centreHz)),
      eq_curve_db: decision.eqCurve.map((band) => r2(band.correctionDb)),
      match_fir_taps: pre.matchFirTaps,
      compressor: {
        threshold_db: r2(decision.compressor.thresholdDb),
        ratio: r2(decision.compressor.ratio),
        attack_ms: decision.compressor.attackMs,
        release_ms: decision.compressor.releaseMs,
        amount: r2(pre.compressor.amount),
        mean_reduction_db: r2(pre.compressor.meanReductionDb),
        max_reduction_db: r2(pre.compressor.maxReductionDb),
      },
      de_esser: {
        mode: decision.deEsser.mode,
        threshold: r4(decision.deEsser.thresholdShare),
        depth_db: r2(decision.deEsser.depthDb),
        active_fraction: pre.deEsser ? r4(pre.deEsser.activeFraction) : null,
      },
      loudness_gain_db: r2(converged.loudnessGainDb),
      convergence_rounds: converged.rounds.length,
    },
    stage_ms: stageMs,
  };
}
