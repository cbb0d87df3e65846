// `audo-eq batch-master` (SPEC section 10): masters many targets from a
// manifest (CSV or JSON) or a glob, picks references by one of four rules,
// names outputs by a template, runs up to --concurrency-limit items at once,
// prints `[OK]`/`[FAILED]` per item and a summary, and exits 1 when any item
// failed. The whole plan is checked first (exit 2 for a usage error), so a
// typo never costs a half-done batch.
import { availableParallelism } from 'node:os';
import type { MasteringRequestOptions } from '../../../../core/mastering/options.ts';
import { openBatchRunner } from '../batch/batch-runner.ts';
import { globFiles } from '../batch/glob.ts';
import { readManifest, type ManifestEntry } from '../batch/manifest.ts';
import { DEFAULT_NAMING_TEMPLATE } from '../batch/naming-template.ts';
import { planBatch, type BatchItem, type BatchSource } from '../batch/plan.ts';
import { createBatchDisplay, type DisplayStream } from '../batch/progress.ts';
import { REFERENCE_RULES, createReferenceResolver, type ReferenceRule } from '../batch/reference-rules.ts';
import { runBatch } from '../batch/run-batch.ts';
import { MAX_REFERENCES } from '../../../../core/domain/limits.ts';
import { USAGE_EXIT_CODE, UsageError, parseCommandArgs, stringFlag, stringFlags, type ParsedFlags } from '../args.ts';
import { MASTERING_FLAG_SPECS, flagOf, masteringFlagsHelp, masteringOptionsFromQuery, masteringQueryFromFlags } from '../mastering-flags.ts';
import { MAX_DURATION_FLAG_SPEC, MAX_DURATION_HELP, localIngestPolicyFromFlags } from '../local-ingest.ts';
import type { IngestPolicy } from '../../../../core/domain/policies.ts';

const DEFAULT_OUTPUT_DIR = 'mastered';
const ROW_OPTION_EXAMPLES = 'strength, match, loudness_preset, ceiling_dbtp, sample_rate, preview';
const MAX_CONCURRENCY = 256;
/** What a shell reports for a process ended by Ctrl-C (128 + SIGINT). */
const INTERRUPTED_EXIT_CODE = 130;

export const BATCH_MASTER_USAGE = `usage: audo-eq batch-master (--manifest FILE | --target-pattern GLOB) [options]

Masters every target and prints one line per item, [OK] or [FAILED] with its
correlation id, then total=N succeeded=N failed=N. Exit code 1 when any item
failed, 2 for a usage error (nothing is mastered then).

inputs (one of):
  --manifest FILE             CSV with a header row (target,reference,output; only target
                              required) or a JSON array of {target, reference?, output?};
                              relative paths are relative to the manifest's folder; an item
                              may name up to ${MAX_REFERENCES} references (the CSV header repeats
                              reference, JSON gives a list) and set its own options in
                              columns named as the API's query parameters, over the flags:
                              ${ROW_OPTION_EXAMPLES}, …
  --target-pattern GLOB       e.g. 'mixes/*.wav' or 'album/**/*.flac' (quote it)
references:
  --reference-rule RULE       ${REFERENCE_RULES.join('|')}
                              (default: manifest with --manifest, else single)
  --reference FILE            the reference for single; the fallback for manifest;
                              up to ${MAX_REFERENCES} times (matched to their loudness-weighted blend)
  --reference-dir DIR         where match-by-basename and first-in-dir look
outputs:
  --output-dir DIR            folder for outputs the manifest does not name (default ${DEFAULT_OUTPUT_DIR})
  --naming-template T         default ${DEFAULT_NAMING_TEMPLATE}; fields {index:03d} {target_name}
                              {target_stem} {target_suffix} {reference_name} {reference_stem}
  --concurrency-limit N       items mastered at once, each on its own worker thread
                              (default: the CPU count, here ${availableParallelism()})
mastering (as for master):
${masteringFlagsHelp()}
${MAX_DURATION_HELP}
  -h, --help                  show this help`;

const OPTIONS = {
  manifest: { type: 'string' },
  'target-pattern': { type: 'string' },
  'reference-rule': { type: 'string' },
  reference: { type: 'string', multiple: true },
  'reference-dir': { type: 'string' },
  'output-dir': { type: 'string' },
  'naming-template': { type: 'string' },
  'concurrency-limit': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
  ...MASTERING_FLAG_SPECS,
  ...MAX_DURATION_FLAG_SPEC,
} as const;

export interface BatchMasterIo {
  readonly out: DisplayStream;
  readonly err: DisplayStream;
}

function parseConcurrency(values: ParsedFlags): number {
  const text = stringFlag(values, 'concurrency-limit');
  if (text === undefined) return availableParallelism();
  const value = Number(text);
  if (!/^\d+$/.test(text.trim()) || value < 1 || value > MAX_CONCURRENCY) {
    throw new UsageError(`invalid value '${text}' for --concurrency-limit (allowed: a whole number from 1 to ${MAX_CONCURRENCY})`);
  }
  return value;
}

