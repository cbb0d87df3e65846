/**
 * The reference analysis thread's worker as it starts
 * (reference-analysis-thread.ts sends it the requests), apart so that a
 * command can start it before its own code has loaded
 * ({@link prestartReferenceWorker}, cli/main.ts), as tap-thread-spawn.ts does
 * for the tap thread: booting a thread and loading its modules costs ~0.1–0.25 s
 * of CPU, which then runs while the second core would idle.
 */
import { Worker } from 'node:worker_threads';
import { startedAhead, type ThreadSettings } from './started-ahead.ts';
import { threadEntry } from './thread-entry.ts';

export const REFERENCE_WORKER_URL = threadEntry(import.meta.url, {
  launcher: new URL('./reference-analysis-worker.mjs', import.meta.url),
  built: new URL('./reference-analysis-worker.js', import.meta.url),
});

export interface ReferenceWorker {
  readonly worker: Worker;
  readonly settings: ThreadSettings;
  /** The error that ended the thread before anyone listened, if it did. */
  earlyFailure(): Error | null;
}

/**
 * Starts the thread from `url`, not holding the process open (the caller
 * holds it while a request is pending).
 *
 * @example const { worker } = spawnReferenceWorker(REFERENCE_WORKER_URL, { simd: true, nice: 0 });
 */
export function spawnReferenceWorker(url: URL, settings: ThreadSettings): ReferenceWorker {
  const worker = new Worker(url, { workerData: settings });
  worker.unref();
  let failure: Error | null = null;
  worker.on('error', (error) => (failure ??= error));
  worker.on('exit', (code) => (failure ??= new Error(`the reference analysis thread exited with code ${code} before answering`)));
  return { worker, settings, earlyFailure: () => failure };
}

const ahead = startedAhead(
  (settings) => spawnReferenceWorker(REFERENCE_WORKER_URL, settings),
  (thread) => thread.earlyFailure() === null,
);

/**
 * Starts the default thread now, for the next {@link takeReferenceWorker}
 * with the same settings (returned); one not taken ends with the process.
 *
 * @example prestartReferenceWorker({ simd: true, nice: 0 }); // then load the command that analyses references
 */
export const prestartReferenceWorker: (settings: ThreadSettings) => ReferenceWorker = ahead.start;

/** The thread {@link prestartReferenceWorker} started, if it was started with `settings` and still runs (any other is ended); else null. */
export const takeReferenceWorker: (settings: ThreadSettings) => ReferenceWorker | null = ahead.take;
