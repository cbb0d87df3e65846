/**
 * The reference analysis thread's worker as it starts
 * (reference-analysis-thread.ts sends it the requests). The CLI's `master`
 * starts none: its tap thread, started before the command's code loads
 * (tap-thread-spawn.ts), analyses the references first.
 */
import { Worker } from 'node:worker_threads';
import type { ThreadSettings } from './started-ahead.ts';
import { threadEntry } from './thread-entry.ts';

export const REFERENCE_WORKER_URL = threadEntry(import.meta.url, {
  launcher: new URL('./reference-analysis-worker.mjs', import.meta.url),
  built: new URL('./reference-analysis-worker.js', import.meta.url),
});

/**
 * Starts the thread from `url`, not holding the process open (the caller
 * holds it while a request is pending).
 *
 * @example const worker = spawnReferenceWorker(REFERENCE_WORKER_URL, { simd: true, nice: 0 });
 */
export function spawnReferenceWorker(url: URL, settings: ThreadSettings): Worker {
  const worker = new Worker(url, { workerData: settings });
  worker.unref();
  return worker;
}
