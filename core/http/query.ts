/**
 * `POST /master` query parameters → `MasteringRequestOptions` (SPEC section 2).
 * Values are case-insensitive; an empty value counts as "not given" (HTML
 * forms send empty fields); a bad value is `invalid_query_parameter` with the
 * parameter name and its allowed values.
 */
import { AudoEqError } from '../domain/errors.ts';
import { LOUDNESS_PRESET_IDS } from '../mastering/loudness-presets.ts';
import {
  BIT_DEPTHS,
  CEILING_DBTP_RANGE,
  DEFAULT_MASTERING_OPTIONS,
  DE_ESSER_MODES,
  EQ_MODES,
  EQ_PRESETS,
  MATCH_DIMENSIONS,
  OUTPUT_SAMPLE_RATES_HZ,
  PROFILE_ALIASES,
  STRENGTH_RANGE,
  TARGET_LUFS_RANGE,
  type BitDepth,
  type MasteringRequestOptions,
  type MatchDimension,
  type OutputSampleRateHz,
} from '../mastering/options.ts';

/** Every query parameter `POST /master` reads, with what it accepts (used by OpenAPI too). */
export const MASTER_QUERY_PARAMETERS = {
  eq_mode: { allowed: [...EQ_MODES], default: DEFAULT_MASTERING_OPTIONS.eqMode },
  eq_preset: { allowed: [...EQ_PRESETS], default: DEFAULT_MASTERING_OPTIONS.eqPreset },
  de_esser_mode: { allowed: [...DE_ESSER_MODES], default: DEFAULT_MASTERING_OPTIONS.deEsserMode },
  profile: { allowed: Object.keys(PROFILE_ALIASES), default: null },
  target_lufs: { allowed: [`number in [${TARGET_LUFS_RANGE.min}, ${TARGET_LUFS_RANGE.max}]`], default: null },
  loudness_preset: { allowed: [...LOUDNESS_PRESET_IDS], default: null },
  ceiling_dbtp: { allowed: [`number in [${CEILING_DBTP_RANGE.min}, ${CEILING_DBTP_RANGE.max}]`], default: null },
  strength: { allowed: [`number in [${STRENGTH_RANGE.min}, ${STRENGTH_RANGE.max}]`], default: String(DEFAULT_MASTERING_OPTIONS.strength) },
  match: { allowed: [`comma list of ${MATCH_DIMENSIONS.join(', ')}`, 'none'], default: MATCH_DIMENSIONS.join(',') },
  sample_rate: { allowed: ['keep', ...OUTPUT_SAMPLE_RATES_HZ.map(String)], default: 'keep' },
  preview: { allowed: ['true', 'false'], default: 'false' },
  bit_depth: { allowed: BIT_DEPTHS.map(String), default: String(DEFAULT_MASTERING_OPTIONS.bitDepth) },
} as const;

export type MasterQueryParameter = keyof typeof MASTER_QUERY_PARAMETERS;

function invalid(parameter: MasterQueryParameter, reason: string): AudoEqError {
  return new AudoEqError('invalid_query_parameter', `Query parameter '${parameter}' ${reason}.`, {
    parameter,
    allowed_values: [...MASTER_QUERY_PARAMETERS[parameter].allowed],
  });
}

/** The single, trimmed, lower-cased value of `name`, or undefined when absent or empty. */
function single(params: URLSearchParams, name: MasterQueryParameter): string | undefined {
  const values = params.getAll(name).map((value) => value.trim()).filter((value) => value !== '');
  if (values.length > 1) throw invalid(name, 'was given more than once');
  return values[0]?.toLowerCase();
}

function pick<T extends string>(params: URLSearchParams, name: MasterQueryParameter, allowed: readonly T[], fallback: T): T {
  const value = single(params, name);
  if (value === undefined) return fallback;
  if (!(allowed as readonly string[]).includes(value)) throw invalid(name, 'has an unsupported value');
  return value as T;
}

