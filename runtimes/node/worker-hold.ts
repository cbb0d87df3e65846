/**
 * Who holds a worker thread's process open. A thread serving two callers (the
 * tap thread that first analyses the references, see tap-thread-worker.ts)
 * must stay referenced while either needs it; `Worker.ref()` and `unref()`
 * are one switch, so each caller takes a hold instead: the thread is
 * referenced from the first hold until the last is released.
 */
import type { Worker } from 'node:worker_threads';

const holds = new WeakMap<Worker, number>();

/**
 * Holds `worker`'s process open until the returned release is called (once; later calls do nothing).
 *
 * @example const release = holdOpen(worker); await answer; release();
 */
export function holdOpen(worker: Worker): () => void {
  const count = holds.get(worker) ?? 0;
  holds.set(worker, count + 1);
  if (count === 0) worker.ref();
  let released = false;
  return () => {
    if (released) return;
    released = true;
    const left = (holds.get(worker) ?? 1) - 1;
    holds.set(worker, left);
    if (left === 0) worker.unref();
  };
}
