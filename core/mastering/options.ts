/**
 * The user-facing options of a mastering request (SPEC section 2 / 10), shared by
 * the HTTP query parser, the CLI and `master()`.
 */
export const EQ_MODES = ['fixed', 'reference-match'] as const;
export const EQ_PRESETS = ['neutral', 'warm', 'bright', 'vocal-presence', 'bass-boost'] as const;
export const DE_ESSER_MODES = ['off', 'auto'] as const;
export const PROFILE_IDS = ['default', 'conservative', 'aggressive'] as const;
export const BIT_DEPTHS = [16, 24, 32] as const;

export type EqMode = (typeof EQ_MODES)[number];
export type EqPreset = (typeof EQ_PRESETS)[number];
export type DeEsserMode = (typeof DE_ESSER_MODES)[number];
export type ProfileId = (typeof PROFILE_IDS)[number];
export type BitDepth = (typeof BIT_DEPTHS)[number];

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

export interface MasteringRequestOptions {
  readonly eqMode: EqMode;
  readonly eqPreset: EqPreset;
  readonly deEsserMode: DeEsserMode;
  /** Explicit profile (already resolved from aliases); when absent the preset decides. */
  readonly profile?: ProfileId;
  /** Explicit loudness goal in LUFS; when absent the reference's integrated loudness. */
  readonly targetLufs?: number;
  readonly bitDepth: BitDepth;
}

export const DEFAULT_MASTERING_OPTIONS: MasteringRequestOptions = {
  eqMode: 'fixed',
  eqPreset: 'neutral',
  deEsserMode: 'off',
  bitDepth: 24,
};

export function resolveProfile(options: Pick<MasteringRequestOptions, 'profile' | 'eqPreset'>): ProfileId {
  return options.profile ?? PRESET_DEFAULT_PROFILE[options.eqPreset];
}
