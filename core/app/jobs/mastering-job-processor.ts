/**
 * The processor every job backend runs: read the job's uploads from storage,
 * run the same mastering use case as `POST /master` (same job function,
 * same events) with the job's options, store the WAV under
 * `mastered/<job id>.wav` (a job taken over after its worker died writes the
 * same key again, never a second object) and report progress at each stage.
 */
import { AudoEqError, ERROR_TABLE } from '../../domain/errors.ts';
import type { EventPublisher } from '../../domain/events.ts';
import { masterTrack } from '../master-track.ts';
import { artifactKey } from '../artifact-key.ts';
import { createArtifactPersister } from '../persist-artifact.ts';
import type { AppLogger, ArtifactStorage, Clock, MasteringJob, MasteringRunner } from '../ports.ts';
import { isJobCancelled, jobCancelledError } from '../run-control.ts';
import { loadJobInputs, masteringFiles } from './job-inputs.ts';
import type { JobControl, JobProcessor } from './job-queue.ts';
import type { JobFailure, JobResult } from './job-record.ts';

export interface MasteringJobProcessorDeps {
  readonly runner: MasteringRunner;
  readonly storage: ArtifactStorage;
  readonly events: EventPublisher;
  readonly logger: AppLogger;
  readonly clock: Clock;
}

/** The object key of a job's result. */
export function resultKey(jobId: string): string {
  return artifactKey(jobId);
}

/**
 * Creates the processor.
 *
 * @example const worker = queue.createWorker(createMasteringJobProcessor({ runner, storage, events, logger, clock }), { concurrency: 2 });
 */
export function createMasteringJobProcessor(deps: MasteringJobProcessorDeps): JobProcessor {
  const { runner, storage, events, logger, clock } = deps;
  return async (record, control: JobControl): Promise<JobResult> => {
    const { submission } = record;
    if (control.signal.aborted) throw jobCancelledError();
    control.progress('download');
    const uploads = await loadJobInputs(storage, submission.inputs, control.signal);
    // The job is the upload object plus id and options, exactly as the /master route builds it.
    const job: MasteringJob = { correlationId: submission.correlationId, ...masteringFiles(uploads), options: submission.options };
    const persister = createArtifactPersister({
      policy: { mode: 'immediate', guarantee: 'guaranteed' },
      storage,
      events,
      logger,
      clock,
      ids: () => submission.id,
    });
    const result = await masterTrack({ runner, persister, events, clock }, job, { signal: control.signal, onStage: (stage) => control.progress(stage) });
    if (result.persistence.status !== 'stored') throw new AudoEqError('storage_unavailable');
    return {
      key: result.persistence.key,
      destination: result.persistence.destination,
      sizeBytes: result.wav.byteLength,
      profileId: result.profileId,
      policies: { ...result.policies },
      diagnostics: result.diagnostics,
      warnings: result.diagnostics.warnings,
      masteringSeconds: result.masteringSeconds,
    };
  };
}

export type FailureOutcome =
  | { readonly kind: 'cancelled' }
  | { readonly kind: 'final'; readonly failure: JobFailure }
  | { readonly kind: 'retry'; readonly failure: JobFailure };

/**
 * What a processor's error means for the job: a `JobCancelledError` cancels it;
 * a client error (bad upload, 4xx codes) fails it at once — running it again
 * cannot help; anything else (storage down, a crashed worker thread, a bug)
 * is tried again while attempts are left.
 *
 * @example classifyJobFailure(new IngestValidationError('corrupted_file'), false) // { kind: 'final', failure: { code: 'corrupted_file', … } }
 */
export function classifyJobFailure(error: unknown, lastAttempt: boolean): FailureOutcome {
  if (isJobCancelled(error)) return { kind: 'cancelled' };
  if (error instanceof AudoEqError) {
    const failure = { code: error.code, message: error.message };
    if (ERROR_TABLE[error.code].status < 500) return { kind: 'final', failure };
    return { kind: lastAttempt ? 'final' : 'retry', failure };
  }
  const failure: JobFailure = { code: 'internal_error', message: ERROR_TABLE.internal_error.message };
  return { kind: lastAttempt ? 'final' : 'retry', failure };
}