function parseRule(values: ParsedFlags, hasManifest: boolean): ReferenceRule {
  const text = stringFlag(values, 'reference-rule');
  if (text === undefined) return hasManifest ? 'manifest' : 'single';
  const rule = text.trim().toLowerCase();
  if (!(REFERENCE_RULES as readonly string[]).includes(rule)) {
    throw new UsageError(`invalid value '${text}' for --reference-rule (allowed: ${REFERENCE_RULES.join(', ')})`);
  }
  return rule as ReferenceRule;
}

/**
 * An entry's own options: the batch's flags with the entry's values on top,
 * checked as the flags are (a bad value names the manifest item and column).
 */
function entryOptions(entry: ManifestEntry, batchQuery: URLSearchParams): MasteringRequestOptions | undefined {
  if (entry.options === undefined) return undefined;
  const query = new URLSearchParams(batchQuery);
  for (const [parameter, value] of Object.entries(entry.options)) query.set(parameter, value);
  return masteringOptionsFromQuery(query, (parameter) => (parameter in entry.options! ? `manifest ${entry.where} column ${parameter}` : flagOf(parameter)));
}

/** The items before planning, from the manifest or the glob. */
async function readSources(manifest: string | undefined, pattern: string | undefined, batchQuery: URLSearchParams): Promise<BatchSource[]> {
  if (manifest !== undefined) {
    const entries = await readManifest(manifest);
    if (entries.length === 0) throw new UsageError(`manifest ${manifest} lists no items`);
    return entries.map((entry) => {
      const { options: _optionTexts, ...source } = entry;
      const options = entryOptions(entry, batchQuery);
      return { ...source, ...(options ? { options } : {}) };
    });
  }
  const paths = await globFiles(pattern!);
  if (paths.length === 0) throw new UsageError(`--target-pattern '${pattern}' matches no file`);
  return paths.map((path) => ({ target: path, where: path }));
}

/**
 * Runs `audo-eq batch-master` with the arguments after the command name and
 * returns the exit code: 0 when every item succeeded, 1 when any failed, 2
 * for a usage error, 130 when interrupted by Ctrl-C (running items finish,
 * the rest are reported as `interrupted`).
 *
 * @example process.exitCode = await runBatchMasterCommand(['--target-pattern', 'mixes/*.wav', '--reference', 'ref.wav']);
 */
export async function runBatchMasterCommand(
  args: readonly string[],
  io: BatchMasterIo = { out: process.stdout, err: process.stderr },
): Promise<number> {
  let plan: { items: BatchItem[]; options: MasteringRequestOptions; concurrency: number; rule: ReferenceRule; ingestPolicy: IngestPolicy };
  try {
    const { values } = parseCommandArgs(args, OPTIONS);
    if (values.help) {
      io.out.write(`${BATCH_MASTER_USAGE}\n`);
      return 0;
    }
    const manifest = stringFlag(values, 'manifest');
    const pattern = stringFlag(values, 'target-pattern');
    if ((manifest === undefined) === (pattern === undefined)) throw new UsageError('give exactly one of --manifest FILE or --target-pattern GLOB');
    const batchQuery = masteringQueryFromFlags(values);
    const options = masteringOptionsFromQuery(batchQuery, flagOf);
    const concurrency = parseConcurrency(values);
    const ingestPolicy = localIngestPolicyFromFlags(values);
    const rule = parseRule(values, manifest !== undefined);
    const resolveReference = await createReferenceResolver(
      { rule, references: stringFlags(values, 'reference'), referenceDir: stringFlag(values, 'reference-dir') },
      manifest !== undefined,
    );
    const sources = await readSources(manifest, pattern, batchQuery);
    const items = await planBatch(sources, resolveReference, {
      outputDir: stringFlag(values, 'output-dir') ?? DEFAULT_OUTPUT_DIR,
      namingTemplate: stringFlag(values, 'naming-template') ?? DEFAULT_NAMING_TEMPLATE,
    });
    plan = { items, options, concurrency, rule, ingestPolicy };
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    io.err.write(`audo-eq batch-master: ${error.message} (see audo-eq batch-master --help)\n`);
    return USAGE_EXIT_CODE;
  }

  const { items, options, concurrency, rule, ingestPolicy } = plan;
  const lanes = Math.min(concurrency, items.length);
  const { runner, kind, streamed, close } = openBatchRunner(lanes, ingestPolicy);
  if (io.err.isTTY !== true) {
    io.err.write(`audo-eq batch-master: ${items.length} items, reference rule ${rule}, concurrency ${lanes} (${kind})\n`);
  }
  const interrupt = new AbortController();
  const onSigint = () => {
    if (interrupt.signal.aborted) process.exit(INTERRUPTED_EXIT_CODE);
    interrupt.abort();
    io.err.write('\naudo-eq batch-master: interrupted; finishing running items (Ctrl-C again to stop now)\n');
  };
  process.on('SIGINT', onSigint);
  try {
    const display = createBatchDisplay({ out: io.out, err: io.err, total: items.length });
    await runBatch(items, { runner, options, concurrency: lanes, observer: display, signal: interrupt.signal, streamed });
    const summary = display.finish();
    if (interrupt.signal.aborted) return INTERRUPTED_EXIT_CODE;
    return summary.failed > 0 ? 1 : 0;
  } finally {
    process.off('SIGINT', onSigint);
    await close();
  }
}
