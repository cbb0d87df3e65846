/**
 * The in-memory job backend, the embedded default: the `JobQueue` the API
 * uses and the worker that runs the jobs, in one process and without Redis.
 * Jobs are lost when the process stops. Same behaviour as the BullMQ backend
 * where a single process can show it: bounded queue, attempts with backoff,
 * cancel (queued at once, running at the next stage boundary), progress
 * that only moves forward, retention of finished jobs, and callbacks
 * delivered with retries.
 */
import { AudoEqError } from '../../core/domain/errors.ts';
import { callbackRetryDelayMs, deliverCallback, delivered, type CallbackSettings, type CallbackTransport } from '../../core/app/jobs/callbacks.ts';
import { jobDocument } from '../../core/app/jobs/job-document.ts';
import type { JobControl, JobLifecycle, JobListPage, JobProcessor, JobQueue, JobWorker } from '../../core/app/jobs/job-queue.ts';
import { advanceProgress, isFinished, JOB_STATUSES, QUEUED_PROGRESS, type CallbackDelivery, type JobRecord, type JobStatus, type JobSubmission } from '../../core/app/jobs/job-record.ts';
import { classifyJobFailure } from '../../core/app/jobs/mastering-job-processor.ts';
import type { AppLogger } from '../../core/app/ports.ts';

export interface MemoryJobQueueOptions {
  readonly name: string;
  /** Most jobs queued (not yet started); one more is `queue_full`. */
  readonly capacity: number;
  /** How long finished jobs stay readable. */
  readonly retentionMs: number;
  /** Runs per job (the first included) before a failure is final. */
  readonly maxAttempts: number;
  /** Delay before run `attempt + 1` after a failed run `attempt`. */
  readonly retryDelayMs: (attempt: number) => number;
  /** Callback delivery; absent: callbacks are recorded as failed (no transport). */
  readonly callbacks?: { readonly transport: CallbackTransport; readonly settings: CallbackSettings } | null;
  /** Base URL for URLs inside callback bodies (relative without one). */
  readonly publicBaseUrl?: string;
  readonly logger?: AppLogger;
  readonly now?: () => Date;
}

export interface MemoryJobQueue extends JobQueue {
  /** The worker running this queue's jobs in this process (one per queue). */
  createWorker(processor: JobProcessor, options: { readonly concurrency: number; readonly lifecycle?: JobLifecycle }): JobWorker;
}

interface Entry {
  record: JobRecord;
  /** Earliest time a queued entry may start (retry backoff). */
  availableAtMs: number;
  abort: AbortController | null;
}

const RETRY_AFTER_SECONDS = 5;

/**
 * Creates the queue.
 *
 * @example
 * const queue = createMemoryJobQueue({ name: 'jobs', capacity: 100, retentionMs: 86_400_000, maxAttempts: 3, retryDelayMs: () => 1000 });
 * const worker = queue.createWorker(processor, { concurrency: 2 });
 * worker.start();
 */
