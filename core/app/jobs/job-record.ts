/**
 * An asynchronous mastering job as every job backend keeps it (in memory or
 * in BullMQ): what was submitted, where it stands, and how it ended. Plain
 * JSON throughout, so a record crosses Redis and worker processes unchanged.
 */
import type { ErrorCode } from '../../domain/errors.ts';
import type { MasteringDiagnostics } from '../../mastering/diagnostics.ts';
import type { MasteringRequestOptions } from '../../mastering/options.ts';
import type { MasteringWarning } from '../../mastering/warnings.ts';

export const JOB_STATUSES = ['queued', 'running', 'succeeded', 'failed', 'cancelled'] as const;
export type JobStatus = (typeof JOB_STATUSES)[number];

/** Statuses a job never leaves. */
export const FINISHED_STATUSES: readonly JobStatus[] = ['succeeded', 'failed', 'cancelled'];

/**
 * Stages in the order a job passes them, with the progress (0–100) reached
 * on entering each. The weights follow where a 3-minute stereo job spends
 * its time on the development machines: decoding and analysis about a third,
 * the render (compressor, limiter, loudness convergence) about half.
 */
export const JOB_STAGES = {
  queued: 0,
  download: 2,
  decode: 5,
  analysis: 15,
  decision: 40,
  render: 45,
  encode: 88,
  upload: 94,
  done: 100,
} as const;
export type JobStage = keyof typeof JOB_STAGES;

/** One uploaded file as stored for a job: its object key, the client's file name and its size. */
export interface StoredUpload {
  readonly key: string;
  readonly filename?: string;
  readonly sizeBytes: number;
}

/**
 * The uploads of a job by form field, mirroring the upload object the
 * multipart reader returns (`{ target, reference }` today; a field sent
 * several times is a list), so new fields flow through without changes here.
 */
export type StoredUploads = Readonly<Record<string, StoredUpload | readonly StoredUpload[]>>;

/** What `POST /jobs` hands to the queue. */
export interface JobSubmission {
  readonly id: string;
  /** Whose job it is: a hash of the API key that submitted it, `anonymous` without keys. */
  readonly owner: string;
  readonly correlationId: string;
  /** The parsed mastering options, exactly as `POST /master` would pass them to the job. */
  readonly options: MasteringRequestOptions;
  readonly inputs: StoredUploads;
  readonly callbackUrl: string | null;
  /** ISO-8601 */
  readonly submittedAt: string;
}

/** One try to deliver the callback. */
export interface CallbackDelivery {
  readonly attempt: number;
  /** ISO-8601 time the attempt was made. */
  readonly at: string;
  /** The receiver's HTTP status, or null when no answer came (refused, timed out, blocked address). */
  readonly statusCode: number | null;
  readonly error: string | null;
}

export interface CallbackState {
  readonly url: string;
  /** `pending` until delivered (a 2xx answer) or given up after the configured attempts. */
  readonly status: 'pending' | 'delivered' | 'failed';
  readonly deliveries: readonly CallbackDelivery[];
}

/** What a succeeded job produced. */
export interface JobResult {
  /** Object key of the mastered WAV in storage (`mastered/<job id>.wav`). */
  readonly key: string;
  /** Where it went, e.g. `s3://bucket/key`. */
  readonly destination: string;
  readonly sizeBytes: number;
  readonly profileId: string;
  readonly policies: Readonly<Record<string, string>>;
  readonly diagnostics: MasteringDiagnostics;
  /** Warnings about the result (codes with details), when the mastering reports any. */
  readonly warnings: readonly MasteringWarning[];
  readonly masteringSeconds: number;
}

export interface JobFailure {
  readonly code: ErrorCode;
  readonly message: string;
}

export interface JobProgress {
  /** 0–100; never goes down, even when a job is taken over after its worker died. */
  readonly percent: number;
  readonly stage: JobStage;
}

/** A job as the API reports it. */
export interface JobRecord {
  readonly submission: JobSubmission;
  readonly status: JobStatus;
  readonly progress: JobProgress;
  /** ISO-8601, or null while queued. */
  readonly startedAt: string | null;
  readonly finishedAt: string | null;
  /** Times a worker started it (a job taken over after its worker died counts twice). */
  readonly attempts: number;
  /** Whether a cancel was asked for while it ran (it stops at its next stage boundary). */
  readonly cancelRequested: boolean;
  readonly result: JobResult | null;
  readonly error: JobFailure | null;
  readonly callback: CallbackState | null;
}

/** Whether `status` is final. */
export function isFinished(status: JobStatus): boolean {
  return FINISHED_STATUSES.includes(status);
}

/**
 * The progress after entering `stage`, never lower than `previous`.
 *
 * @example advanceProgress({ percent: 45, stage: 'render' }, 'decode') // { percent: 45, stage: 'render' }
 */
export function advanceProgress(previous: JobProgress, stage: JobStage): JobProgress {
  const percent = JOB_STAGES[stage];
  return percent > previous.percent ? { percent, stage } : previous;
}

export const QUEUED_PROGRESS: JobProgress = { percent: 0, stage: 'queued' };
