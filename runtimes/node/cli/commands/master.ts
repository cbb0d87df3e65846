// `audo-eq master -t TARGET -r REFERENCE -o OUTPUT [options] [--report-json F]`
// (SPEC section 10): masters one file against a reference exactly as
// `POST /master` does and prints two lines on stdout, the output path and
// `correlation_id=<uuid>`, so scripts can read either with `head`/`tail`.
// Warnings about the master (see core/mastering/warnings.ts) go to stderr,
// one line each, and leave the exit code at 0: the file was written.
import { stat } from 'node:fs/promises';
import { createInProcessRunner } from '../../../../core/app/in-process-runner.ts';
import { createThreadedReferenceAnalyzer } from '../../reference-analysis-thread.ts';
import type { MasteringRunner } from '../../../../core/app/ports.ts';
import { MAX_REFERENCES } from '../../../../core/domain/limits.ts';
import { USAGE_EXIT_CODE, UsageError, parseCommandArgs, requiredFlag, stringFlag, stringFlags } from '../args.ts';
import { MASTERING_FLAG_SPECS, masteringFlagsHelp, masteringOptionsFromFlags } from '../mastering-flags.ts';
import { FileJobError, describeFailure, masterFiles, writeOutputFile, type FileJob } from '../master-files.ts';
import { masterFileStreamed, type StreamedFileSettings } from '../master-streamed.ts';
import { checkOutputPath, fileIdentity } from '../output-path.ts';
import { MAX_DURATION_FLAG_SPEC, MAX_DURATION_HELP, localIngestPolicyFromFlags } from '../local-ingest.ts';

export const MASTER_USAGE = `usage: audo-eq master -t TARGET -r REFERENCE [-r REFERENCE …] -o OUTPUT [options]

Masters TARGET so it sounds like REFERENCE and writes a WAV to OUTPUT (parent
folders are created; an existing OUTPUT is replaced, never an input). Prints
OUTPUT, then correlation_id=<uuid>. Warnings about the master (loudness goal
not reached, clipped or silent target, limited reference, …) are printed on
stderr, one line each (exit code 0). A silent reference without a loudness
goal (--target-lufs or --loudness-preset) is refused (silent_reference, exit code 1).

options:
  -t, --target FILE           the track to master (.wav, .flac, .mp3)
  -r, --reference FILE        the track whose loudness, tone, dynamics and width to match;
                              up to ${MAX_REFERENCES} times: their loudness-weighted blend, in any order
  -o, --output FILE           where to write the mastered WAV (must end in .wav)
  --report-json FILE          also write the mastering diagnostics as pretty JSON
${masteringFlagsHelp()}
${MAX_DURATION_HELP}
  -h, --help                  show this help`;

const OPTIONS = {
  target: { type: 'string', short: 't' },
  reference: { type: 'string', short: 'r', multiple: true },
  output: { type: 'string', short: 'o' },
  'report-json': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
  ...MASTERING_FLAG_SPECS,
  ...MAX_DURATION_FLAG_SPEC,
} as const;

/** Where the command writes; a test or an embedding can capture it. */
export interface CommandIo {
  readonly stdout: (line: string) => void;
  readonly stderr: (line: string) => void;
}

const processIo: CommandIo = {
  stdout: (line) => process.stdout.write(`${line}\n`),
  stderr: (line) => process.stderr.write(`${line}\n`),
};

/** A missing input is a mistyped path, so a usage error (exit 2), as in `analyze`. */
async function requireExistingFile(flag: string, path: string): Promise<void> {
  const exists = await stat(path).then(() => true, () => false);
  if (!exists) throw new UsageError(`no such file for ${flag}: ${path}`);
}

/**
 * Runs `audo-eq master` with the arguments after the command name and returns
 * the exit code: 0 on success, 1 when the audio cannot be mastered or a file
 * cannot be written (one line `audo-eq master: <code>: <message>`), 2 for a
 * usage error. Without a `runner` the job runs in-process under the local
 * ingest policy (no byte limit, `--max-duration`); a given runner brings its own.
 *
 * @example process.exitCode = await runMasterCommand(['-t', 'mix.wav', '-r', 'ref.wav', '-o', 'out.wav']);
 */
export async function runMasterCommand(
  args: readonly string[],
  io: CommandIo = processIo,
  runner?: MasteringRunner,
): Promise<number> {
  let job: FileJob;
  let jobRunner: MasteringRunner;
  let reportPath: string | undefined;
  let streamed: StreamedFileSettings | null = null;
  try {
    const { values } = parseCommandArgs(args, OPTIONS);
    if (values.help) {
      io.stdout(MASTER_USAGE);
      return 0;
    }
    const targetPath = requiredFlag(values, 'target', '-t');
    const referencePaths = stringFlags(values, 'reference');
    if (referencePaths.length === 0) throw new UsageError('missing required option -r/--reference');
    if (referencePaths.length > MAX_REFERENCES) throw new UsageError(`-r/--reference was given ${referencePaths.length} times; at most ${MAX_REFERENCES} references are matched`);
    const outputPath = requiredFlag(values, 'output', '-o');
    reportPath = stringFlag(values, 'report-json');
    const options = masteringOptionsFromFlags(values);
    // One job on two cores: the references are analysed on a thread of their own meanwhile.
    const ingestPolicy = localIngestPolicyFromFlags(values);
    const referenceAnalyzer = createThreadedReferenceAnalyzer();
    jobRunner = runner ?? createInProcessRunner({ ingestPolicy, referenceAnalyzer });
    streamed = runner ? null : { ingestPolicy, referencesOnThread: true, tapsOnThread: true };
    await requireExistingFile('-t/--target', targetPath);
    for (const path of referencePaths) await requireExistingFile('-r/--reference', path);
    await checkOutputPath(outputPath, { target: targetPath, ...Object.fromEntries(referencePaths.map((path, i) => [referencePaths.length > 1 ? `reference ${i + 1}` : 'reference', path])) });
    if (reportPath !== undefined) {
      const reportIdentity = await fileIdentity(reportPath);
      for (const path of [targetPath, ...referencePaths, outputPath]) {
        if ((await fileIdentity(path)) === reportIdentity) throw new UsageError(`--report-json ${reportPath} names the same file as ${path}`);
      }
    }
    job = { correlationId: crypto.randomUUID(), targetPath, referencePaths, outputPath, options };
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    io.stderr(`audo-eq master: ${error.message} (see audo-eq master --help)`);
    return USAGE_EXIT_CODE;
  }

  try {
    // The CLI's own job streams a WAV target (bounded memory for any length); an embedding runner gets the job whole.
    const result = (streamed ? await masterFileStreamed(job, streamed) : null) ?? (await masterFiles(jobRunner, job));
    for (const warning of result.diagnostics.warnings) io.stderr(`audo-eq master: warning: ${warning.code}: ${warning.message}`);
    if (reportPath !== undefined) {
      const report = new TextEncoder().encode(`${JSON.stringify(result.diagnostics, null, 2)}\n`);
      await writeOutputFile(reportPath, report).catch((error: unknown) => {
        throw error instanceof FileJobError ? new FileJobError(error.code, 'report', reportPath!, error.message) : error;
      });
    }
  } catch (error) {
    const { code, message } = describeFailure(error, { nameTarget: true });
    io.stderr(`audo-eq master: ${code}: ${message} (correlation_id=${job.correlationId})`);
    return 1;
  }
  io.stdout(job.outputPath);
  io.stdout(`correlation_id=${job.correlationId}`);
  return 0;
}
