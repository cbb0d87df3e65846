/**
 * The job submission use case behind `POST /jobs`: receive the request
 * (options, callback, uploads), keep the uploads in storage, queue the job,
 * and report `MasteringFailed` (stage `request`, `async: true`) — here and
 * only here — when any of that fails. The mastering itself is
 * `masterTrack`'s, run later by a job worker, which reports its own failures.
 */
import { AudoEqError } from '../../domain/errors.ts';
import type { EventPublisher } from '../../domain/events.ts';
import type { MasteringRequestOptions } from '../../mastering/options.ts';
import type { AppLogger, ArtifactStorage, Clock } from '../ports.ts';
import { removeJobInputs, storeJobInputs, type UploadFields } from './job-inputs.ts';
import type { JobRecord, JobSubmission } from './job-record.ts';

export interface SubmitJobDeps {
  /** null: storage disabled, so jobs cannot keep their inputs (`jobs_unavailable`). */
  readonly storage: ArtifactStorage | null;
  /** Hands the submission to the job queue (bounded by the caller's timeout). */
  readonly submit: (submission: JobSubmission) => Promise<JobRecord>;
  readonly events: EventPublisher;
  readonly clock: Clock;
  readonly logger: AppLogger;
  /** Queue name and backend, for the log line. */
  readonly queue: { readonly name: string; readonly backend: string };
  readonly ids: () => string;
}

/** A job request not read yet; `receive` parses and reads it (query, callback URL, uploads). */
export interface IncomingJob<U extends UploadFields<U>> {
  readonly correlationId: string;
  readonly receive: () => Promise<{ readonly owner: string; readonly options: MasteringRequestOptions; readonly callbackUrl: string | null; readonly upload: U }>;
}

/**
 * Submits one mastering job; resolves with its record as queued.
 *
 * @example const record = await submitMasteringJob(deps, { correlationId, receive: () => readJobRequest(request) });
 */
export async function submitMasteringJob<U extends UploadFields<U>>(deps: SubmitJobDeps, incoming: IncomingJob<U>): Promise<JobRecord> {
  const { storage, events, clock, logger } = deps;
  const { correlationId } = incoming;
  try {
    if (!storage) throw new AudoEqError('jobs_unavailable', 'Jobs keep their inputs in storage, and storage is disabled on this server.');
    const { owner, options, callbackUrl, upload } = await incoming.receive();
    const id = deps.ids();
    const inputs = await storeJobInputs(storage, id, correlationId, upload);
    const submission: JobSubmission = { id, owner, correlationId, options: { ...options }, inputs, callbackUrl, submittedAt: clock.now().toISOString() };
    let record: JobRecord;
    try {
      record = await deps.submit(submission);
    } catch (error) {
      await removeJobInputs(storage, inputs);
      throw error;
    }
    logger.info('Queued mastering job', { correlation_id: correlationId, job_id: id, queue_name: deps.queue.name, backend: deps.queue.backend });
    return record;
  } catch (error) {
    const known = error instanceof AudoEqError;
    events.publish({
      name: 'MasteringFailed',
      correlationId,
      occurredAt: clock.now().toISOString(),
      payload: { stage: 'request', code: known ? error.code : 'internal_error', message: known ? error.message : 'unexpected error', async: true },
    });
    throw error;
  }
}
