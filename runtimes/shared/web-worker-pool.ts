/**
 * The mastering runner for Deno and Bun: a pool of Web Workers
 * (core/app/worker-pool.ts does the pooling; this file only starts workers).
 * Both runtimes load TypeScript workers directly. A worker's uncaught error
 * reaches the pool as an `error` event (handled here, so it never takes the
 * server down); the worker is then stopped and replaced.
 */
import { createWorkerPool, type PoolWorkerEvents, type PoolWorkerHandle, type WorkerPool } from '../../core/app/worker-pool.ts';
import type { WorkerReply } from '../../core/app/worker-protocol.ts';
import { DEFAULT_LIMITS } from '../../core/domain/limits.ts';
import { simdEnabled } from '../../core/wasm/simd-module.ts';
import { DEFAULT_WORKER_NICE } from './thread-priority.ts';
import type { RuntimePoolOptions } from './pool-options.ts';

export type WebWorkerPoolOptions = RuntimePoolOptions;

// The worker in the same form as this module: TypeScript sources under Deno
// and Bun, the compiled JavaScript when loaded from the npm package's dist/.
const DEFAULT_WORKER_URL = import.meta.url.endsWith('.ts')
  ? new URL('./web-mastering-worker.ts', import.meta.url)
  : new URL('./web-mastering-worker.js', import.meta.url);

function spawnWebWorker(workerUrl: URL, nice: number, events: PoolWorkerEvents): PoolWorkerHandle {
  // Web Workers take no start-up data: the nice value and the SIMD switch ride in the module URL.
  const url = new URL(workerUrl);
  url.searchParams.set('nice', String(nice));
  url.searchParams.set('simd', simdEnabled() ? 'on' : 'off');
  const worker = new Worker(url.href, { type: 'module' });
  let gone = false;
  const end = (reason: string) => {
    if (gone) return;
    gone = true;
    worker.terminate();
    events.onExit(reason);
  };
  worker.onmessage = (event: MessageEvent<WorkerReply>) => events.onMessage(event.data);
  worker.onerror = (event: ErrorEvent) => {
    // Handled here: unhandled, Deno would rethrow it in the main thread and stop the server.
    event.preventDefault();
    end(`uncaught error in mastering worker: ${event.message}`);
  };
  worker.onmessageerror = () => end('a message from the mastering worker could not be read');
  // Bun reports a worker that exits (process.exit inside it) with `close`; Deno has no such event.
  worker.addEventListener('close', () => end('mastering worker exited'));
  return {
    post: (message, transfer) => worker.postMessage(message, transfer),
    terminate() {
      gone = true;
      worker.terminate();
    },
  };
}

/**
 * Creates the Web Worker pool (`MasteringRunner` with `concurrency` = size).
 * Close it when the server stops.
 *
 * @example
 * const runner = createWebWorkerPool({ size: 2, maxWaiting: 8 });
 * Deno.serve(createHandler({ runner }));
 */
export function createWebWorkerPool(options: WebWorkerPoolOptions = {}): WorkerPool {
  const workerUrl = options.workerUrl ?? DEFAULT_WORKER_URL;
  const nice = options.workerNice ?? DEFAULT_WORKER_NICE;
  return createWorkerPool({
    size: options.size ?? Math.max(1, navigator.hardwareConcurrency || 1),
    maxWaiting: options.maxWaiting ?? DEFAULT_LIMITS.maxPending,
    ingestPolicy: options.ingestPolicy,
    logger: options.logger,
    spawn: (events) => spawnWebWorker(workerUrl, nice, events),
  });
}
