// The mastering options as CLI flags (and as batch manifest columns).
// Validation is the HTTP API's own (`parseMasteringQuery`), so `--eq-mode x`
// and `?eq_mode=x` accept exactly the same values; its
// `invalid_query_parameter` becomes a usage error that names the flag (or the
// manifest column) and what it accepts.
import { AudoEqError } from '../../../core/domain/errors.ts';
import { MASTER_QUERY_PARAMETERS, parseMasteringQuery, type MasterQueryParameter } from '../../../core/http/query.ts';
import type { MasteringRequestOptions } from '../../../core/mastering/options.ts';
import { UsageError, stringFlag, type OptionSpecs, type ParsedFlags } from './args.ts';

/** CLI flag → query parameter of `POST /master`. */
const FLAG_PARAMETERS = {
  'eq-mode': 'eq_mode',
  'eq-preset': 'eq_preset',
  'de-esser-mode': 'de_esser_mode',
  profile: 'profile',
  'target-lufs': 'target_lufs',
  'loudness-preset': 'loudness_preset',
  'ceiling-dbtp': 'ceiling_dbtp',
  strength: 'strength',
  match: 'match',
  'sample-rate': 'sample_rate',
  preview: 'preview',
  'bit-depth': 'bit_depth',
} as const satisfies Record<string, MasterQueryParameter>;

type MasteringFlag = keyof typeof FLAG_PARAMETERS;

/** Flags that are switches: present means `true` (the query's `preview=true`). */
const SWITCH_FLAGS: ReadonlySet<MasteringFlag> = new Set(['preview']);

/** parseArgs option specs of the mastering flags (a value each, `--preview` a switch). */
export const MASTERING_FLAG_SPECS: OptionSpecs = Object.fromEntries(
  (Object.keys(FLAG_PARAMETERS) as MasteringFlag[]).map((flag) => [flag, { type: SWITCH_FLAGS.has(flag) ? ('boolean' as const) : ('string' as const) }]),
);

/** What each flag does, where its allowed values alone do not say it. */
const FLAG_NOTES: Partial<Record<MasteringFlag, string>> = {
  'loudness-preset': 'a platform\'s loudness and ceiling instead of the reference\'s loudness',
  'ceiling-dbtp': 'the limiter\'s true-peak ceiling',
  strength: 'how far tone, width and dynamics move toward the reference',
  match: 'what follows the reference; the rest stays as the target has it',
  preview: 'render only the loudest 30 s (1 s fades), to listen before the full render',
};

const DEFAULT_TEXT: Partial<Record<MasterQueryParameter, string>> = {
  profile: 'from preset',
  target_lufs: 'reference loudness',
  loudness_preset: 'none',
  match: 'all four',
  ceiling_dbtp: 'the preset\'s, else the profile\'s: -1.0 for default',
};

/** Allowed values as help shows them, where the API's wording is not a flag's. */
const ALLOWED_TEXT: Partial<Record<MasterQueryParameter, string>> = {
  match: 'any of loudness,tone,dynamics,width (comma-separated) or none',
};

const HELP_COLUMN = 28;

/** Usage lines per flag (allowed values and default, then what it does), for `--help`. */
export function masteringFlagsHelp(): string {
  const indent = ' '.repeat(HELP_COLUMN + 2);
  return (Object.entries(FLAG_PARAMETERS) as Array<[MasteringFlag, MasterQueryParameter]>)
    .map(([flag, parameter]) => {
      const { allowed, default: fallback } = MASTER_QUERY_PARAMETERS[parameter];
      const note = FLAG_NOTES[flag];
      if (SWITCH_FLAGS.has(flag)) return `  ${`--${flag}`.padEnd(HELP_COLUMN)}${note}`;
      const values = `${ALLOWED_TEXT[parameter] ?? allowed.join('|')} (default ${DEFAULT_TEXT[parameter] ?? fallback})`;
      const line = `  ${`--${flag} ${parameter === 'match' ? 'LIST' : 'X'}`.padEnd(HELP_COLUMN)}${values}`;
      return note ? `${line}\n${indent}${note}` : line;
    })
    .join('\n');
}

/**
 * The mastering flags of a parsed command line as the query `POST /master` would get.
 *
 * @example masteringQueryFromFlags({ strength: '50', preview: true }).toString() // 'strength=50&preview=true'
 */
export function masteringQueryFromFlags(values: ParsedFlags): URLSearchParams {
  const query = new URLSearchParams();
  for (const [flag, parameter] of Object.entries(FLAG_PARAMETERS) as Array<[MasteringFlag, MasterQueryParameter]>) {
    if (SWITCH_FLAGS.has(flag)) {
      if (values[flag] === true) query.set(parameter, 'true');
      continue;
    }
    const value = stringFlag(values, flag);
    if (value !== undefined) query.set(parameter, value);
  }
  return query;
}

/** The flag that sets a query parameter. */
export function flagOf(parameter: MasterQueryParameter): string {
  return `--${Object.entries(FLAG_PARAMETERS).find(([, name]) => name === parameter)?.[0] ?? parameter}`;
}

/**
 * Validates a query of mastering options; a bad value throws `UsageError`
 * naming it as `name(parameter)` says (a flag, a manifest column) with its
 * allowed values.
 *
 * @example masteringOptionsFromQuery(new URLSearchParams('strength=500'), flagOf) // throws "invalid value '500' for --strength (allowed: number in [0, 100])"
 */
export function masteringOptionsFromQuery(query: URLSearchParams, name: (parameter: MasterQueryParameter) => string): MasteringRequestOptions {
  try {
    return parseMasteringQuery(query);
  } catch (error) {
    if (error instanceof AudoEqError && error.code === 'invalid_query_parameter') {
      const parameter = error.details.parameter as MasterQueryParameter;
      const allowed = MASTER_QUERY_PARAMETERS[parameter].allowed.join(', ');
      throw new UsageError(`invalid value '${query.get(parameter)}' for ${name(parameter)} (allowed: ${allowed})`);
    }
    throw error;
  }
}

/**
 * Turns the mastering flags of a parsed command line into validated options;
 * a bad value throws `UsageError` naming the flag and its allowed values.
 *
 * @example
 * masteringOptionsFromFlags({ 'eq-mode': 'reference-match', 'bit-depth': '16', strength: '70' })
 * // { eqMode: 'reference-match', eqPreset: 'neutral', deEsserMode: 'off', strength: 70, match: [...all], preview: false, bitDepth: 16 }
 */
export function masteringOptionsFromFlags(values: ParsedFlags): MasteringRequestOptions {
  return masteringOptionsFromQuery(masteringQueryFromFlags(values), flagOf);
}
