// One mastering job between files, shared by `master` and `batch-master`:
// read the target and its references (local files have no byte limit: the runner's
// ingest policy limits their duration), run the job on a MasteringRunner —
// the same work `POST /master` does — and write the WAV so that a failed or
// interrupted run never leaves half a file under the output name.
import { mkdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { readFileBytes } from '../file-bytes.ts';
import { basename, dirname, join } from 'node:path';
import type { MasteringJobResult, MasteringRunner } from '../../../core/app/ports.ts';
import { checkFileSize } from '../../../core/audio/ingest-limits.ts';
import { AudoEqError, type ErrorCode } from '../../../core/domain/errors.ts';
import type { IngestPolicy } from '../../../core/domain/policies.ts';
import type { MasteringRequestOptions } from '../../../core/mastering/options.ts';
import { localIngestPolicy } from './local-ingest.ts';

/** Failure codes of a file job: the product's error codes plus the CLI's own file problems. */
export type FileJobFailureCode = ErrorCode | 'unreadable_file' | 'output_not_writable' | 'no_reference';

/** Which file a failure is about. */
export type FileRole = 'target' | 'reference' | 'output' | 'report';

/** A failed file job: its `code`, which file it concerns, and a message about that file. */
export class FileJobError extends Error {
  readonly code: FileJobFailureCode;
  readonly role: FileRole;
  readonly path: string;

  constructor(code: FileJobFailureCode, role: FileRole, path: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'FileJobError';
    this.code = code;
    this.role = role;
    this.path = path;
  }
}

export interface FileJob {
  readonly correlationId: string;
  readonly targetPath: string;
  /** One to `MAX_REFERENCES` references; several are combined by loudness, in any order. */
  readonly referencePaths: readonly string[];
  readonly outputPath: string;
  readonly options: MasteringRequestOptions;
}

export const errnoOf = (error: unknown): string | undefined => (error as NodeJS.ErrnoException | null)?.code;

/**
 * Reads one input file. A missing path is `missing_file`, a directory or a
 * permission problem `unreadable_file`, an empty file `empty_file` (checked
 * on the size before reading); local files have no byte limit unless
 * `policy` sets one.
 *
 * @example const bytes = await readInputFile('reference', 'ref.flac');
 */
export async function readInputFile(role: 'target' | 'reference', path: string, policy: IngestPolicy = localIngestPolicy()): Promise<Uint8Array> {
  await checkInputFile(role, path, policy);
  try {
    return await readFileBytes(path);
  } catch (error) {
    throw fileFailure(error, role, path);
  }
}

/**
 * The checks of {@link readInputFile} without reading the file (for a file
 * read later in blocks): a missing path, a directory, a file over `policy`'s size.
 */
export async function checkInputFile(role: 'target' | 'reference', path: string, policy: IngestPolicy = localIngestPolicy()): Promise<number> {
  try {
    const info = await stat(path);
    if (info.isDirectory()) throw new FileJobError('unreadable_file', role, path, 'is a directory, not a file');
    checkFileSize(policy, info.size);
    return info.size;
  } catch (error) {
    throw fileFailure(error, role, path);
  }
}

/** A failure to reach or read an input file as the {@link FileJobError} that names it. */
export function fileFailure(error: unknown, role: 'target' | 'reference', path: string): unknown {
  if (error instanceof FileJobError) return error;
  if (error instanceof AudoEqError) return new FileJobError(error.code, role, path, error.message, { cause: error });
  const errno = errnoOf(error);
  if (errno === 'ENOENT' || errno === 'ENOTDIR') return new FileJobError('missing_file', role, path, 'no such file');
  return new FileJobError('unreadable_file', role, path, `cannot be read (${errno ?? String(error)})`, { cause: error });
}

/**
 * Writes `bytes` to `path`, creating missing parent folders: first to a hidden
 * temporary file beside it, then renamed into place. Any failure is
 * `output_not_writable` and leaves nothing behind.
 *
 * @example await writeOutputFile('out/mastered/song.wav', wav);
 */
export async function writeOutputFile(path: string, bytes: Uint8Array): Promise<void> {
  const temporary = partialPathFor(path);
  try {
    await mkdir(dirname(path), { recursive: true });
    await writeFile(temporary, bytes);
    await rename(temporary, path);
  } catch (error) {
    await rm(temporary, { force: true }).catch(() => undefined);
    throw outputNotWritable(error, path);
  }
}

/** The hidden file an output is written to before it is renamed into place. */
export function partialPathFor(path: string): string {
  return join(dirname(path), `.${basename(path)}.${crypto.randomUUID()}.partial`);
}

/** A failure to write the output at `path` as the `output_not_writable` {@link FileJobError} naming it. */
export function outputNotWritable(error: unknown, path: string): FileJobError {
  const errno = errnoOf(error);
  const reason = errno === 'EISDIR' ? 'it is a directory' : (errno ?? String(error));
  return new FileJobError('output_not_writable', 'output', path, `cannot be written (${reason})`, { cause: error });
}

/**
 * Runs one job: reads the inputs, masters on `runner`, writes the WAV.
 * Rejects with `FileJobError` for file problems and for audio the ingest
 * policy refuses (code from the error table, role and path telling which
 * file, the very reference among several); any other error is rethrown as is.
 *
 * @example
 * const { diagnostics } = await masterFiles(createInProcessRunner(), {
 *   correlationId: crypto.randomUUID(), targetPath: 'mix.wav', referencePaths: ['ref.wav'], outputPath: 'out.wav', options: DEFAULT_MASTERING_OPTIONS,
 * });
 */
export async function masterFiles(runner: MasteringRunner, job: FileJob): Promise<MasteringJobResult> {
  if (job.referencePaths.length === 0) throw new RangeError('a file job needs at least one reference');
  const target = await readInputFile('target', job.targetPath);
  const references = [];
  for (const path of job.referencePaths) references.push({ bytes: await readInputFile('reference', path), filename: basename(path) });
  let result: MasteringJobResult;
  try {
    result = await runner.run({
      correlationId: job.correlationId,
      target: { bytes: target, filename: basename(job.targetPath) },
      reference: references.length === 1 ? references[0] : references,
      options: job.options,
    });
  } catch (error) {
    throw inputFailure(error, job);
  }
  await writeOutputFile(job.outputPath, result.wav);
  return result;
}

/**
 * An ingest error about one of the job's files as a {@link FileJobError}
 * naming that file (the very reference among several); anything else as it is.
 */
export function inputFailure(error: unknown, job: FileJob): unknown {
  if (error instanceof AudoEqError && (error.details.part === 'target' || error.details.part === 'reference')) {
    const role = error.details.part;
    const index = typeof error.details.reference_index === 'number' ? error.details.reference_index - 1 : 0;
    return new FileJobError(error.code, role, role === 'target' ? job.targetPath : job.referencePaths[index], error.message, { cause: error });
  }
  return error;
}

/**
 * The `code` and one-line message of any job failure, the message prefixed
 * with the file it concerns (`reference refs/a.wav: …`). The batch names the
 * target at the start of its line already, so it passes `nameTarget: false`.
 *
 * @example describeFailure(error, { nameTarget: false }) // { code: 'corrupted_file', message: 'reference refs/a.wav: The WAV file …' }
 */
export function describeFailure(error: unknown, settings: { nameTarget: boolean }): { code: string; message: string } {
  const oneLine = (text: string) => text.replace(/\s*\n\s*/g, ' ');
  if (error instanceof FileJobError) {
    const named = (error.role !== 'target' || settings.nameTarget) && !error.message.includes(error.path);
    return { code: error.code, message: oneLine(named ? `${error.role} ${error.path}: ${error.message}` : error.message) };
  }
  if (error instanceof AudoEqError) return { code: error.code, message: oneLine(error.message) };
  return { code: 'internal_error', message: oneLine(error instanceof Error ? error.message : String(error)) };
}