/** A plain decimal in [min, max], or undefined when absent. */
function decimalIn(params: URLSearchParams, name: MasterQueryParameter, range: { min: number; max: number }): number | undefined {
  const value = single(params, name);
  if (value === undefined) return undefined;
  // Number('') and Number('0x10') are numbers too; accept plain decimals only.
  if (!/^[+-]?(\d+(\.\d*)?|\.\d+)$/.test(value)) throw invalid(name, 'is not a number');
  const number = Number(value);
  if (number < range.min || number > range.max) throw invalid(name, 'is out of range');
  return number;
}

/** `match`: a comma list of dimensions (each at most once), or `none` for the empty list. */
function parseMatch(params: URLSearchParams): readonly MatchDimension[] {
  const value = single(params, 'match');
  if (value === undefined) return DEFAULT_MASTERING_OPTIONS.match;
  if (value === 'none') return [];
  const names = value.split(',').map((name) => name.trim());
  for (const name of names) {
    if (!(MATCH_DIMENSIONS as readonly string[]).includes(name)) throw invalid('match', `names an unknown dimension '${name}'`);
  }
  if (new Set(names).size !== names.length) throw invalid('match', 'names a dimension twice');
  // Canonical order: the same set gives the same options.
  return MATCH_DIMENSIONS.filter((dimension) => names.includes(dimension));
}

function parseSampleRate(params: URLSearchParams): OutputSampleRateHz | undefined {
  const value = pick(params, 'sample_rate', ['keep', ...OUTPUT_SAMPLE_RATES_HZ.map(String)], 'keep');
  return value === 'keep' ? undefined : (Number(value) as OutputSampleRateHz);
}

/**
 * Parses and validates the mastering options of a request URL.
 *
 * @example
 * parseMasteringQuery(new URL('http://x/master?eq_mode=Reference-Match&bit_depth=16').searchParams)
 * // { eqMode: 'reference-match', eqPreset: 'neutral', deEsserMode: 'off', strength: 100, match: [...all], preview: false, bitDepth: 16 }
 */
export function parseMasteringQuery(params: URLSearchParams): MasteringRequestOptions {
  const eqMode = pick(params, 'eq_mode', EQ_MODES, DEFAULT_MASTERING_OPTIONS.eqMode);
  const eqPreset = pick(params, 'eq_preset', EQ_PRESETS, DEFAULT_MASTERING_OPTIONS.eqPreset);
  const deEsserMode = pick(params, 'de_esser_mode', DE_ESSER_MODES, DEFAULT_MASTERING_OPTIONS.deEsserMode);
  const profileName = single(params, 'profile');
  if (profileName !== undefined && !Object.hasOwn(PROFILE_ALIASES, profileName)) {
    throw invalid('profile', 'names no known profile');
  }
  const goalLufs = decimalIn(params, 'target_lufs', TARGET_LUFS_RANGE);
  const loudnessPreset = single(params, 'loudness_preset');
  if (loudnessPreset !== undefined && !(LOUDNESS_PRESET_IDS as readonly string[]).includes(loudnessPreset)) {
    throw invalid('loudness_preset', 'names no known preset');
  }
  const ceilingDbtp = decimalIn(params, 'ceiling_dbtp', CEILING_DBTP_RANGE);
  const strength = decimalIn(params, 'strength', STRENGTH_RANGE) ?? DEFAULT_MASTERING_OPTIONS.strength;
  const outputSampleRateHz = parseSampleRate(params);
  const preview = pick(params, 'preview', ['true', 'false'], 'false') === 'true';
  const bitDepthText = pick(params, 'bit_depth', BIT_DEPTHS.map(String), String(DEFAULT_MASTERING_OPTIONS.bitDepth));
  return {
    eqMode,
    eqPreset,
    deEsserMode,
    ...(profileName !== undefined ? { profile: PROFILE_ALIASES[profileName] } : {}),
    ...(goalLufs !== undefined ? { goalLufs } : {}),
    ...(loudnessPreset !== undefined ? { loudnessPreset: loudnessPreset as (typeof LOUDNESS_PRESET_IDS)[number] } : {}),
    ...(ceilingDbtp !== undefined ? { ceilingDbtp } : {}),
    strength,
    match: parseMatch(params),
    ...(outputSampleRateHz !== undefined ? { outputSampleRateHz } : {}),
    preview,
    bitDepth: Number(bitDepthText) as BitDepth,
  };
}
