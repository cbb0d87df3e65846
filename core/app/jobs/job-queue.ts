/**
 * Ports of asynchronous jobs. The API side (`JobQueue`) submits, reads,
 * lists and cancels jobs; a worker side (`JobWorker`) takes them and runs a
 * `JobProcessor` on each. Two backends implement both: in memory (the
 * embedded default, one process) and BullMQ on Redis (any number of API and
 * worker processes). The processor and everything it runs live in core, so
 * a job gives the same bytes and events whichever backend carries it.
 */
import type { JobTimings } from './job-timings.ts';
import type { JobRecord, JobResult, JobStage, JobStatus, JobSubmission } from './job-record.ts';

export interface JobListPage {
  /** Newest first. */
  readonly jobs: readonly JobRecord[];
  /** Pass as `cursor` for the next (older) page; null on the last page. */
  readonly nextCursor: string | null;
}

/** Port: where `POST /jobs` puts jobs and where `GET`/`DELETE /jobs` find them. */
export interface JobQueue {
  /** `memory` or `redis`, for `/ready`, logs and metrics. */
  readonly backend: string;
  readonly name: string;
  /**
   * Queues a job. Rejects with `AudoEqError('queue_full')` beyond the
   * capacity and `AudoEqError('queue_unavailable')` when the backend does
   * not answer in time.
   */
  submit(submission: JobSubmission): Promise<JobRecord>;
  /** The job, or null when unknown (or removed by retention). */
  get(id: string): Promise<JobRecord | null>;
  /** Jobs of one owner, newest first. */
  list(owner: string, options: { readonly limit: number; readonly cursor?: string }): Promise<JobListPage>;
  /**
   * Cancels a job: a queued job is `cancelled` at once, a running one is
   * flagged (`cancelRequested`) and stops at its next stage boundary. A
   * finished job is returned unchanged. Null when unknown.
   */
  cancel(id: string): Promise<JobRecord | null>;
  /** Jobs per status (finished ones while retained). */
  counts(): Promise<Record<JobStatus, number>>;
  /**
   * Queue wait and run time of the jobs every worker of this queue ran, when
   * the queue keeps them (a queue shared across processes); without it
   * `/metrics` shows what this process's own worker observed.
   */
  timings?(): Promise<JobTimings>;
  checkReady(): Promise<void>;
  close(): Promise<void>;
}

/** What a processor gets besides the job. */
export interface JobControl {
  /** Aborted when the job is cancelled while it runs. */
  readonly signal: AbortSignal;
  /** The job entered `stage` (progress only ever moves forward). */
  progress(stage: JobStage): void;
  /** This run's number, 1 for the first. */
  readonly attempt: number;
  /** Whether a failure now is final (no attempt left). */
  readonly lastAttempt: boolean;
}

/**
 * Runs one job to its result. Throws `JobCancelledError` when
 * cancelled; other errors are classified by `classifyJobFailure`.
 */
export type JobProcessor = (record: JobRecord, control: JobControl) => Promise<JobResult>;

/** Port: takes jobs from a queue and runs them, `concurrency` at a time. */
export interface JobWorker {
  start(): void;
  /**
   * Takes no new jobs, lets running ones finish for up to `timeoutMs`, then
   * stops; jobs still running are left to be taken over (durable backends)
   * or failed (memory). Jobs not started stay queued.
   */
  stop(options?: { readonly timeoutMs?: number }): Promise<void>;
}

/**
 * What a worker reports about the jobs it runs, for metrics and clean-up:
 * `started` on every start (`record.attempts` counts them), `finished` once
 * per job when it reaches a final status (a queued job cancelled through
 * the API included).
 */
export interface JobLifecycle {
  started?(record: JobRecord): void;
  finished?(record: JobRecord): void | Promise<void>;
}
