// One mastering job between files with the target read and the master written
// as the render goes: the target WAV is read in blocks from its file, the
// render's working copy is kept in memory for a short track and in a temporary
// file for a long one, and each block of the master is written to the output
// as it is encoded (to a hidden file beside it, renamed into place at the end,
// so a failed or interrupted run leaves nothing under the output name). Memory
// is then set by the block size and the analysis data, not the duration: an
// hour of 48 kHz stereo is mastered in well under a gigabyte. A job that cannot
// be streamed (FLAC or MP3, surround, a preview, another output rate) returns
// null and runs whole (`masterFiles`).
import { closeSync, openSync, writeSync } from 'node:fs';
import { mkdir, rename, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, dirname } from 'node:path';
import { memoryTrackStore, type TrackStore } from '../../../core/audio/pcm-source.ts';
import { sourceIngestSummary } from '../../../core/app/decode-upload.ts';
import type { MasteringJobResult } from '../../../core/app/ports.ts';
import type { AnalyzedReference } from '../../../core/app/reference-analysis.ts';
import { canStreamJob, runStreamedMasteringJob } from '../../../core/app/streaming-mastering-job.ts';
import type { IngestPolicy } from '../../../core/domain/policies.ts';
import { createFileTrackStore } from '../file-track-store.ts';
import { startTapThread, type TapThread } from '../tap-thread.ts';
import { warmCurveFor } from '../warm-curve.ts';
import { AudoEqError } from '../../../core/domain/errors.ts';
import { openWavFileSource, type WavFileSource } from '../wav-file-source.ts';
import { analyzeReferenceFilesOn, analyzeReferenceFilesOnThread } from '../reference-analysis-thread.ts';
import { analyzeReferenceFiles } from '../reference-files.ts';
import { checkInputFile, errnoOf, fileFailure, FileJobError, inputFailure, outputNotWritable, partialPathFor, type FileJob } from './master-files.ts';

/** A working copy up to this size (decoded float samples) stays in memory; a larger one goes to a temporary file. */
export const MEMORY_STORE_BYTES = 256 * 1024 * 1024;
/** The limiter's gain curve is kept in memory up to this size (about 6 minutes at 44.1 kHz), in a temporary file beyond. */
export const MEMORY_CURVE_BYTES = 64 * 1024 * 1024;

export interface StreamedFileSettings {
  readonly ingestPolicy: IngestPolicy;
  /** Read and analyse the references on a thread of their own while the target is read here (the CLI's two cores). */
  readonly referencesOnThread?: boolean;
  /** Take the render's measurements on a thread of their own while its stages run here (see tap-thread.ts). */
  readonly tapsOnThread?: boolean;
  /** Where a long track's working copy is kept (default the system's temporary folder). */
  readonly storeDirectory?: string;
  /** Override of {@link MEMORY_STORE_BYTES} (tests use 0 to force the file store). */
  readonly memoryStoreBytes?: number;
}

/**
 * Runs `job` streamed, or returns null when it cannot be (see the module
 * comment). Fails as `masterFiles` does: `FileJobError` for file problems and
 * refused audio, naming the file.
 *
 * @example const result = await masterFileStreamed(job, { ingestPolicy }) ?? await masterFiles(runner, job);
 */
export async function masterFileStreamed(job: FileJob, settings: StreamedFileSettings): Promise<Omit<MasteringJobResult, 'wav'> | null> {
  if (job.referencePaths.length === 0) throw new RangeError('a file job needs at least one reference');
  const paths = job.referencePaths;
  // The files' own checks in the whole-buffer job's order: the target, then each reference.
  const sizeBytes = await checkInputFile('target', job.targetPath, settings.ingestPolicy);
  for (const path of paths) await checkInputFile('reference', path, settings.ingestPolicy);
  const source = await openTarget(job, settings.ingestPolicy);
  if (!source) return null;
  try {
    if (source.channelCount > 2 || !canStreamJob(job.options, source.sampleRateHz)) return null;
    const onThread = settings.referencesOnThread === true;
    const output = await openOutput(job.outputPath);
    // Started now, it loads while the target is read.
    const taps = settings.tapsOnThread === true ? startTapThread() : null;
    const curveLimitBytes = Math.min(settings.memoryStoreBytes ?? MEMORY_STORE_BYTES, MEMORY_CURVE_BYTES);
    const curve = taps ? warmCurveFor(source.length, curveLimitBytes) : null;
    let closing: Promise<void> | undefined;
    const closeTaps = () => (closing ??= taps?.close());
    try {
      const result = await runStreamedMasteringJob(
        {
          correlationId: job.correlationId,
          target: { source, summary: sourceIngestSummary(source, sizeBytes) },
          references: {
            listed: paths.length > 1,
            elsewhere: onThread,
            analyze: (policy) => {
              const analyzing = !onThread ? analyzeReferenceFiles(paths, policy) : taps ? analyzeOnTapThread(taps, paths, policy) : analyzeReferenceFilesOnThread(paths, policy);
              // Once the references are in, a core is free until the render needs the curve: page it in there.
              if (curve && taps) void analyzing.then(() => taps.warm(curve.memory)).catch(() => undefined);
              return analyzing;
            },
          },
          options: job.options,
        },
        {
          ingestPolicy: settings.ingestPolicy,
          // In shared memory beside a tap thread, which then reads the render's blocks and measures the track from there.
          createStore: (shape) => workingCopy(shape, settings, taps),
          // The limiter's curve (one channel: half a stereo working copy) stays in memory only while it is small.
          createCurveStore: (shape) => curve?.take(shape) ?? workingCopy(shape, { ...settings, memoryStoreBytes: curveLimitBytes }),
          output: output.write,
          tapHost: taps?.ready,
        },
      ).catch((error: unknown) => {
        throw inputFailure(error, job);
      });
      // The thread has nothing left to do: it winds down (~10 ms) while the output is put in place.
      const closed = closeTaps();
      await output.keep();
      await closed;
      return result;
    } catch (error) {
      await output.discard();
      throw error;
    } finally {
      await closeTaps();
    }
  } finally {
    source.close();
  }
}

