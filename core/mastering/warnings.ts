/**
 * Warnings: a master that was made, but not quite as asked, or from inputs
 * that limit what it can be. Each is a code, a one-line message and a few
 * numbers, carried in the diagnostics (`warnings`), the `X-Mastering-Warnings`
 * header, the CLI's stderr, batch lines, the web page, job documents and the
 * `MasteringWarned` event. A warning never changes the audio; requests whose
 * output would mean nothing are refused instead (`silent_reference`, see
 * `master.ts`).
 */
import type { ClippedRuns } from '../dsp/clipped-runs.ts';
import type { TrackAnalysis } from './analysis.ts';
import type { ReferenceProfile } from './reference-profile.ts';
import { isMonoWidth } from './width-match.ts';

export const MASTERING_WARNING_CODES = [
  'loudness_goal_not_reached',
  'silent_target',
  'target_clipped',
  'reference_band_limited',
  'reference_low_sample_rate',
  'mono_target_stereo_reference',
  'silent_reference',
] as const;

export type MasteringWarningCode = (typeof MASTERING_WARNING_CODES)[number];

/** A detail's value: plain numbers, short ASCII strings, flags; null when unknown. */
export type WarningDetail = number | string | boolean | null;

/** `{ code, message, ...details }` (details in snake_case, numbers rounded to 0.01). */
export type MasteringWarning = { readonly code: MasteringWarningCode; readonly message: string } & Readonly<Record<string, WarningDetail>>;

/**
 * A loudness goal missed by more than this (either way) is a warning: the
 * SPEC's quality bar is ±0.5 LU, wider than a profile's convergence
 * tolerance (0.2–0.45 LU), so a master inside the bar never warns.
 */
export const LOUDNESS_GOAL_TOLERANCE_LU = 0.5;
/** Clipped runs (3+ full-scale samples in a row) in the target before `target_clipped`. */
export const CLIPPED_RUNS_TO_WARN = 10;
/**
 * A reference sampled below this holds nothing above half of it (16 kHz at
 * 32 kHz), so the top of the audible range cannot be matched; warned only
 * when the output's rate is higher (both at 22.05 kHz lose nothing).
 */
export const LOW_REFERENCE_SAMPLE_RATE_HZ = 32000;

export interface WarningInput {
  /** The target as mastered (at the output rate). */
  readonly target: TrackAnalysis;
  /** Clipped runs of the target as it came in. */
  readonly targetClipping: ClippedRuns;
  /** Every reference sent, in the order sent (silent ones included). */
  readonly references: readonly TrackAnalysis[];
  /** The profile matched to (silent references left out). */
  readonly reference: ReferenceProfile;
  /** Indices (in `references`) of silent references that were left out. */
  readonly silentReferenceIndices: readonly number[];
  readonly outputSampleRateHz: number;
  /** The loudness this render aimed at (a preview: its excerpt's share) and what the output measures. */
  readonly goalLufs: number | null;
  readonly goalSource: string;
  readonly reachedLufs: number | null;
}

const r2 = (value: number) => Math.round(value * 100) / 100;

/**
 * Every warning that applies, in the order of {@link MASTERING_WARNING_CODES}.
 *
 * @example masteringWarnings(input).map((w) => w.code) // ['loudness_goal_not_reached']
 */
export function masteringWarnings(input: WarningInput): MasteringWarning[] {
  const { target, references, reference } = input;
  const warnings: MasteringWarning[] = [];
  const several = references.length > 1;
  const which = (index: number) => (several ? `reference ${index + 1}` : 'the reference');
  // 1-based in the order sent, as ingest errors name a reference.
  const indexDetail = (index: number): Record<string, WarningDetail> => (several ? { reference_index: index + 1 } : {});

  if (!target.silent && input.goalLufs !== null && input.reachedLufs !== null) {
    const shortByLu = input.goalLufs - input.reachedLufs;
    if (Math.abs(shortByLu) > LOUDNESS_GOAL_TOLERANCE_LU) {
      const how = shortByLu > 0 ? `${r2(shortByLu)} LU short of` : `${r2(-shortByLu)} LU above`;
      warnings.push({
        code: 'loudness_goal_not_reached',
        message: `The master reaches ${r2(input.reachedLufs)} LUFS, ${how} the ${r2(input.goalLufs)} LUFS goal (${input.goalSource}); the true-peak ceiling and the dynamics limit how far it goes.`,
        goal_lufs: r2(input.goalLufs),
        reached_lufs: r2(input.reachedLufs),
        short_by_lu: r2(shortByLu),
        goal_source: input.goalSource,
      });
    }
  }
  if (target.silent) {
    warnings.push({
      code: 'silent_target',
      message: 'The target is silent (RMS at or below -60 dBFS); the master is silent too.',
      rms_dbfs: target.rmsDbfs === null ? null : r2(target.rmsDbfs),
    });
  }
  if (input.targetClipping.runs >= CLIPPED_RUNS_TO_WARN) {
    const { runs, samples, longestRun } = input.targetClipping;
    warnings.push({
      code: 'target_clipped',
      message: `The target is clipped: ${runs} runs of 3 or more full-scale samples (longest ${longestRun}); mastering cannot restore the flattened peaks.`,
      clipped_runs: runs,
      clipped_samples: samples,
      longest_run_samples: longestRun,
    });
  }
  references.forEach((analysis, index) => {
    if (analysis.silent || analysis.spectralCutoffHz === null) return;
    warnings.push({
      code: 'reference_band_limited',
      message: `${capitalise(which(index))} has nothing above ${analysis.spectralCutoffHz} Hz (a lossy encode's low-pass, or band-limited material); tone above it is not matched.`,
      ...indexDetail(index),
      cutoff_hz: analysis.spectralCutoffHz,
    });
  });
  references.forEach((analysis, index) => {
    if (analysis.silent || analysis.sampleRateHz >= LOW_REFERENCE_SAMPLE_RATE_HZ || analysis.sampleRateHz >= input.outputSampleRateHz) return;
    warnings.push({
      code: 'reference_low_sample_rate',
      message: `${capitalise(which(index))} is sampled at ${analysis.sampleRateHz} Hz; nothing above ${analysis.sampleRateHz / 2} Hz can be matched in a ${input.outputSampleRateHz} Hz master.`,
      ...indexDetail(index),
      reference_sample_rate_hz: analysis.sampleRateHz,
      output_sample_rate_hz: input.outputSampleRateHz,
    });
  });
  if (!target.silent && isMonoWidth(target.width) && reference.width !== null && !isMonoWidth(reference.width)) {
    warnings.push({
      code: 'mono_target_stereo_reference',
      message: 'The target is mono and the reference stereo; the master stays mono (width is not matched).',
      target_channels: target.channelCount,
      reference_side_to_mid_db: reference.width.above200HzDb === null ? null : r2(reference.width.above200HzDb),
    });
  }
  for (const index of input.silentReferenceIndices) {
    const others = references.length - input.silentReferenceIndices.length;
    warnings.push({
      code: 'silent_reference',
      message:
        others > 0
          ? `${capitalise(which(index))} is silent and was left out; the master matches the other ${others === 1 ? 'reference' : `${others} references`}.`
          : `${capitalise(which(index))} is silent; only the explicit loudness goal was applied, nothing was matched to it.`,
      ...indexDetail(index),
    });
  }
  return warnings;
}

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
