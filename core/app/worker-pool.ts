/**
 * A fixed pool of workers for the CPU work of the service — mastering jobs
 * (`run`) and analysis jobs (`runAnalysis`) — with one bounded queue,
 * independent of what a worker is: each runtime passes a `spawn` function
 * (Node worker threads, Web Workers in Deno and Bun) and this file does the
 * rest — dispatch, the queue bound (`overloaded`), errors rebuilt from data,
 * and replacing a worker that dies, failing only the job it was running.
 *
 * Admission semantics, shared with the HTTP app: `size` jobs run (one per
 * worker), at most `maxWaiting` more wait in arrival order, the next job is
 * refused at once with `AudoEqError('overloaded')`. Through the HTTP app that
 * bound is never reached (it admits `size + maxWaiting` requests before
 * reading their uploads); it protects direct callers.
 */
import { AudoEqError } from '../domain/errors.ts';
import type { IngestPolicy } from '../domain/policies.ts';
import type { AnalysisJob, AnalysisJobResult, AnalysisRunner, AppLogger, MasteringJob, MasteringJobResult, MasteringRunner, MasteringRunnerStats, RunControl } from './ports.ts';
import { createCancelFlag, jobCancelledError, raiseCancelFlag } from './run-control.ts';
import { analysisJobMessage, errorFromWire, masterJobMessage, type Outgoing, type WorkerJobMessage, type WorkerReply } from './worker-protocol.ts';

/** One live worker, as the pool sees it. */
export interface PoolWorkerHandle {
  /** Sends a job, moving the listed buffers. May throw (e.g. a clone error). */
  post(message: WorkerJobMessage, transfer: ArrayBuffer[]): void;
  /** Stops the worker for good. */
  terminate(): Promise<void> | void;
}

/** What a spawned worker reports back. Calls after `onExit` are ignored. */
export interface PoolWorkerEvents {
  onMessage(reply: WorkerReply): void;
  /** The worker is gone (uncaught error, exit, failed to load); `reason` is for the log. */
  onExit(reason: string): void;
}

export type SpawnPoolWorker = (events: PoolWorkerEvents) => PoolWorkerHandle;

export interface WorkerPoolOptions {
  /** Workers, i.e. jobs running at once (≥ 1). */
  readonly size: number;
  /** Jobs that may wait for a worker (≥ 0); one more is `overloaded`. */
  readonly maxWaiting: number;
  readonly spawn: SpawnPoolWorker;
  /** Passed to every job; default `ingest-validation-default`. */
  readonly ingestPolicy?: IngestPolicy;
  readonly logger?: AppLogger;
  /** First delay before replacing a worker that died while loading; doubles up to 30 s. Default 250 ms. */
  readonly restartDelayMs?: number;
  /** `Retry-After` carried by `overloaded`; default 5 s. */
  readonly retryAfterSeconds?: number;
}

export interface WorkerPool extends MasteringRunner, AnalysisRunner {
  readonly concurrency: number;
  stats(): MasteringRunnerStats;
  /** Refuses new jobs, fails waiting ones (`not_ready`) and stops every worker. */
  close(): Promise<void>;
}

interface PendingJob {
  readonly jobId: number;
  readonly correlationId: string;
  /** Builds the message (moving the upload bytes) when a worker takes the job; `spareCore`: another worker idles and nothing waits. */
  message(spareCore: boolean): Outgoing<WorkerJobMessage>;
  resolve(result: unknown): void;
  reject(error: unknown): void;
  /** Stage reports of a controlled run. */
  onStage?: RunControl['onStage'];
}

interface Slot {
  state: 'starting' | 'idle' | 'busy' | 'down';
  handle: PoolWorkerHandle | null;
  job: PendingJob | null;
  /** Bumped on every spawn so late events of a replaced worker are ignored. */
  generation: number;
  restartTimer: ReturnType<typeof setTimeout> | null;
}

const MAX_RESTART_DELAY_MS = 30_000;
const noop = () => {};
const quietLogger: AppLogger = { debug: noop, info: noop, warn: noop, error: noop };

/**
 * Creates the pool and starts its workers at once (so the first request does
 * not pay for loading them).
 *
 * @example
 * const pool = createWorkerPool({ size: 2, maxWaiting: 8, spawn: spawnNodeWorker });
 * const result = await pool.run(job); // runs in a worker; job.target.bytes is moved there
 * const analysis = await pool.runAnalysis({ correlationId: 'c2', file: { bytes } }); // same workers, same queue
 * await pool.close();
 */
