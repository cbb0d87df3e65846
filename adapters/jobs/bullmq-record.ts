/**
 * BullMQ jobs as job records: BullMQ states map to the API's statuses, the
 * progress object carries the stage and the first start time, and a failure
 * reason is stored as `<error code>: <message>` so the code survives the trip
 * through Redis. A job BullMQ failed on its own (its workers kept dying) is
 * `worker_lost`.
 */
import type { Job } from 'bullmq';
import { ERROR_TABLE, type ErrorCode } from '../../core/domain/errors.ts';
import { QUEUED_PROGRESS, type CallbackState, type JobFailure, type JobProgress, type JobRecord, type JobResult, type JobStatus, type JobSubmission } from '../../core/app/jobs/job-record.ts';

/** What a job's progress holds in Redis. */
export interface StoredProgress extends JobProgress {
  /** ISO time of the first start (BullMQ's processedOn is the latest). */
  readonly startedAt?: string;
}

export type MasteringBullJob = Job<JobSubmission, JobResult, string>;

const CANCELLED_CODE = 'job_cancelled';

/** A failure as BullMQ's failedReason. */
export function failureReason(failure: JobFailure): string {
  return `${failure.code}: ${failure.message}`;
}

/** A failedReason back as code and message; BullMQ's own reasons (stalls, start limit) are `worker_lost`. */
export function failureOf(reason: string | undefined): JobFailure {

  const match = /^([a-z_]+): ([\s\S]*)$/.exec(reason ?? '');
  if (match && Object.hasOwn(ERROR_TABLE, match[1])) return { code: match[1] as ErrorCode, message: match[2] };
  if (/stalled more than allowable limit|started more than allowable limit/.test(reason ?? '')) {
    return { code: 'worker_lost', message: `${ERROR_TABLE.worker_lost.message} (${reason})` };
  }
  return { code: 'internal_error', message: ERROR_TABLE.internal_error.message };
}

export function isCancelledReason(reason: string | undefined): boolean {
  return (reason ?? '').startsWith(`${CANCELLED_CODE}: `);
}

export function cancelledReason(): string {
  return `${CANCELLED_CODE}: The job was cancelled.`;
}

function statusOf(state: string, failedReason: string | undefined): JobStatus {
  if (state === 'active') return 'running';
  if (state === 'completed') return 'succeeded';
  if (state === 'failed') return isCancelledReason(failedReason) ? 'cancelled' : 'failed';
  return 'queued';
}

export function progressOf(job: MasteringBullJob): StoredProgress {
  const progress = job.progress as unknown;
  if (progress && typeof progress === 'object' && 'percent' in progress && 'stage' in progress) return progress as StoredProgress;
  return QUEUED_PROGRESS;
}

/**
 * The record of a BullMQ job in `state`.
 *
 * @example jobRecordOf(job, await job.getState(), false, null)
 */
export function jobRecordOf(job: MasteringBullJob, state: string, cancelRequested: boolean, callback: CallbackState | null): JobRecord {
  const status = statusOf(state, job.failedReason);
  const progress = progressOf(job);
  const finished = status === 'succeeded' || status === 'failed' || status === 'cancelled';
  return {
    submission: job.data,
    status,
    progress: status === 'succeeded' ? { percent: 100, stage: 'done' } : { percent: progress.percent, stage: progress.stage },
    startedAt: progress.startedAt ?? (job.processedOn ? new Date(job.processedOn).toISOString() : null),
    finishedAt: finished && job.finishedOn ? new Date(job.finishedOn).toISOString() : null,
    attempts: job.attemptsStarted ?? job.attemptsMade,
    cancelRequested,
    result: status === 'succeeded' ? job.returnvalue : null,
    error: status === 'failed' ? failureOf(job.failedReason) : null,
    callback: callback ?? (job.data.callbackUrl ? { url: job.data.callbackUrl, status: 'pending', deliveries: [] } : null),
  };
}
