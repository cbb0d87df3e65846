// What the CLI accepts from local files: the API's ingest policy (duration,
// sample rate, channels) without its upload byte limit, which exists to bound
// what a server holds for a stranger's request, not what a user may read
// from their own disk. The duration limit is a flag, `--max-duration`.
import { DEFAULT_INGEST_POLICY, type IngestPolicy } from '../../../core/domain/policies.ts';
import { UsageError, stringFlag, type OptionSpecs, type ParsedFlags } from './args.ts';

/** parseArgs spec of `--max-duration SECONDS`. */
export const MAX_DURATION_FLAG_SPEC: OptionSpecs = { 'max-duration': { type: 'string' } };

/** The `--help` line of `--max-duration`. */
export const MAX_DURATION_HELP = `  --max-duration SECONDS  longest input accepted (default ${DEFAULT_INGEST_POLICY.maxDurationSeconds}); no byte limit on local files`;

/**
 * The ingest policy for local files: no byte limit, and `maxDurationSeconds`
 * (the API's 3600 s unless given).
 *
 * @example await decodeAudio(bytes, { policy: localIngestPolicy(7200) });
 */
export function localIngestPolicy(maxDurationSeconds: number = DEFAULT_INGEST_POLICY.maxDurationSeconds): IngestPolicy {
  return Object.freeze({ ...DEFAULT_INGEST_POLICY, maxFileBytes: Number.POSITIVE_INFINITY, maxDurationSeconds });
}

/**
 * The local ingest policy from a parsed command line; a `--max-duration` that
 * is not a positive number of seconds is a usage error.
 *
 * @example localIngestPolicyFromFlags({ 'max-duration': '7200' }).maxDurationSeconds // 7200
 */
export function localIngestPolicyFromFlags(values: ParsedFlags): IngestPolicy {
  const text = stringFlag(values, 'max-duration');
  if (text === undefined) return localIngestPolicy();
  const seconds = Number(text);
  if (!/^\s*\d+(\.\d*)?\s*$/.test(text) || !(seconds > 0)) {
    throw new UsageError(`invalid value '${text}' for --max-duration (allowed: a number of seconds above 0)`);
  }
  return localIngestPolicy(seconds);
}
