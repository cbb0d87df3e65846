/**
 * Job wait and run times of a BullMQ job queue, counted in Redis beside the
 * queue (one hash, `audo-eq:<name>:x:timings`) by whichever worker process
 * ran the job, and read by every API process for `/metrics`: with workers in
 * their own processes the API still shows every job. One count per bucket
 * (summed into cumulative counts when read), a sum and a count per series;
 * like any Prometheus counter they only grow.
 */
import type { Redis } from 'ioredis';
import { bucketIndex, cumulativeCounts, JOB_BUCKETS_SECONDS, type HistogramCounts, type JobTimings, type JobTimingsRecorder } from '../../core/app/jobs/job-timings.ts';
import type { AppLogger } from '../../core/app/ports.ts';

/** The hash of queue `name` under BullMQ prefix `prefix`. */
export function timingsKey(prefix: string, name: string): string {
  return `${prefix}:${name}:x:timings`;
}

/** Field prefix of a series: `wait` or `duration:<status>` (statuses are plain words). */
const seriesField = (series: string, part: string | number) => `${series}|${part}`;

/**
 * The recorder a worker process uses: each observation is one MULTI of three
 * increments; a failure is logged, never thrown into the job.
 *
 * @example createRedisTimingsRecorder(redis, 'audo-eq:mastering-jobs:x:timings', logger).observeJobWait(1.5);
 */
export function createRedisTimingsRecorder(redis: Redis, key: string, logger: AppLogger): JobTimingsRecorder {
  const observe = (series: string, seconds: number) => {
    redis
      .multi()
      .hincrby(key, seriesField(series, bucketIndex(seconds)), 1)
      .hincrbyfloat(key, seriesField(series, 'sum'), seconds)
      .exec()
      .catch((error: unknown) => logger.warn('Could not record job timings', { key, error }));
  };
  return {
    observeJobWait: (seconds) => observe('wait', seconds),
    observeJobDuration: (seconds, status) => observe(`duration:${status}`, seconds),
  };
}

/**
 * Reads the hash back as histogram series.
 *
 * @example await readRedisTimings(redis, key) // { wait: [{ labels: {}, buckets: [...], sum, count }], duration: [{ labels: { status: 'succeeded' }, … }] }
 */
export async function readRedisTimings(redis: Redis, key: string): Promise<JobTimings> {
  const fields = await redis.hgetall(key);
  const series = new Map<string, { perBucket: number[]; sum: number }>();
  for (const [field, value] of Object.entries(fields)) {
    const cut = field.lastIndexOf('|');
    if (cut < 0) continue;
    const name = field.slice(0, cut);
    const part = field.slice(cut + 1);
    const entry = series.get(name) ?? { perBucket: new Array<number>(JOB_BUCKETS_SECONDS.length + 1).fill(0), sum: 0 };
    series.set(name, entry);
    if (part === 'sum') entry.sum = Number(value);
    else if (/^\d+$/.test(part) && Number(part) <= JOB_BUCKETS_SECONDS.length) entry.perBucket[Number(part)] = Number(value);
  }
  const wait: HistogramCounts[] = [];
  const duration: HistogramCounts[] = [];
  for (const [name, { perBucket, sum }] of [...series].sort(([a], [b]) => a.localeCompare(b))) {
    if (name === 'wait') wait.push(cumulativeCounts(perBucket, sum, {}));
    else if (name.startsWith('duration:')) duration.push(cumulativeCounts(perBucket, sum, { status: name.slice('duration:'.length) }));
  }
  return { wait, duration };
}
