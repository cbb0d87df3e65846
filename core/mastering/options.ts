/**
 * The user-facing options of a mastering request (SPEC section 2 / 10), shared by
 * the HTTP query parser, the CLI and `master()`.
 */
import type { LoudnessPresetId } from './loudness-presets.ts';

export const EQ_MODES = ['fixed', 'reference-match'] as const;
export const EQ_PRESETS = ['neutral', 'warm', 'bright', 'vocal-presence', 'bass-boost'] as const;
export const DE_ESSER_MODES = ['off', 'auto'] as const;
export const PROFILE_IDS = ['default', 'conservative', 'aggressive'] as const;
export const BIT_DEPTHS = [16, 24, 32] as const;
/** What reference matching may move; a dimension left out is left as the target has it. */
export const MATCH_DIMENSIONS = ['loudness', 'tone', 'dynamics', 'width'] as const;
/** Output sample rates besides keeping the target's own. */
export const OUTPUT_SAMPLE_RATES_HZ = [44100, 48000, 88200, 96000] as const;

export type EqMode = (typeof EQ_MODES)[number];
export type EqPreset = (typeof EQ_PRESETS)[number];
export type DeEsserMode = (typeof DE_ESSER_MODES)[number];
export type ProfileId = (typeof PROFILE_IDS)[number];
export type BitDepth = (typeof BIT_DEPTHS)[number];
export type MatchDimension = (typeof MATCH_DIMENSIONS)[number];
export type OutputSampleRateHz = (typeof OUTPUT_SAMPLE_RATES_HZ)[number];

/** Every accepted `profile` value → the profile it names. */
export const PROFILE_ALIASES: Readonly<Record<string, ProfileId>> = {
  default: 'default',
  conservative: 'conservative',
  aggressive: 'aggressive',
  'reference-mastering-default': 'default',
  'reference-mastering-conservative': 'conservative',
  'reference-mastering-aggressive': 'aggressive',
  'streaming-balanced': 'default',
  'streaming-loud': 'aggressive',
};

/** Without `profile`, the preset picks one. */
export const PRESET_DEFAULT_PROFILE: Readonly<Record<EqPreset, ProfileId>> = {
  neutral: 'default',
  warm: 'conservative',
  bright: 'aggressive',
  'vocal-presence': 'default',
  'bass-boost': 'aggressive',
};

export const TARGET_LUFS_RANGE = { min: -30, max: -5 } as const;
/** The limiter's true-peak ceiling a request may choose (dBTP). */
export const CEILING_DBTP_RANGE = { min: -3, max: -0.1 } as const;
/** How far matching moves the target toward the reference (percent). */
export const STRENGTH_RANGE = { min: 0, max: 100 } as const;
/** Most references one request may send. */
export const MAX_REFERENCES = 5;

export interface MasteringRequestOptions {
  readonly eqMode: EqMode;
  readonly eqPreset: EqPreset;
  readonly deEsserMode: DeEsserMode;
  /** Explicit profile (already resolved from aliases); when absent the preset decides. */
  readonly profile?: ProfileId;
  /** Explicit loudness goal in LUFS (the edges call it `target_lufs`); wins over a preset's and the reference's. */
  readonly goalLufs?: number;
  /** Platform loudness preset: its loudness and ceiling unless `goalLufs` / `ceilingDbtp` are given. */
  readonly loudnessPreset?: LoudnessPresetId;
  /** True-peak ceiling (dBTP); when absent the preset's, else the profile's. */
  readonly ceilingDbtp?: number;
  /** 0–100: how far every matching move (tone, width, dynamics) goes toward the reference. */
  readonly strength: number;
  /** The dimensions matched to the reference. */
  readonly match: readonly MatchDimension[];
  /** Output sample rate; absent keeps the target's. */
  readonly outputSampleRateHz?: OutputSampleRateHz;
  /** Decide on the whole track, render only its loudest 30 s. */
  readonly preview: boolean;
  readonly bitDepth: BitDepth;
}

export const DEFAULT_MASTERING_OPTIONS: MasteringRequestOptions = {
  eqMode: 'fixed',
  eqPreset: 'neutral',
  deEsserMode: 'off',
  strength: 100,
  match: MATCH_DIMENSIONS,
  preview: false,
  bitDepth: 24,
};

export function resolveProfile(options: Pick<MasteringRequestOptions, 'profile' | 'eqPreset'>): ProfileId {
  return options.profile ?? PRESET_DEFAULT_PROFILE[options.eqPreset];
}
