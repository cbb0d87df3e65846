// The mastering options as CLI flags. Validation is the HTTP API's own
// (`parseMasteringQuery`), so `--eq-mode x` and `?eq_mode=x` accept exactly
// the same values; its `invalid_query_parameter` becomes a usage error that
// names the flag and what it accepts.
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
  'bit-depth': 'bit_depth',
} as const satisfies Record<string, MasterQueryParameter>;

type MasteringFlag = keyof typeof FLAG_PARAMETERS;

/** parseArgs option specs of the six mastering flags (all take a value). */
export const MASTERING_FLAG_SPECS: OptionSpecs = Object.fromEntries(
  Object.keys(FLAG_PARAMETERS).map((flag) => [flag, { type: 'string' as const }]),
);

/** One usage line per flag with its allowed values, for `--help`. */
export function masteringFlagsHelp(): string {
  return (Object.entries(FLAG_PARAMETERS) as Array<[MasteringFlag, MasterQueryParameter]>)
    .map(([flag, parameter]) => {
      const { allowed, default: fallback } = MASTER_QUERY_PARAMETERS[parameter];
      const defaultText = fallback === null ? (parameter === 'profile' ? 'from preset' : 'reference loudness') : fallback;
      return `  ${`--${flag}`.padEnd(21)}  ${allowed.join('|')} (default ${defaultText})`;
    })
    .join('\n');
}

/**
 * Turns the mastering flags of a parsed command line into validated options;
 * a bad value throws `UsageError` naming the flag and its allowed values.
 *
 * @example
 * masteringOptionsFromFlags({ 'eq-mode': 'reference-match', 'bit-depth': '16' })
 * // { eqMode: 'reference-match', eqPreset: 'neutral', deEsserMode: 'off', bitDepth: 16 }
 */
export function masteringOptionsFromFlags(values: ParsedFlags): MasteringRequestOptions {
  const query = new URLSearchParams();
  for (const [flag, parameter] of Object.entries(FLAG_PARAMETERS)) {
    const value = stringFlag(values, flag);
    if (value !== undefined) query.set(parameter, value);
  }
  try {
    return parseMasteringQuery(query);
  } catch (error) {
    if (error instanceof AudoEqError && error.code === 'invalid_query_parameter') {
      const parameter = error.details.parameter as MasterQueryParameter;
      const flag = Object.entries(FLAG_PARAMETERS).find(([, name]) => name === parameter)?.[0] ?? parameter;
      const allowed = MASTER_QUERY_PARAMETERS[parameter].allowed.join(', ');
      throw new UsageError(`invalid value '${query.get(parameter)}' for --${flag} (allowed: ${allowed})`);
    }
    throw error;
  }
}