export function createWorkerPool(options: WorkerPoolOptions): WorkerPool {
  const size = Math.max(1, Math.floor(options.size));
  const maxWaiting = Math.max(0, Math.floor(options.maxWaiting));
  const logger = options.logger ?? quietLogger;
  const firstRestartDelayMs = options.restartDelayMs ?? 250;
  const retryAfterSeconds = options.retryAfterSeconds ?? 5;
  const waiting: PendingJob[] = [];
  const slots: Slot[] = Array.from({ length: size }, () => ({ state: 'down', handle: null, job: null, generation: 0, restartTimer: null }));
  let nextJobId = 1;
  let closed = false;
  let failedStarts = 0;
  let lastStartFailure = '';

  const settle = (slot: Slot, reply: WorkerReply) => {
    if (reply.type === 'ready') {
      if (slot.state === 'starting') slot.state = 'idle';
      failedStarts = 0;
      return dispatch();
    }
    const job = slot.job;
    if (!job || job.jobId !== reply.jobId) return;
    if (reply.type === 'stage') {
      try {
        job.onStage?.(reply.stage);
      } catch (error) {
        logger.warn('a stage report handler failed', { correlation_id: job.correlationId, error });
      }
      return;
    }
    slot.job = null;
    slot.state = 'idle';
    if (reply.type === 'result') job.resolve(reply.result);
    else job.reject(errorFromWire(reply.error));
    dispatch();
  };

  const died = (slot: Slot, reason: string) => {
    const wasStarting = slot.state === 'starting';
    const job = slot.job;
    slot.state = 'down';
    slot.handle = null;
    slot.job = null;
    if (job) {
      logger.error('mastering worker died while running a job; replacing it', { correlation_id: job.correlationId, reason });
      // Not retried elsewhere: the job itself may be what killed the worker.
      job.reject(new Error(`mastering worker died while running the job: ${reason}`));
    }
    if (closed) return;
    if (!wasStarting) return spawnInto(slot);
    failedStarts++;
    lastStartFailure = reason;
    logger.error('mastering worker failed to start', { reason, failed_starts: failedStarts });
    // Nothing can run the waiting jobs until a worker starts: fail them now rather than let requests hang.
    if (slots.every((s) => s.state === 'down')) failWaiting(() => new Error(`no mastering worker could start: ${reason}`));
    const delayMs = Math.min(MAX_RESTART_DELAY_MS, firstRestartDelayMs * 2 ** (failedStarts - 1));
    slot.restartTimer = setTimeout(() => {
      slot.restartTimer = null;
      if (!closed) spawnInto(slot);
    }, delayMs);
  };

  const spawnInto = (slot: Slot) => {
    const generation = ++slot.generation;
    const current = () => generation === slot.generation && slot.state !== 'down';
    slot.state = 'starting';
    try {
      slot.handle = options.spawn({
        onMessage: (reply) => current() && settle(slot, reply),
        onExit: (reason) => current() && died(slot, reason),
      });
    } catch (error) {
      died(slot, error instanceof Error ? error.message : String(error));
    }
  };

  const busyCount = () => slots.filter((s) => s.state === 'busy').length;

  const failWaiting = (makeError: () => Error) => {
    for (const job of waiting.splice(0)) job.reject(makeError());
  };

  const dispatch = () => {
    for (const slot of slots) {
      if (waiting.length === 0) return;
      if (slot.state !== 'idle' || !slot.handle) continue;
      const job = waiting.shift()!;
      slot.state = 'busy';
      slot.job = job;
      // A worker left idle with nothing waiting is a core this job may borrow (its references' analysis, its render's taps).
      const spareCore = waiting.length === 0 && slots.some((other) => other.state === 'idle' && other.handle !== null);
      try {
        const { message, transfer } = job.message(spareCore);
        slot.handle.post(message, transfer);
      } catch (error) {
        slot.state = 'idle';
        slot.job = null;
        job.reject(error);
      }
    }
  };

  for (const slot of slots) spawnInto(slot);

  /** Queues one job of either kind under the shared bound. */
  const submit = <T>(
    correlationId: string,
    message: (jobId: number, spareCore: boolean) => Outgoing<WorkerJobMessage>,
    control?: RunControl,
    cancelFlag?: SharedArrayBuffer,
  ): Promise<T> => {
    if (closed) return Promise.reject(new AudoEqError('not_ready', 'The server is shutting down.'));
    if (failedStarts > 0 && slots.every((s) => s.state === 'down')) {
      return Promise.reject(new Error(`no mastering worker is running: ${lastStartFailure}`));
    }
    return new Promise<T>((resolve, reject) => {
      const jobId = nextJobId++;
      const pending: PendingJob = { jobId, correlationId, message: (spareCore) => message(jobId, spareCore), resolve: resolve as (result: unknown) => void, reject, onStage: control?.onStage };
      if (control?.signal?.aborted) return reject(jobCancelledError());
      // A cancel while waiting takes the job out of the queue; while running it raises the flag the worker reads at its next stage.
      control?.signal?.addEventListener(
        'abort',
        () => {
          const index = waiting.indexOf(pending);
          if (index >= 0) {
            waiting.splice(index, 1);
            reject(jobCancelledError());
          } else if (cancelFlag) raiseCancelFlag(cancelFlag);
        },
        { once: true },
      );
      waiting.push(pending);
      dispatch();
      // Same bound as the HTTP app's admission: `size` running + `maxWaiting` waiting
      // (counting jobs as running while their worker is still starting).
      if (busyCount() + waiting.length > size + maxWaiting) {
        waiting.splice(waiting.indexOf(pending), 1);
        reject(new AudoEqError('overloaded', undefined, { retry_after_seconds: retryAfterSeconds }));
      }
    });
  };

  return {
    concurrency: size,
    run: (job: MasteringJob, control?: RunControl) => {
      const cancelFlag = control ? createCancelFlag() : undefined;
      return submit<MasteringJobResult>(
        job.correlationId,
        (jobId, spareCore) => masterJobMessage(jobId, job, options.ingestPolicy, cancelFlag ? { cancelFlag } : undefined, spareCore),
        control,
        cancelFlag,
      );
    },
    runAnalysis: (job: AnalysisJob) => submit<AnalysisJobResult>(job.correlationId, (jobId) => analysisJobMessage(jobId, job, options.ingestPolicy)),
    stats() {
      return { workers: size, running: busyCount(), waiting: waiting.length };
    },
    async close() {
      if (closed) return;
      closed = true;
      failWaiting(() => new AudoEqError('not_ready', 'The server is shutting down.'));
      const stopping: Array<Promise<void> | void> = [];
      for (const slot of slots) {
        if (slot.restartTimer) clearTimeout(slot.restartTimer);
        slot.job?.reject(new AudoEqError('not_ready', 'The server is shutting down.'));
        slot.job = null;
        if (slot.handle) stopping.push(slot.handle.terminate());
        slot.handle = null;
        slot.state = 'down';
      }
      await Promise.all(stopping);
    },
  };
}
