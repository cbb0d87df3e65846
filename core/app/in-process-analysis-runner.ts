/**
 * The default `AnalysisRunner`: decodes one upload under the ingest policy and
 * measures it in the calling thread. `runAnalysisJob` is the whole job as one
 * function, so a worker-pool entry can call exactly what this runner calls.
 */
import { decodeAudio } from '../audio/decode.ts';
import { IngestValidationError } from '../domain/errors.ts';
import { DEFAULT_INGEST_POLICY, type IngestPolicy } from '../domain/policies.ts';
import { measureTrack } from '../measurement/track-measurements.ts';
import type { AnalysisJob, AnalysisJobResult, AnalysisRunner } from './ports.ts';

/**
 * Decodes and measures one upload. An ingest error gains `part: 'file'` so a
 * client knows which upload it is about, as with `/master`'s parts.
 *
 * @example
 * const { source, measurements } = await runAnalysisJob({ correlationId: 'c1', file: { bytes, filename: 'mix.flac' } });
 * measurements.integratedLufs; // e.g. -14.1
 */
export async function runAnalysisJob(job: AnalysisJob, policy: IngestPolicy = DEFAULT_INGEST_POLICY): Promise<AnalysisJobResult> {
  let audio;
  try {
    audio = await decodeAudio(job.file.bytes, { filename: job.file.filename, policy, keepChannels: true });
  } catch (error) {
    if (error instanceof IngestValidationError) {
      throw new IngestValidationError(error.code, error.message, { ...error.details, part: 'file' }, { cause: error.cause });
    }
    throw error;
  }
  return {
    source: { container: audio.container, codec: audio.codec, bitDepth: audio.bitDepth },
    measurements: measureTrack(audio),
  };
}

/**
 * Creates the in-process analysis runner (fine for tests, the CLI and small
 * embeds; it holds the event loop while it measures).
 *
 * @example
 * const runner = createInProcessAnalysisRunner();
 * const result = await runner.runAnalysis({ correlationId: 'c1', file: { bytes } });
 */
export function createInProcessAnalysisRunner(options: { readonly ingestPolicy?: IngestPolicy } = {}): AnalysisRunner {
  const policy = options.ingestPolicy ?? DEFAULT_INGEST_POLICY;
  return { runAnalysis: (job) => runAnalysisJob(job, policy) };
}

/**
 * True when `runner` can also run analysis jobs (a worker pool that handles
 * both job kinds), so the app can use it for `/analyze` too.
 *
 * @example canRunAnalysis(pool) ? pool : createInProcessAnalysisRunner()
 */
export function canRunAnalysis(runner: unknown): runner is AnalysisRunner {
  return typeof runner === 'object' && runner !== null && typeof (runner as Partial<AnalysisRunner>).runAnalysis === 'function';
}
