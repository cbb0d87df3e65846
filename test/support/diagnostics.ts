// A complete, typed diagnostics object for test doubles that stand in for the
// mastering pipeline (runners, job processors): the shape the real pipeline
// reports, with plain made-up values.
import type { MasteringDiagnostics } from '../../core/mastering/diagnostics.ts';

/**
 * @example const diagnostics = sampleDiagnostics({ profile: 'conservative' });
 */
export function sampleDiagnostics(overrides: Partial<MasteringDiagnostics> = {}): MasteringDiagnostics {
  return {
    profile: 'default',
    strategy: { id: 'balanced', conditions: { reference_louder: true } },
    strength: 100,
    match: ['loudness', 'tone', 'dynamics', 'width'],
    references: 1,
    input_lufs: -18.2,
    reference_lufs: -11.4,
    output_lufs: -11.45,
    loudness_goal_lufs: -11.4,
    loudness_goal_source: 'reference',
    loudness_goal_reached: true,
    output_lra_lu: 6.1,
    output_true_peak_dbtp: -1.02,
    output_sample_rate_hz: 44100,
    crest_factor_delta_db: -2.1,
    balance_delta: { low: 0.4, mid: -0.2, high: 0.6 },
    tone: { matched: true, smoothing_octaves: 1 / 6, max_correction_db: 18, clamped_bands: 0, clamped_hz: [], goal_delta_db: [0.4, null], reference_cutoff_hz: null, matched_up_to_hz: 20000 },
    width: {
      matched: true,
      skipped: null,
      bands: [{ band: 'mid', lo_hz: 200, hi_hz: 4000, before_db: -9.1, goal_db: -6.2, after_db: -6.4, change_db: 2.7 }],
      above_200hz: { before_db: -9.0, reference_db: -6.0, after_db: -6.3 },
      guarded_fraction: 0,
    },
    dynamics: { matched: true, lra_before_lu: 8.2, lra_reference_lu: 6.0, lra_goal_lu: 6.0, lra_after_lu: 6.1, rider: null },
    preview: null,
    limiter: {
      ceiling_dbtp: -1,
      true_peak_ceiling_dbtp: -1,
      ceiling_source: 'profile',
      lookahead_ms: 5,
      release_ms: 150,
      transient_release_ms: 20,
      measured_true_peak_dbtp: -1.02,
      margin_db: 0.02,
      max_reduction_db: 3.1,
      guard_trim_db: 0,
    },
    chain: {
      eq_mode: 'reference-match',
      eq_preset: 'neutral',
      high_pass_hz: 25,
      low_shelf_db: 0,
      high_shelf_db: 0,
      band_bias_db: { low: 0, mid: 0, high: 0 },
      eq_bands: [{ lo_hz: 20, hi_hz: 200, db: 0.5 }],
      eq_curve_db: [0.5, 0.2],
      eq_curve_hz: [100, 1000],
      match_fir_taps: 4095,
      compressor: { threshold_db: -18, ratio: 2, attack_ms: 30, release_ms: 200, amount: 0.5, mean_reduction_db: 0.8, max_reduction_db: 2.4 },
      de_esser: { mode: 'auto', threshold: 0.3, depth_db: 0, active_fraction: 0 },
      loudness_gain_db: 6.6,
      convergence_rounds: 2,
    },
    stage_ms: { analysis: 12, render: 30 },
    warnings: [],
    ...overrides,
  };
}
