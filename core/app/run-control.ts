/**
 * How a `RunControl` reaches the mastering job function: one stage hook that
 * first stops a cancelled job (throwing `JobCancelledError` at the stage
 * boundary) and then reports the stage. Shared by the in-process runner and
 * the worker threads, where cancellation arrives as a shared flag instead of
 * an `AbortSignal` (a busy worker thread cannot receive messages).
 */
import type { JobStage } from './jobs/job-record.ts';

/**
 * What a cancelled job stops with. Not a product error (no client ever gets
 * it as an answer: the job's status says `cancelled`); recognised by name,
 * which survives the trip back from a worker thread.
 */
export class JobCancelledError extends Error {
  constructor() {
    super('The job was cancelled.');
    this.name = 'JobCancelledError';
  }
}

export function jobCancelledError(): JobCancelledError {
  return new JobCancelledError();
}

/** Whether `error` is a cancellation (also when rebuilt from a worker thread's answer). */
export function isJobCancelled(error: unknown): boolean {
  return error instanceof Error && error.name === 'JobCancelledError';
}

/**
 * A stage hook: throws `JobCancelledError` once `cancelled()` says so, otherwise reports the stage.
 *
 * @example runMasteringJob(job, { onStage: stageHook(() => signal.aborted, (stage) => report(stage)) })
 */
export function stageHook(cancelled: () => boolean, report?: (stage: JobStage) => void): (stage: JobStage) => void {
  return (stage) => {
    if (cancelled()) throw jobCancelledError();
    report?.(stage);
  };
}

/** A one-slot flag two threads share: 0 running, 1 cancel requested. */
export function createCancelFlag(): SharedArrayBuffer {
  return new SharedArrayBuffer(Int32Array.BYTES_PER_ELEMENT);
}

export function raiseCancelFlag(flag: SharedArrayBuffer): void {
  Atomics.store(new Int32Array(flag), 0, 1);
}

export function cancelFlagRaised(flag: SharedArrayBuffer): boolean {
  return Atomics.load(new Int32Array(flag), 0) === 1;
}
