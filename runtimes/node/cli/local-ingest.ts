// What the CLI accepts from local files: the API's ingest policy (duration,
// sample rate, channels) without its upload byte limit, which exists to bound
// what a server holds for a stranger's request, not what a user may read
// from their own disk. The duration limit is a flag, `--max-duration`, whose
// default is `AUDO_EQ_MAX_DURATION_SECONDS` (the API's setting), else 3600 s.
import { DEFAULT_INGEST_POLICY, type IngestPolicy } from '../../../core/domain/policies.ts';
import { UsageError, stringFlag, type OptionSpecs, type ParsedFlags } from './args.ts';

/** The environment variable that sets the duration limit of the API and the CLI's default. */
const DURATION_VARIABLE = 'AUDO_EQ_MAX_DURATION_SECONDS';

/** parseArgs spec of `--max-duration SECONDS`. */
export const MAX_DURATION_FLAG_SPEC: OptionSpecs = { 'max-duration': { type: 'string' } };

/** The `--help` line of `--max-duration`. */
export const MAX_DURATION_HELP = `  --max-duration SECONDS  longest input accepted (default $${DURATION_VARIABLE} or ${DEFAULT_INGEST_POLICY.maxDurationSeconds}); no byte limit on local files`;

/**
 * The ingest policy for local files: no byte limit, and `maxDurationSeconds`
 * (the API's 3600 s unless given).
 *
 * @example await decodeAudio(bytes, { policy: localIngestPolicy(7200) });
 */
export function localIngestPolicy(maxDurationSeconds: number = DEFAULT_INGEST_POLICY.maxDurationSeconds): IngestPolicy {
  return Object.freeze({ ...DEFAULT_INGEST_POLICY, maxFileBytes: Number.POSITIVE_INFINITY, maxDurationSeconds });
}

/** Seconds from `text`, or a usage error naming where the text came from. */
function parseSeconds(text: string, source: string): number {
  const seconds = Number(text);
  if (!/^\s*\d+(\.\d*)?\s*$/.test(text) || !(seconds > 0)) {
    throw new UsageError(`invalid value '${text}' for ${source} (allowed: a number of seconds above 0)`);
  }
  return seconds;
}

/**
 * The local ingest policy from a parsed command line and the environment:
 * `--max-duration`, else `AUDO_EQ_MAX_DURATION_SECONDS`, else 3600 s. A value
 * that is not a positive number of seconds is a usage error naming its source.
 *
 * @example localIngestPolicyFromFlags({ 'max-duration': '7200' }).maxDurationSeconds // 7200
 * @example localIngestPolicyFromFlags({}, { AUDO_EQ_MAX_DURATION_SECONDS: '5400' }).maxDurationSeconds // 5400
 */
export function localIngestPolicyFromFlags(values: ParsedFlags, env: Record<string, string | undefined> = process.env): IngestPolicy {
  const flag = stringFlag(values, 'max-duration');
  if (flag !== undefined) return localIngestPolicy(parseSeconds(flag, '--max-duration'));
  const variable = env[DURATION_VARIABLE];
  if (variable !== undefined && variable.trim() !== '') return localIngestPolicy(parseSeconds(variable, DURATION_VARIABLE));
  return localIngestPolicy();
}
