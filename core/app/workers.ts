/**
 * Job plumbing for those who run audo-eq's jobs on workers of their own
 * kind (`audo-eq/workers`): the job functions every runner calls, the
 * message protocol between a pool and its workers, the pool itself (give it
 * a `spawn` for your worker kind), and the deferred-persistence queue
 * worker. The servers' own pools are `audo-eq/node/pool` and
 * `audo-eq/web-worker-pool`.
 *
 * @example
 * // inside a worker of your own kind:
 * import { answerJobMessage, deliverReply, READY_REPLY } from 'audo-eq/workers';
 * onMessage((message) => answerJobMessage(message).then((answer) => deliverReply(post, answer)));
 * post(READY_REPLY, []);
 *
 * @module
 */

// ── The job functions (what every runner runs) ─────────────────────────────
export { runMasteringJob } from './mastering-job.ts';
export type { MasteringJobSettings } from './mastering-job.ts';
export { runAnalysisJob } from './in-process-analysis-runner.ts';

// ── A pool of workers of any kind ───────────────────────────────────────────
export { createWorkerPool } from './worker-pool.ts';
export type { PoolWorkerEvents, PoolWorkerHandle, SpawnPoolWorker, WorkerPool, WorkerPoolOptions } from './worker-pool.ts';

// ── The pool ↔ worker protocol ──────────────────────────────────────────────
export { answerJobMessage, deliverReply, READY_REPLY } from './worker-protocol.ts';
export type { WorkerJobMessage, WorkerReply } from './worker-protocol.ts';

// ── What an asynchronous-job worker runs for each job ──────────────────────
export { createMasteringJobProcessor } from './jobs/mastering-job-processor.ts';

// ── The deferred-persistence queue worker ───────────────────────────────────
export { createArtifactWorker, retryDelayMs } from './artifact-worker.ts';
export type { ArtifactWorker, ArtifactWorkerOptions, RetryPolicy, WorkerOutcome } from './artifact-worker.ts';
