/**
 * The Node mastering runner: a pool of worker threads (core/app/worker-pool.ts
 * does the pooling; this file only starts threads). Mastering never runs on
 * the event loop, so `/health` and every other request stay quick while jobs
 * run; the worker threads also run at a lower CPU priority than the event loop
 * (runtimes/shared/thread-priority.ts). Idle workers are unref'd: an idle
 * pool does not keep a process alive.
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { createWorkerPool, type PoolWorkerHandle, type PoolWorkerEvents, type WorkerPool } from '../../core/app/worker-pool.ts';
import type { WorkerReply } from '../../core/app/worker-protocol.ts';
import { DEFAULT_LIMITS } from '../../core/domain/limits.ts';
import { threadEntry } from './thread-entry.ts';
import { simdEnabled } from '../../core/wasm/simd-module.ts';
import { DEFAULT_WORKER_NICE } from '../shared/thread-priority.ts';
import type { RuntimePoolOptions } from '../shared/pool-options.ts';

export type NodeWorkerPoolOptions = RuntimePoolOptions;

const DEFAULT_WORKER_URL = threadEntry(import.meta.url, {
  launcher: new URL('./mastering-worker.mjs', import.meta.url),
  built: new URL('./mastering-worker.js', import.meta.url),
});

/** Starts one worker thread and translates its events for the pool. */
function spawnThread(workerUrl: URL, nice: number, events: PoolWorkerEvents): PoolWorkerHandle {
  // The thread starts with the SIMD switch as this thread has it (set from AUDO_EQ_SIMD or by an embedder).
  const worker = new Worker(workerUrl, { workerData: { nice, simd: simdEnabled() } });
  let lastError: Error | undefined;
  worker.on('message', (reply: WorkerReply) => {
    // A starting or busy worker holds the process open (a job may be waiting for
    // it, or someone awaits its job); an idle one does not. Stage reports arrive
    // while the job still runs. (Unref'd before it was ready, the thread was
    // ref'd again by the 'message' listener, and held the process open until
    // its first job.)
    if (reply.type === 'ready' || reply.type === 'result' || reply.type === 'failure') worker.unref();
    events.onMessage(reply);
  });
  // An uncaught error in the worker: 'exit' follows, and reports it.
  worker.on('error', (error) => (lastError = error));
  worker.on('messageerror', (error) => (lastError = error));
  worker.on('exit', (code) => {
    events.onExit(lastError ? `${lastError.name}: ${lastError.message}` : `worker thread exited with code ${code}`);
  });
  return {
    post(message, transfer) {
      worker.ref();
      worker.postMessage(message, transfer);
    },
    async terminate() {
      await worker.terminate();
    },
  };
}

/**
 * Creates the worker-thread pool (`MasteringRunner` with `concurrency` =
 * size). Close it when the server stops.
 *
 * @example
 * const runner = createNodeWorkerPool({ size: 2, maxWaiting: 8 });
 * const handler = createHandler({ runner });
 * // …on shutdown, after in-flight requests finish:
 * await runner.close();
 */
export function createNodeWorkerPool(options: NodeWorkerPoolOptions = {}): WorkerPool {
  const workerUrl = options.workerUrl ?? DEFAULT_WORKER_URL;
  const nice = options.workerNice ?? DEFAULT_WORKER_NICE;
  return createWorkerPool({
    size: options.size ?? availableParallelism(),
    maxWaiting: options.maxWaiting ?? DEFAULT_LIMITS.maxPending,
    ingestPolicy: options.ingestPolicy,
    logger: options.logger,
    spawn: (events) => spawnThread(workerUrl, nice, events),
  });
}
