// The MasteringRunner a batch runs on. Mastering is CPU-bound and synchronous,
// so lanes sharing one thread would only take turns (and hold more audio in
// memory at once): with two or more lanes the items go to the server's own
// worker-thread pool, one thread per lane, and really run in parallel. One
// lane needs no pool: it streams WAV items here as `audo-eq master` does
// (references and the render's taps on threads of their own) and gives the
// in-process runner the rest.
import { createInProcessRunner } from '../../../../core/app/in-process-runner.ts';
import type { MasteringRunner } from '../../../../core/app/ports.ts';
import type { IngestPolicy } from '../../../../core/domain/policies.ts';
import { createNodeWorkerPool } from '../../pool.ts';
import type { StreamedFileSettings } from '../master-streamed.ts';

export interface BatchRunner {
  readonly runner: MasteringRunner;
  /** `worker-threads` or `in-process`, for the batch's start line. */
  readonly kind: 'worker-threads' | 'in-process';
  /** How a one-lane batch streams its WAV items (see `runBatch`); null with worker threads. */
  readonly streamed: StreamedFileSettings | null;
  /** Stops the worker threads (nothing to do in-process). */
  close(): Promise<void>;
}

/**
 * Opens the runner for `lanes` items in flight at once, decoding under `ingestPolicy`.
 *
 * @example
 * const { runner, close } = openBatchRunner(2, localIngestPolicy());
 * try { await runBatch(items, { runner, concurrency: 2, options }); } finally { await close(); }
 */
export function openBatchRunner(lanes: number, ingestPolicy: IngestPolicy): BatchRunner {
  if (lanes <= 1) {
    const streamed = { ingestPolicy, referencesOnThread: true, tapsOnThread: true };
    return { runner: createInProcessRunner({ ingestPolicy }), kind: 'in-process', streamed, close: async () => undefined };
  }
  const pool = createNodeWorkerPool({
    size: lanes,
    // The batch never has more than `lanes` jobs out; the margin only covers a crashed worker being replaced.
    maxWaiting: lanes,
    // The server lowers its workers below its event loop; a batch has no requests to answer, so full priority.
    workerNice: 0,
    ingestPolicy,
  });
  return { runner: pool, kind: 'worker-threads', streamed: null, close: () => pool.close() };
}