/**
 * The references analysed on the tap thread before it takes the render's taps
 * (one thread booted instead of two), sent now: it starts on them as soon as
 * it has loaded (waiting for its `ready` here would wait for this thread to
 * finish reading the target first); on a thread of their own when it has
 * already failed.
 */
function analyzeOnTapThread(taps: TapThread, paths: readonly string[], policy: IngestPolicy): Promise<AnalyzedReference[]> {
  return taps.failed() ? analyzeReferenceFilesOnThread(paths, policy) : analyzeReferenceFilesOn(taps.worker, paths, policy);
}

/**
 * The target opened for reading in blocks, or null when it is not a WAV file.
 * A target the ingest policy refuses is reported after a bad reference, as
 * the whole-buffer job reports them: the references are analysed first then.
 */
async function openTarget(job: FileJob, policy: IngestPolicy): Promise<WavFileSource | null> {
  const path = job.targetPath;
  try {
    return openWavFileSource(path, { filename: basename(path), policy, keepChannels: true });
  } catch (error) {
    if (error instanceof AudoEqError) {
      await analyzeReferenceFiles(job.referencePaths, policy).catch((referenceError: unknown) => {
        throw inputFailure(referenceError, job);
      });
    }
    throw fileFailure(error, 'target', path);
  }
}

function workingCopy(shape: { sampleRateHz: number; channelCount: number; length: number }, settings: StreamedFileSettings, taps: TapThread | null = null): TrackStore {
  const bytes = shape.length * shape.channelCount * 4;
  if (bytes <= (settings.memoryStoreBytes ?? MEMORY_STORE_BYTES)) {
    return taps?.workingCopy(shape) ?? memoryTrackStore(Array.from({ length: shape.channelCount }, () => new Float32Array(shape.length)), shape.sampleRateHz);
  }
  const directory = settings.storeDirectory ?? tmpdir();
  // A folder that cannot hold the working copy (missing, read-only, full) is the user's to fix: say which and how.
  const unusable = (error: unknown) => {
    const reason = errnoOf(error) ?? String(error);
    const needMb = Math.ceil(bytes / (1024 * 1024));
    return new FileJobError(
      'output_not_writable',
      'output',
      directory,
      `cannot hold the working copy of this long target (${needMb} MiB; ${reason}): set TMPDIR to a folder with room`,
      { cause: error },
    );
  };
  let store: TrackStore;
  try {
    store = createFileTrackStore({ ...shape, directory });
  } catch (error) {
    throw unusable(error);
  }
  const guarded = <T>(action: () => T): T => {
    try {
      return action();
    } catch (error) {
      throw unusable(error);
    }
  };
  return {
    sampleRateHz: store.sampleRateHz,
    channelCount: store.channelCount,
    length: store.length,
    read: (start, count) => guarded(() => store.read(start, count)),
    write: (start, frames) => guarded(() => store.write(start, frames)),
    close: () => store.close(),
  };
}

/** The output written as it comes to a hidden file beside `path`; kept (renamed into place) or discarded. */
async function openOutput(path: string) {
  const temporary = partialPathFor(path);
  const notWritable = (error: unknown) => outputNotWritable(error, path);
  let fd: number | null = null;
  try {
    await mkdir(dirname(path), { recursive: true });
    fd = openSync(temporary, 'wx');
  } catch (error) {
    throw notWritable(error);
  }
  const close = () => {
    if (fd === null) return;
    const open = fd;
    fd = null;
    closeSync(open);
  };
  return {
    write(bytes: Uint8Array) {
      try {
        for (let done = 0; done < bytes.length; ) done += writeSync(fd!, bytes, done, bytes.length - done);
      } catch (error) {
        throw notWritable(error);
      }
    },
    async keep() {
      try {
        close();
        await rename(temporary, path);
      } catch (error) {
        await rm(temporary, { force: true }).catch(() => undefined);
        throw notWritable(error);
      }
    },
    async discard() {
      try {
        close();
      } finally {
        await rm(temporary, { force: true }).catch(() => undefined);
      }
    },
  };
}
