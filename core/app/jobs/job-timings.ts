/**
 * Queue wait and run time of asynchronous jobs as histogram counts: what
 * `/metrics` shows as `audo_eq_job_queue_wait_seconds` and
 * `audo_eq_job_duration_seconds`. A queue shared by several processes (BullMQ)
 * keeps these counts beside its jobs, so every API process shows the jobs
 * that any worker process ran; the in-memory queue's process counts its own.
 */

/** Jobs wait from milliseconds (idle workers) to many minutes (a backlog) and run up to several minutes (an hour of audio). */
export const JOB_BUCKETS_SECONDS: readonly number[] = [0.1, 0.5, 1, 2, 5, 10, 30, 60, 120, 300, 600, 1800, 3600];

/** One histogram series: cumulative counts per bound of `JOB_BUCKETS_SECONDS` (then `count` for +Inf). */
export interface HistogramCounts {
  readonly labels: Readonly<Record<string, string>>;
  /** `buckets[i]`: observations ≤ `JOB_BUCKETS_SECONDS[i]`. */
  readonly buckets: readonly number[];
  readonly sum: number;
  readonly count: number;
}

export interface JobTimings {
  /** Time from submission to a job's first start. */
  readonly wait: readonly HistogramCounts[];
  /** Run time of finished jobs (first start to end), one series per final `status`. */
  readonly duration: readonly HistogramCounts[];
}

/**
 * The first bucket a value falls in (`JOB_BUCKETS_SECONDS.length` for +Inf):
 * stores keep one count per bucket and sum them up when read.
 *
 * @example bucketIndex(0.7) // 2 (the 1 s bucket)
 */
export function bucketIndex(seconds: number): number {
  const index = JOB_BUCKETS_SECONDS.findIndex((bound) => seconds <= bound);
  return index === -1 ? JOB_BUCKETS_SECONDS.length : index;
}

/**
 * Per-bucket counts (one per bucket plus +Inf) as cumulative histogram counts.
 *
 * @example cumulativeCounts([1, 0, 2, …], sum, {}) // buckets [1, 1, 3, …]
 */
export function cumulativeCounts(perBucket: readonly number[], sum: number, labels: Readonly<Record<string, string>>): HistogramCounts {
  const buckets: number[] = [];
  let running = 0;
  for (let i = 0; i < JOB_BUCKETS_SECONDS.length; i++) {
    running += perBucket[i] ?? 0;
    buckets.push(running);
  }
  return { labels, buckets, sum, count: running + (perBucket[JOB_BUCKETS_SECONDS.length] ?? 0) };
}

/** Where a worker records the timings of the jobs it runs. */
export interface JobTimingsRecorder {
  /** A job's first start, `waitSeconds` after it was submitted. */
  observeJobWait(waitSeconds: number): void;
  /** A job ended with `status` after running `seconds`. */
  observeJobDuration(seconds: number, status: string): void;
}
