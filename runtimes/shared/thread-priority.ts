/**
 * Mastering workers run at a lower CPU priority than the thread that answers
 * requests: when the CPUs are busy, the kernel serves the event loop first, so
 * `/health` and uploads stay quick while masters take the rest. On Linux the
 * nice value is per thread, so a worker lowering its own leaves the server's
 * main thread untouched (`node:os` is available in Node, Deno and Bun). Other
 * systems keep one priority per process, so there nothing is changed.
 */
import { platform, setPriority } from 'node:os';

/** Default nice value of a mastering worker (0 = same as the server, 19 = lowest). */
export const DEFAULT_WORKER_NICE = 10;

/**
 * Lowers the calling thread's priority to `nice`; a platform that refuses
 * (or cannot express per-thread priority) leaves it as it was.
 *
 * @example lowerThreadPriority(10) // true when the kernel accepted it
 */
export function lowerThreadPriority(nice: number): boolean {
  // Elsewhere the nice value belongs to the whole process: lowering it would slow the event loop too.
  if (!Number.isInteger(nice) || nice <= 0 || platform() !== 'linux') return false;
  try {
    setPriority(0, Math.min(19, nice));
    return true;
  } catch {
    return false;
  }
}
