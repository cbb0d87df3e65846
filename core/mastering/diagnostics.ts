/**
 * Diagnostics (SPEC section 5, matching issue item 11): what was measured,
 * decided and applied, per dimension, as a compact JSON-serialisable object
 * for `X-Mastering-Diagnostics` and `--report-json`. Numbers are rounded to
 * what is meaningful (0.01 dB).
 */
import type { StereoWidth } from '../dsp/stereo-width.ts';
import type { TrackAnalysis } from './analysis.ts';
import type { MasteringDecision } from './decision.ts';
import { CURVE_SMOOTHING_OCTAVES, type MatchBand } from './eq-match.ts';
import type { ProfileId } from './options.ts';
import type { ReferenceProfile } from './reference-profile.ts';
import type { RenderReport } from './render.ts';
import type { MasteringWarning } from './warnings.ts';

export interface WidthBandDiagnostics {
  readonly band: string;
  readonly lo_hz: number;
  readonly hi_hz: number | null;
  /** Side/mid (dB) of the target, the goal, the output; the side gain applied. */
  readonly before_db: number | null;
  readonly goal_db: number | null;
  readonly after_db: number | null;
  readonly change_db: number;
}

export interface MasteringDiagnostics {
  readonly profile: ProfileId;
  readonly strategy: { readonly id: string; readonly conditions: Record<string, boolean> };
  /** 0–100. */
  readonly strength: number;
  readonly match: readonly string[];
  readonly references: number;
  readonly input_lufs: number | null;
  readonly reference_lufs: number | null;
  readonly output_lufs: number | null;
  readonly loudness_goal_lufs: number | null;
  readonly loudness_goal_source: string;
  readonly loudness_goal_reached: boolean;
  readonly output_lra_lu: number | null;
  readonly output_true_peak_dbtp: number | null;
  readonly output_sample_rate_hz: number;
  readonly crest_factor_delta_db: number;
  readonly balance_delta: { readonly low: number; readonly mid: number; readonly high: number };
  readonly tone: {
    readonly matched: boolean;
    readonly smoothing_octaves: number;
    readonly max_correction_db: number;
    readonly clamped_bands: number;
    /** Centres (Hz) of the curve bands the safety limit (`max_correction_db`) cut. */
    readonly clamped_hz: readonly number[];
    /**
     * What matching aimed for per curve band (aligned with `chain.eq_curve_hz`):
     * goal − target level in dB at this strength, null where nothing is matched;
     * `chain.eq_curve_db` is what was applied to get there (the chain's own
     * tonal effect included, the safety limit applied).
     */
    readonly goal_delta_db: ReadonlyArray<number | null>;
    /** The reference's codec cut-off (Hz): nothing is matched above it. */
    readonly reference_cutoff_hz: number | null;
    readonly matched_up_to_hz: number | null;
  };
  readonly width: {
    readonly matched: boolean;
    readonly skipped: string | null;
    readonly bands: readonly WidthBandDiagnostics[];
    /** Side/mid above 200 Hz (dB). */
    readonly above_200hz: { readonly before_db: number | null; readonly reference_db: number | null; readonly after_db: number | null };
    readonly guarded_fraction: number | null;
  };
  readonly dynamics: {
    readonly matched: boolean;
    readonly lra_before_lu: number | null;
    readonly lra_reference_lu: number | null;
    readonly lra_goal_lu: number | null;
    readonly lra_after_lu: number | null;
    readonly rider: { readonly ratio: number; readonly max_lift_db: number; readonly max_cut_db: number; readonly predicted_lra_lu: number | null } | null;
  };
  readonly preview: { readonly start_s: number; readonly duration_s: number } | null;
  readonly limiter: {
    readonly ceiling_dbtp: number;
    readonly true_peak_ceiling_dbtp: number;
    readonly ceiling_source: string;
    readonly lookahead_ms: number;
    readonly release_ms: number;
    readonly transient_release_ms: number;
    readonly measured_true_peak_dbtp: number | null;
    readonly margin_db: number | null;
    readonly max_reduction_db: number;
    readonly guard_trim_db: number;
  };
  readonly chain: {
    readonly eq_mode: string;
    readonly eq_preset: string;
    readonly high_pass_hz: number | null;
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
  /** What the caller should know about this master (see `warnings.ts`); empty when nothing. */
  readonly warnings: readonly MasteringWarning[];
}

const r2 = (value: number) => Math.round(value * 100) / 100;
const r4 = (value: number) => Math.round(value * 10000) / 10000;
const r2n = (value: number | null | undefined) => (value === null || value === undefined ? null : r2(value));

/** Goal − target per curve band (null where not matched, or all null without a tone goal). */
function goalDeltaDb(decision: MasteringDecision, bands: number): Array<number | null> {
  const goal = decision.toneGoal;
  return Array.from({ length: bands }, (_, i) => {
    const target = goal?.targetDb[i];
    const wanted = goal?.goalDb[i];
    return target === null || target === undefined || wanted === null || wanted === undefined ? null : r2(wanted - target);
  });
}

export interface DiagnosticsInput {
  readonly target: TrackAnalysis;
  readonly reference: ReferenceProfile;
  readonly referenceCount: number;
  readonly decision: MasteringDecision;
  /** The curve realised (after refinement). */
  readonly curve: readonly MatchBand[];
  readonly report: RenderReport;
  /** The output's measured width (when width was matched on stereo). */
  readonly outputWidth: StereoWidth | null;
  readonly preview: { readonly startSeconds: number; readonly durationSeconds: number } | null;
  readonly outputSampleRateHz: number;
  readonly stageMs: Record<string, number>;
  readonly warnings: readonly MasteringWarning[];
}

/**
 * Assembles the diagnostics of one mastering run.
 *
 * @example const diagnostics = buildDiagnostics({ target, reference, referenceCount: 1, decision, curve, report, outputWidth, preview: null, outputSampleRateHz: 44100, stageMs });
 */
export function buildDiagnostics(input: DiagnosticsInput): MasteringDiagnostics {
  const { target, reference, decision, curve, report, outputWidth } = input;
  const converged = report.converged;
  const truePeak = converged.output.truePeakDbtp;
  return {
    profile: decision.profile.id,
    strategy: { id: decision.strategy.id, conditions: { ...decision.strategy.conditions } },
    strength: r2(decision.strength * 100),
    match: [...decision.match],
    references: input.referenceCount,
    input_lufs: r2n(target.integratedLufs),
    reference_lufs: r2n(reference.integratedLufs),
    output_lufs: r2n(converged.output.integratedLufs),
    loudness_goal_lufs: r2n(decision.loudness.lufs),
    loudness_goal_source: decision.loudness.source,
    loudness_goal_reached: converged.goalReached,
    output_lra_lu: r2n(converged.output.loudnessRangeLu),
    output_true_peak_dbtp: r2n(truePeak),
    output_sample_rate_hz: input.outputSampleRateHz,
    crest_factor_delta_db: r2(decision.crestDeltaDb),
    balance_delta: {
      low: r4(reference.energyShares.low - target.energyShares.low),
      mid: r4(reference.energyShares.mid - target.energyShares.mid),
      high: r4(reference.energyShares.high - target.energyShares.high),
    },
    tone: {
      matched: decision.toneGoal !== null,
      smoothing_octaves: r4(CURVE_SMOOTHING_OCTAVES),
      max_correction_db: decision.profile.eqMaxCorrectionDb,
      clamped_bands: curve.filter((band) => band.clamped).length,
      clamped_hz: curve.filter((band) => band.clamped).map((band) => Math.round(band.centreHz)),
      goal_delta_db: goalDeltaDb(decision, curve.length),
      reference_cutoff_hz: decision.referenceCutoffHz,
      matched_up_to_hz: decision.toneGoal ? Math.round(decision.toneGoal.matchedUpToHz) : null,
    },
    width: {
      matched: decision.width.matched,
      skipped: decision.width.skipped,
      bands: decision.width.bands.map((band, i) => ({
        band: band.id,
        lo_hz: band.lowHz,
        hi_hz: Number.isFinite(band.highHz) ? band.highHz : null,
        before_db: r2n(band.beforeDb),
        goal_db: r2n(band.goalDb),
        after_db: r2n(outputWidth?.bandsDb[band.id]),
        change_db: r2(report.width?.plan.bands[i].changeDb ?? 0),
      })),
      above_200hz: { before_db: r2n(target.width?.above200HzDb), reference_db: r2n(reference.width?.above200HzDb), after_db: r2n(outputWidth?.above200HzDb) },
      guarded_fraction: report.width ? r4(report.width.guardedFraction) : null,
    },
    dynamics: {
      matched: decision.dynamics.matched,
      lra_before_lu: r2n(decision.dynamics.targetLraLu),
      lra_reference_lu: r2n(decision.dynamics.referenceLraLu),
      lra_goal_lu: r2n(decision.dynamics.goalLraLu),
      lra_after_lu: r2n(converged.output.loudnessRangeLu),
      rider: report.rider
        ? {
            ratio: r4(report.rider.ratio),
            max_lift_db: r2(report.rider.maxLiftDb),
            max_cut_db: r2(report.rider.maxCutDb),
            predicted_lra_lu: r2n(report.rider.predicted.loudnessRangeLu),
          }
        : null,
    },
    preview: input.preview ? { start_s: r2(input.preview.startSeconds), duration_s: r2(input.preview.durationSeconds) } : null,
    limiter: {
      ceiling_dbtp: r2(decision.limiter.ceilingDbtp),
      true_peak_ceiling_dbtp: decision.truePeak.ceilingDbtp,
      ceiling_source: decision.truePeak.source,
      lookahead_ms: decision.limiter.lookaheadMs,
      release_ms: decision.limiter.releaseMs,
      transient_release_ms: decision.limiter.transientReleaseMs,
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
      eq_curve_hz: curve.map((band) => Math.round(band.centreHz)),
      eq_curve_db: curve.map((band) => r2(band.correctionDb)),
      match_fir_taps: report.matchFirTaps,
      compressor: {
        threshold_db: r2(decision.compressor.thresholdDb),
        ratio: r2(decision.compressor.ratio),
        attack_ms: decision.compressor.attackMs,
        release_ms: decision.compressor.releaseMs,
        amount: r2(report.compressor.amount),
        mean_reduction_db: r2(report.compressor.meanReductionDb),
        max_reduction_db: r2(report.compressor.maxReductionDb),
      },
      de_esser: {
        mode: decision.deEsser.mode,
        threshold: r4(decision.deEsser.thresholdShare),
        depth_db: r2(decision.deEsser.depthDb),
        active_fraction: report.deEsser ? r4(report.deEsser.activeFraction) : null,
      },
      loudness_gain_db: r2(converged.loudnessGainDb),
      convergence_rounds: converged.rounds.length,
    },
    stage_ms: input.stageMs,
    warnings: input.warnings,
  };
}
