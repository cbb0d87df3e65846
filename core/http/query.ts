/**
 * `POST /master` query parameters → `MasteringRequestOptions` (SPEC section 2).
 * Values are case-insensitive; an empty value counts as "not given" (HTML
 * forms send empty fields); a bad value is `invalid_query_parameter` with the
 * parameter name and its allowed values.
 */
import { AudoEqError } from '../domain/errors.ts';
import {
  BIT_DEPTHS,
  DEFAULT_MASTERING_OPTIONS,
  DE_ESSER_MODES,
  EQ_MODES,
  EQ_PRESETS,
  PROFILE_ALIASES,
  TARGET_LUFS_RANGE,
  type BitDepth,
  type MasteringRequestOptions,
} from '../mastering/options.ts';

/** Every query parameter `POST /master` reads, with what it accepts (used by OpenAPI too). */
export const MASTER_QUERY_PARAMETERS = {
  eq_mode: { allowed: [...EQ_MODES], default: DEFAULT_MASTERING_OPTIONS.eqMode },
  eq_preset: { allowed: [...EQ_PRESETS], default: DEFAULT_MASTERING_OPTIONS.eqPreset },
  de_esser_mode: { allowed: [...DE_ESSER_MODES], default: DEFAULT_MASTERING_OPTIONS.deEsserMode },
  profile: { allowed: Object.keys(PROFILE_ALIASES), default: null },
  target_lufs: { allowed: [`number in [${TARGET_LUFS_RANGE.min}, ${TARGET_LUFS_RANGE.max}]`], default: null },
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

function parseTargetLufs(params: URLSearchParams): number | undefined {
  const value = single(params, 'target_lufs');
  if (value === undefined) return undefined;
  // Number('') and Number('0x10') are numbers too; accept plain decimals only.
  if (!/^[+-]?(\d+(\.\d*)?|\.\d+)$/.test(value)) throw invalid('target_lufs', 'is not a number');
  const lufs = Number(value);
  if (lufs < TARGET_LUFS_RANGE.min || lufs > TARGET_LUFS_RANGE.max) throw invalid('target_lufs', 'is out of range');
  return lufs;
}

/**
 * Parses and validates the mastering options of a request URL.
 *
 * @example
 * parseMasteringQuery(new URL('http://x/master?eq_mode=Reference-Match&bit_depth=16').searchParams)
 * // { eqMode: 'reference-match', eqPreset: 'neutral', deEsserMode: 'off', bitDepth: 16 }
 */
export function parseMasteringQuery(params: URLSearchParams): MasteringRequestOptions {
  const eqMode = pick(params, 'eq_mode', EQ_MODES, DEFAULT_MASTERING_OPTIONS.eqMode);
  const eqPreset = pick(params, 'eq_preset', EQ_PRESETS, DEFAULT_MASTERING_OPTIONS.eqPreset);
  const deEsserMode = pick(params, 'de_esser_mode', DE_ESSER_MODES, DEFAULT_MASTERING_OPTIONS.deEsserMode);
  const profileName = single(params, 'profile');
  if (profileName !== undefined && !Object.hasOwn(PROFILE_ALIASES, profileName)) {
    throw invalid('profile', 'names no known profile');
  }
  const targetLufs = parseTargetLufs(params);
  const bitDepthText = pick(params, 'bit_depth', BIT_DEPTHS.map(String), String(DEFAULT_MASTERING_OPTIONS.bitDepth));
  return {
    eqMode,
    eqPreset,
    deEsserMode,
    ...(profileName !== undefined ? { profile: PROFILE_ALIASES[profileName] } : {}),
    ...(targetLufs !== undefined ? { targetLufs } : {}),
    bitDepth: Number(bitDepthText) as BitDepth,
  };
}