export function createMemoryJobQueue(options: MemoryJobQueueOptions): MemoryJobQueue {
  const now = options.now ?? (() => new Date());
  const entries = new Map<string, Entry>();
  let wake: () => void = () => {};
  let lifecycle: JobLifecycle = {};
  let closed = false;
  const timers = new Set<ReturnType<typeof setTimeout>>();

  const later = (delayMs: number, run: () => void) => {
    const timer = setTimeout(() => {
      timers.delete(timer);
      run();
    }, delayMs);
    timers.add(timer);
  };

  const sweep = () => {
    const oldestKeptMs = now().getTime() - options.retentionMs;
    for (const [id, entry] of entries) {
      const { finishedAt } = entry.record;
      if (finishedAt && Date.parse(finishedAt) < oldestKeptMs) entries.delete(id);
    }
  };

  const update = (entry: Entry, change: Partial<JobRecord>) => {
    entry.record = { ...entry.record, ...change };
  };

  const deliverCallbacks = async (entry: Entry) => {
    const callback = entry.record.callback;
    if (!callback) return;
    const settings = options.callbacks?.settings;
    const maxAttempts = settings?.maxAttempts ?? 1;
    const attempt = async (number: number): Promise<void> => {
      if (closed) return;
      let delivery: CallbackDelivery;
      if (!options.callbacks) delivery = { attempt: number, at: now().toISOString(), statusCode: null, error: 'callbacks are not configured on this server' };
      else {
        const body = JSON.stringify(jobDocument(entry.record, options.publicBaseUrl));
        delivery = await deliverCallback({ url: callback.url, body, jobId: entry.record.submission.id, attempt: number }, { ...options.callbacks, now });
      }
      const ok = delivered(delivery);
      const deliveries = [...(entry.record.callback?.deliveries ?? []), delivery];
      const status = ok ? 'delivered' : number >= maxAttempts ? 'failed' : 'pending';
      update(entry, { callback: { url: callback.url, status, deliveries } });
      if (!ok) options.logger?.warn('Job callback delivery failed', { job_id: entry.record.submission.id, attempt: number, error: delivery.error });
      if (status === 'pending') later(callbackRetryDelayMs(number, settings!), () => void attempt(number + 1));
    };
    await attempt(1);
  };

  const finish = (entry: Entry, change: Partial<JobRecord>) => {
    update(entry, { ...change, finishedAt: now().toISOString(), cancelRequested: entry.record.cancelRequested });
    entry.abort = null;
    void Promise.resolve(lifecycle.finished?.(entry.record)).catch((error) => options.logger?.error('job clean-up failed', { job_id: entry.record.submission.id, error }));
    void deliverCallbacks(entry);
  };

  const counts = (): Record<JobStatus, number> => {
    const result = Object.fromEntries(JOB_STATUSES.map((status) => [status, 0])) as Record<JobStatus, number>;
    for (const { record } of entries.values()) result[record.status]++;
    return result;
  };

  const queue: MemoryJobQueue = {
    backend: 'memory',
    name: options.name,
    async submit(submission: JobSubmission) {
      if (closed) throw new AudoEqError('queue_unavailable', 'The server is shutting down.', { retry_after_seconds: RETRY_AFTER_SECONDS });
      sweep();
      if (counts().queued >= options.capacity) {
        throw new AudoEqError('queue_full', undefined, { capacity: options.capacity, retry_after_seconds: RETRY_AFTER_SECONDS });
      }
      const record: JobRecord = {
        submission,
        status: 'queued',
        progress: QUEUED_PROGRESS,
        startedAt: null,
        finishedAt: null,
        attempts: 0,
        cancelRequested: false,
        result: null,
        error: null,
        callback: submission.callbackUrl ? { url: submission.callbackUrl, status: 'pending', deliveries: [] } : null,
      };
      entries.set(submission.id, { record, availableAtMs: 0, abort: null });
      wake();
      return record;
    },
    async get(id) {
      sweep();
      return entries.get(id)?.record ?? null;
    },
    async list(owner, { limit, cursor }): Promise<JobListPage> {
      sweep();
      const mine = [...entries.values()].map((entry) => entry.record).filter((record) => record.submission.owner === owner).reverse();
      const start = cursor ? mine.findIndex((record) => record.submission.id === cursor) + 1 : 0;
      const jobs = mine.slice(start, start + limit);
      const more = start + limit < mine.length;
      return { jobs, nextCursor: more && jobs.length > 0 ? jobs[jobs.length - 1].submission.id : null };
    },
    async cancel(id) {
      const entry = entries.get(id);
      if (!entry) return null;
      if (isFinished(entry.record.status)) return entry.record;
      if (entry.record.status === 'queued') {
        finish(entry, { status: 'cancelled' });
      } else {
        update(entry, { cancelRequested: true });
        entry.abort?.abort();
      }
      return entry.record;
    },
    async counts() {
      sweep();
      return counts();
    },
    async checkReady() {
      if (closed) throw new Error('the job queue is closed');
    },
    async close() {
      closed = true;
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      wake();
    },
    createWorker(processor, workerOptions) {
      lifecycle = workerOptions.lifecycle ?? {};
      const concurrency = Math.max(1, workerOptions.concurrency);
      const running = new Set<Promise<void>>();
      let started = false;
      let stopping = false;

      const run = async (entry: Entry) => {
        const abort = new AbortController();
        const attempts = entry.record.attempts + 1;
        entry.abort = abort;
        update(entry, { status: 'running', attempts, startedAt: entry.record.startedAt ?? now().toISOString() });
        lifecycle.started?.(entry.record);
        const control: JobControl = {
          signal: abort.signal,
          attempt: attempts,
          lastAttempt: attempts >= options.maxAttempts,
          progress: (stage) => update(entry, { progress: advanceProgress(entry.record.progress, stage) }),
        };
        try {
          const result = await processor(entry.record, control);
          finish(entry, { status: 'succeeded', result, progress: { percent: 100, stage: 'done' } });
        } catch (error) {
          const outcome = classifyJobFailure(error, control.lastAttempt);
          if (outcome.kind === 'cancelled') return finish(entry, { status: 'cancelled' });
          if (outcome.kind === 'final') return finish(entry, { status: 'failed', error: outcome.failure });
          options.logger?.warn('Job attempt failed; it will run again', { job_id: entry.record.submission.id, attempt: attempts, code: outcome.failure.code, error });
          entry.abort = null;
          const delayMs = options.retryDelayMs(attempts);
          entry.availableAtMs = Date.now() + delayMs;
          update(entry, { status: 'queued' });
          later(delayMs, () => wake());
        }
      };

      const pump = () => {
        if (!started || stopping || closed) return;
        const nowMs = Date.now();
        for (const entry of entries.values()) {
          if (running.size >= concurrency) return;
          if (entry.record.status !== 'queued' || entry.availableAtMs > nowMs) continue;
          const settled: Promise<void> = run(entry).finally(() => {
            running.delete(settled);
            pump();
          });
          running.add(settled);
        }
      };

      return {
        start() {
          if (started) return;
          started = true;
          wake = pump;
          pump();
        },
        async stop(stopOptions = {}) {
          stopping = true;
          wake = () => {};
          const timeoutMs = stopOptions.timeoutMs ?? 30_000;
          let timer: ReturnType<typeof setTimeout> | undefined;
          const timeout = new Promise<void>((resolve) => (timer = setTimeout(resolve, timeoutMs)));
          await Promise.race([Promise.all(running), timeout]);
          clearTimeout(timer);
          if (running.size > 0) options.logger?.error('Jobs still running when the worker stopped; they are lost with the memory queue', { running: running.size });
        },
      };
    },
  };
  return queue;
}
